// Glue for segments: argument checks, the external ArrayBuffer, close(), and
// lockHandle(), which checks a lock's place before the LockTable takes it.
#include "segment.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "addon_data.h"
#include "errors.h"
#include "../platform/mutex.h"

namespace sct {

const napi_type_tag kSegmentTag = {0x5a3c1e0f9b2d4c71ULL, 0x8e6f20d4a1b3c597ULL};

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;

std::string NameArg(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || !info[index].IsString())
    ThrowStatus(info.Env(), Status::Lib(ErrorKind::kInvalidArgType, "segment name must be a string"));
  return info[index].As<Napi::String>().Utf8Value();
}

void CleanupHook(void* arg);

}  // namespace

double IntegerArg(const Napi::CallbackInfo& info, size_t index, const char* what, double min,
                  double max) {
  if (info.Length() <= index || !info[index].IsNumber())
    ThrowStatus(info.Env(), Status::Of(ErrorKind::kInvalidArgType), std::string(what) + " must be a number");
  const double v = info[index].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v) || std::floor(v) != v || v < min || v > max)
    ThrowStatus(info.Env(), Status::Of(ErrorKind::kOutOfRange),
                std::string(what) + " is out of range or not an integer");
  return v;
}

Napi::Function Segment::Define(Napi::Env env, AddonData* data) {
  Napi::Function ctor = DefineClass(env, "Segment",
                     {
                         StaticMethod<&Segment::Create>("create"),
                         StaticMethod<&Segment::Open>("open"),
                         StaticMethod<&Segment::Unlink>("unlink"),
                         StaticMethod<&Segment::Identity>("identity"),
                         StaticMethod<&Segment::DetachBuffer>("detach"),
                         InstanceMethod<&Segment::Buffer>("buffer"),
                         InstanceMethod<&Segment::View>("view"),
                         InstanceMethod<&Segment::Close>("close"),
                         InstanceAccessor<&Segment::GetSize>("size"),
                         InstanceAccessor<&Segment::GetClosed>("closed"),
                         InstanceAccessor<&Segment::GetName>("name"),
                         InstanceAccessor<&Segment::GetIdentity>("identity"),
                         InstanceAccessor<&Segment::GetOtherOwner>("otherOwner"),
                     });
  // lockHandle() goes on the prototype as a raw Node-API method (see LockHandle).
  napi_property_descriptor lock_handle = {"lockHandle", nullptr, LockHandle, nullptr, nullptr, nullptr,
                                          napi_default_method, data};
  Napi::Object proto = ctor.Get("prototype").As<Napi::Object>();
  NAPI_THROW_IF_FAILED(env, napi_define_properties(env, proto, 1, &lock_handle), Napi::Function());
  return ctor;
}

Segment* Segment::FromValue(Napi::Env env, Napi::Value value) {
  if (!value.IsObject() || !value.As<Napi::Object>().CheckTypeTag(&kSegmentTag))
    ThrowStatus(env, Status::Lib(ErrorKind::kInvalidArgType, "expected a Segment"));
  return Segment::Unwrap(value.As<Napi::Object>());
}

// Only Wrap() may construct: it passes the mapping as an External.
Segment::Segment(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Segment>(info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsExternal() || !info[1].IsString())
    ThrowStatus(env, Status::Lib(ErrorKind::kIllegalConstructor, "use Segment.create() or Segment.open()"));
  const Mapping* m = info[0].As<Napi::External<Mapping>>().Data();
  mapping_ = new MappingRef(*m);
  name_ = info[1].As<Napi::String>().Utf8Value();
  other_owner_ = m->other_owner;
  info.This().As<Napi::Object>().TypeTag(&kSegmentTag);
  if (napi_add_env_cleanup_hook(env, CleanupHook, this) == napi_ok) cleanup_registered_ = true;
}

Segment::~Segment() {
  if (cleanup_registered_) napi_remove_env_cleanup_hook(Env(), CleanupHook, this);
  // The ArrayBuffer may outlive us and keeps its own reference.
  if (mapping_ != nullptr) mapping_->Release();
}

namespace {
void CleanupHook(void* arg) {
  // The environment is going away (process exit or worker end): unmap now.
  // No JS runs after this, so no view can touch the memory.
  auto* self = static_cast<Segment*>(arg);
  if (self->mapping() != nullptr) self->mapping()->Unmap();
}
}  // namespace

Napi::Value Segment::Wrap(Napi::Env env, const std::string& name, const Mapping& m) {
  Mapping copy = m;
  AddonData* data = env.GetInstanceData<AddonData>();
  try {
    return data->segment_ctor.New(
        {Napi::External<Mapping>::New(env, &copy), Napi::String::New(env, name)});
  } catch (...) {
    // Construction failed before the mapping was owned: do not leak it.
    ShmUnmap(&copy);
    throw;
  }
}

