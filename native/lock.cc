// Glue for locks. lock() and unlock() are the hot path of every synchronized
// access, so they do the minimum: one closed check, one OS call.
#include "lock.h"

#include <string>

#include "addon_data.h"
#include "errors.h"
#include "segment.h"

namespace sct {

const napi_type_tag kLockTag = {0x2f9e4b7c13d85a60ULL, 0xc41a6e92b07d3f58ULL};

// lock() results, mirrored in lib/native.ts.
constexpr int32_t kResultAcquired = 0;
constexpr int32_t kResultOwnerDied = 1;
constexpr int32_t kResultNotAcquired = 2;

Napi::Function NativeLock::Define(Napi::Env env) {
  return DefineClass(env, "NativeLock",
                     {
                         InstanceMethod<&NativeLock::Init>("init"),
                         InstanceMethod<&NativeLock::Lock>("lock"),
                         InstanceMethod<&NativeLock::Unlock>("unlock"),
                         InstanceMethod<&NativeLock::Locked>("locked"),
                         InstanceMethod<&NativeLock::Depth>("depth"),
                         StaticValue("REGION_SIZE",
                                     Napi::Number::New(env, static_cast<double>(kLockRegionSize))),
                         StaticValue("REGION_ALIGN",
                                     Napi::Number::New(env, static_cast<double>(kLockRegionAlign))),
                         StaticValue("ROBUST", Napi::Boolean::New(env, RobustLocksSupported())),
                     });
}

// new NativeLock(segment, offset): the region must lie inside the mapping and
// be aligned; nothing in it is trusted until init() or lock() checks it.
NativeLock::NativeLock(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeLock>(info) {
  Napi::Env env = info.Env();
  Segment* segment = Segment::FromValue(env, info.Length() > 0 ? info[0] : env.Undefined());
  MappingRef* mapping = segment->mapping();
  if (mapping->closed())
    ThrowStatus(env, Status::Lib(ErrorKind::kShmClosed, "the segment was closed"), "lock");
  offset_ = IntegerArg(info, 1, "lock offset", 0, 9007199254740991.0);
  if (static_cast<size_t>(offset_) % kLockRegionAlign != 0)
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "lock offset must be a multiple of " +
                                                 std::to_string(kLockRegionAlign));
  if (mapping->size() < kLockRegionSize || offset_ > static_cast<double>(mapping->size() - kLockRegionSize))
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "lock region lies outside the segment");
  mapping_ = mapping;
  mapping_->Retain();
  mutex_.reset(new Mutex(mapping_->data() + static_cast<size_t>(offset_)));
  info.This().As<Napi::Object>().TypeTag(&kLockTag);
}

NativeLock::~NativeLock() {
  mutex_.reset();
  if (mapping_ != nullptr) mapping_->Release();
}

void NativeLock::EnsureOpen(Napi::Env env) {
  if (mapping_->closed())
    ThrowStatus(env, Status::Lib(ErrorKind::kShmClosed, "the segment holding this lock was closed"),
                "lock");
}

Napi::Value NativeLock::Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  if (info.Length() < 1 || !info[0].IsBoolean())
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "recursive must be a boolean");
  const LockKind kind = info[0].As<Napi::Boolean>().Value() ? LockKind::kRecursive : LockKind::kPlain;
  Status st = mutex_->Init(kind);
  if (!st.ok()) ThrowStatus(env, st, "cannot initialise lock");
  return env.Undefined();
}

// lock(timeoutMs?) -> 0 acquired, 1 acquired after owner death, 2 not acquired.
// No argument or a negative number blocks; 0 tries once.
Napi::Value NativeLock::Lock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  double timeout = -1;
  if (info.Length() > 0 && !info[0].IsUndefined()) {
    if (!info[0].IsNumber())
      ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "timeout must be a number of milliseconds");
    timeout = info[0].As<Napi::Number>().DoubleValue();
    if (timeout != timeout) ThrowRangeError(env, "ERR_OUT_OF_RANGE", "timeout must not be NaN");
    if (timeout > 1e12) timeout = -1;  // effectively forever (Infinity included)
  }
  Acquired result;
  Status st = mutex_->Lock(timeout, &result);
  if (!st.ok()) ThrowStatus(env, st, "cannot acquire lock");
  const int32_t code = result == Acquired::kYes         ? kResultAcquired
                       : result == Acquired::kOwnerDied ? kResultOwnerDied
                                                        : kResultNotAcquired;
  return Napi::Number::New(env, code);
}

Napi::Value NativeLock::Unlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  Status st = mutex_->Unlock();
  if (!st.ok()) ThrowStatus(env, st, "cannot release lock");
  return env.Undefined();
}

Napi::Value NativeLock::Locked(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  bool locked = false;
  Status st = mutex_->IsLocked(&locked);
  if (!st.ok()) ThrowStatus(env, st, "cannot query lock");
  return Napi::Boolean::New(env, locked);
}

Napi::Value NativeLock::Depth(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  return Napi::Number::New(env, mutex_->HeldDepth());
}

}  // namespace sct