Napi::Value Segment::Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string name = NameArg(info, 0);
  const double size = IntegerArg(info, 1, "size", 1, kMaxSafeInteger);
  const double mode = info.Length() > 2 && !info[2].IsUndefined()
                          ? IntegerArg(info, 2, "mode", 0, 0777)
                          : 0600;
  bool reserve = true;
  if (info.Length() > 3 && !info[3].IsUndefined()) {
    if (!info[3].IsBoolean())
      ThrowStatus(env, Status::Lib(ErrorKind::kInvalidArgType, "reserve must be a boolean"));
    reserve = info[3].As<Napi::Boolean>().Value();
  }
  if (size > static_cast<double>(SIZE_MAX))
    ThrowStatus(env, Status::Lib(ErrorKind::kShmNoSpace, "size exceeds the address space"),
                "cannot create segment '" + name + "'");
  Mapping m;
  Status st = ShmCreate(name, static_cast<size_t>(size), static_cast<unsigned>(mode), reserve, &m);
  if (!st.ok()) ThrowStatus(env, st, "cannot create segment '" + name + "'");
  try {
    return Wrap(env, name, m);
  } catch (...) {
    ShmUnlink(name);  // nothing of a failed creation stays behind
    throw;
  }
}

Napi::Value Segment::Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string name = NameArg(info, 0);
  bool allow_other_owner = false;
  if (info.Length() > 1 && !info[1].IsUndefined()) {
    if (!info[1].IsBoolean())
      ThrowStatus(env, Status::Lib(ErrorKind::kInvalidArgType, "allowOtherOwners must be a boolean"));
    allow_other_owner = info[1].As<Napi::Boolean>().Value();
  }
  Mapping m;
  Status st = ShmOpen(name, allow_other_owner, &m);
  if (!st.ok()) ThrowStatus(env, st, "cannot open segment '" + name + "'");
  return Wrap(env, name, m);
}

Napi::Value Segment::Unlink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string name = NameArg(info, 0);
  Status st = ShmUnlink(name);
  if (!st.ok()) ThrowStatus(env, st, "cannot unlink segment '" + name + "'");
  return env.Undefined();
}

Napi::Value Segment::Identity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string name = NameArg(info, 0);
  std::string identity;
  Status st = ShmIdentity(name, &identity);
  if (!st.ok()) ThrowStatus(env, st, "cannot open segment '" + name + "'");
  return Napi::String::New(env, identity);
}

Napi::Value Segment::Buffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (mapping_->closed())
    ThrowStatus(env, Status::Lib(ErrorKind::kShmClosed, "the segment was closed"),
                "segment '" + name_ + "'");
  if (!buffer_.IsEmpty()) {
    Napi::ArrayBuffer existing = buffer_.Value();
    if (!existing.IsEmpty()) return existing;
  }
  Napi::ArrayBuffer ab = NewExternal(env, 0, mapping_->size());
  buffer_ = Napi::Weak(ab);
  return ab;
}

// An external ArrayBuffer over [offset, offset + length) of the mapping; the
// buffer keeps the mapping struct alive, close() detaches it.
//
// Node runs the finalizer at once when it cannot make the buffer (Node 20
// refuses more than 2^32 bytes), so that call must not count as the buffer's
// release as well: the finalizer only notes it while the creation is ours.
namespace {
thread_local MappingRef* creating = nullptr;
thread_local bool finalized_while_creating = false;

void ReleaseView(napi_env, void*, void* hint) {
  auto* ref = static_cast<MappingRef*>(hint);
  if (ref == creating) {
    finalized_while_creating = true;
    return;
  }
  ref->Release();
}
}  // namespace

Napi::ArrayBuffer Segment::NewExternal(Napi::Env env, size_t offset, size_t length) {
  if (length == 0) return Napi::ArrayBuffer::New(env, 0);
  mapping_->Retain();  // released by the ArrayBuffer's finalizer
  MappingRef* ref = mapping_;
  creating = ref;
  finalized_while_creating = false;
  napi_value ab = nullptr;
  const napi_status status =
      napi_create_external_arraybuffer(env, ref->data() + offset, length, ReleaseView, ref, &ab);
  creating = nullptr;
  if (status != napi_ok || finalized_while_creating) {
    ref->Release();  // exactly once, whichever way it failed
    // Node may have left its own exception pending; ours says why.
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    ThrowStatus(env, Status::Of(ErrorKind::kShmTooLarge),
                "this Node cannot make an ArrayBuffer of " + std::to_string(length) +
                    " bytes over shared memory");
  }
  return Napi::ArrayBuffer(env, ab);
}

// view(offset, length): a separate ArrayBuffer over part of the segment, so
// one object among many in a segment can be detached on its own.
Napi::Value Segment::View(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (mapping_->closed())
    ThrowStatus(env, Status::Lib(ErrorKind::kShmClosed, "the segment was closed"),
                "segment '" + name_ + "'");
  const double size = static_cast<double>(mapping_->size());
  const double offset = IntegerArg(info, 0, "view offset", 0, size);
  const double length = IntegerArg(info, 1, "view length", 0, size - offset);
  Napi::ArrayBuffer ab = NewExternal(env, static_cast<size_t>(offset), static_cast<size_t>(length));
  if (views_.size() >= sweep_at_) {
    // Forget views already collected, so the list tracks the live ones.
    std::vector<Napi::Reference<Napi::ArrayBuffer>> live;
    for (auto& ref : views_) {
      if (!ref.Value().IsEmpty()) live.push_back(std::move(ref));
    }
    views_ = std::move(live);
    sweep_at_ = views_.size() * 2 + 64;
  }
  views_.push_back(Napi::Weak(ab));
  return ab;
}

// Segment.detach(arrayBuffer): detaches one view (an object's close()).
Napi::Value Segment::DetachBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArrayBuffer())
    ThrowStatus(env, Status::Lib(ErrorKind::kInvalidArgType, "expected an ArrayBuffer"));
  Napi::ArrayBuffer ab = info[0].As<Napi::ArrayBuffer>();
  if (!ab.IsDetached() && ab.ByteLength() > 0) ab.Detach();
  return env.Undefined();
}

void Segment::CloseNow() {
  if (mapping_->closed()) return;
  // Detach first: a live view must not outlive the mapping.
  if (!buffer_.IsEmpty()) {
    Napi::ArrayBuffer ab = buffer_.Value();
    if (!ab.IsEmpty() && !ab.IsDetached() && ab.ByteLength() > 0) ab.Detach();
    buffer_.Reset();
  }
  for (auto& ref : views_) {
    Napi::ArrayBuffer ab = ref.Value();
    if (!ab.IsEmpty() && !ab.IsDetached() && ab.ByteLength() > 0) ab.Detach();
  }
  views_.clear();
  // Lock handles into this mapping keep only its bookkeeping from now on:
  // LockTable::Find sees closed() and refuses them.
  mapping_->Unmap();
}

Napi::Value Segment::Close(const Napi::CallbackInfo& info) {
  CloseNow();
  return info.Env().Undefined();
}

Napi::Value Segment::GetSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(mapping_->closed() ? 0 : mapping_->size()));
}

Napi::Value Segment::GetClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), mapping_->closed());
}

// lockHandle(offset): a handle for the lock region at `offset`, for every lock
// call. The place is checked here, once: the region must be aligned and lie
// inside the mapping, so no handle ever names memory outside a lock region.
// Whether a lock was initialised there is the lock calls' business (lockInit
// needs a handle to a region that has none yet).
//
// Every lock object makes one, so this skips node-addon-api's method wrapper
// (its CallbackInfo and C++ exceptions), but not the type tag: `this` is
// untrusted like any JS value.
napi_value Segment::LockHandle(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg = nullptr, self = nullptr;
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &argc, &arg, &self, &data) != napi_ok) return nullptr;
  // The tag first: napi_unwrap alone would take another addon's wrapped object for ours.
  bool ours = false;
  void* wrapped = nullptr;
  if (napi_check_object_type_tag(env, self, &kSegmentTag, &ours) != napi_ok || !ours ||
      napi_unwrap(env, self, &wrapped) != napi_ok || wrapped == nullptr)
    return PendStatus(env, Status::Lib(ErrorKind::kInvalidArgType, "lockHandle() must be called on a Segment"));
  MappingRef* mapping = static_cast<Segment*>(wrapped)->mapping_;
  if (mapping->closed())
    return PendStatus(env, Status::Lib(ErrorKind::kShmClosed, "the segment holding this lock was closed"), "lock");
  double offset = -1;
  if (argc < 1 || napi_get_value_double(env, arg, &offset) != napi_ok)
    return PendStatus(env, Status::Lib(ErrorKind::kInvalidArgType, "lock offset must be a number"));
  static_assert(kLockRegionAlign == 64, "the message below spells the alignment");
  if (!(offset >= 0) || offset > kMaxSafeInteger || std::floor(offset) != offset ||
      static_cast<uint64_t>(offset) % kLockRegionAlign != 0)
    return PendStatus(env, Status::Lib(ErrorKind::kOutOfRange, "lock offset must be a non-negative multiple of 64"));
  if (mapping->size() < kLockRegionSize || offset > static_cast<double>(mapping->size() - kLockRegionSize))
    return PendStatus(env, Status::Lib(ErrorKind::kOutOfRange, "lock region lies outside the segment"));
  const int32_t handle = static_cast<AddonData*>(data)->locks.Add(mapping, static_cast<size_t>(offset));
  if (handle < 0) return PendStatus(env, Status::Lib(ErrorKind::kLockSystem, "too many locks in use"), "lock");
  napi_value out = nullptr;
  napi_create_int32(env, handle, &out);
  return out;
}

Napi::Value Segment::GetIdentity(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), mapping_->identity());
}

Napi::Value Segment::GetOtherOwner(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), other_owner_);
}

Napi::Value Segment::GetName(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), name_);
}

}  // namespace sct
