// Lock glue in plain Node-API, skipping node-addon-api's wrappers and object
// unwrapping. Every lock call names its lock by the handle that
// Segment.lockHandle() registered in the LockTable (see lock_table.h): one
// small integer, one lookup, one Mutex per handle. The hot pair
// lockAcquire()/lockRelease() runs on every synchronized access and takes no
// argument at all: JS leaves the handle in the lock box just before the call.
#include "lock_functions.h"

#include "errors.h"

namespace sct {
namespace {

// lock() results, exported to JS as LOCK_ACQUIRED, LOCK_OWNER_DIED and
// LOCK_NOT_ACQUIRED (lib/base/native.ts reads them from there).
constexpr int32_t kResultAcquired = 0;
constexpr int32_t kResultOwnerDied = 1;
constexpr int32_t kResultNotAcquired = 2;

// Most lock functions take (handle, one optional argument).
constexpr size_t kMaxArgs = 2;

// One call by handle: its arguments and the lock the handle names.
struct Call {
  size_t argc = kMaxArgs;
  napi_value argv[kMaxArgs] = {nullptr, nullptr};
  AddonData* addon = nullptr;
  Mutex* mutex = nullptr;
};

// Decodes the handle in the first argument and finds its lock; on failure a
// JS error is pending and false is returned. LockTable::Find takes any int32
// safely, so all that is checked here is that the handle is a number.
bool Resolve(napi_env env, napi_callback_info info, Call* c) {
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &c->argc, c->argv, nullptr, &data) != napi_ok) return false;
  c->addon = static_cast<AddonData*>(data);
  int32_t handle = -1;
  if (c->argc < 1 || napi_get_value_int32(env, c->argv[0], &handle) != napi_ok) {
    PendStatus(env, Status::Lib(ErrorKind::kInvalidArgType, "lock functions take a lock handle"));
    return false;
  }
  Status why;
  c->mutex = c->addon->locks.Find(handle, &why);
  if (c->mutex == nullptr) {
    PendStatus(env, why, "lock");
    return false;
  }
  return true;
}

// WaitCheck of a lock wait: is this environment still running? A call into
// JS fails while a termination is pending (worker.terminate(), process.exit()
// in a worker): the wait then ends, the termination goes on unwinding.
bool EnvAlive(void* ctx) {
  auto* addon = static_cast<AddonData*>(ctx);
  napi_ref probe = addon->alive_probe;
  if (probe == nullptr) return true;  // no probe: wait as before
  napi_env env = addon->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return false;
  napi_value fn = nullptr, recv = nullptr, result = nullptr;
  const bool alive = napi_get_reference_value(env, probe, &fn) == napi_ok && fn != nullptr &&
                     napi_get_undefined(env, &recv) == napi_ok &&
                     napi_call_function(env, recv, fn, 0, nullptr, &result) == napi_ok;
  napi_close_handle_scope(env, scope);
  return alive;
}

// A wait stopped by EnvAlive: leave the termination pending, or, should
// nothing be pending, make sure JS never takes this for an acquire.
napi_value GaveUp(napi_env env) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return nullptr;
  return PendStatus(env, Status::Lib(ErrorKind::kLockSystem, "lock wait stopped: the environment is ending"),
                    "cannot acquire lock");
}

napi_value Int(napi_env env, int32_t v) {
  napi_value out = nullptr;
  napi_create_int32(env, v, &out);
  return out;
}

napi_value Bool(napi_env env, bool v) {
  napi_value out = nullptr;
  napi_get_boolean(env, v, &out);
  return out;
}

// lockInit(handle, recursive)
napi_value LockInit(napi_env env, napi_callback_info info) {
  Call c;
  if (!Resolve(env, info, &c)) return nullptr;
  bool recursive = false;
  if (c.argc < 2 || napi_get_value_bool(env, c.argv[1], &recursive) != napi_ok)
    return PendStatus(env, Status::Lib(ErrorKind::kInvalidArgType, "recursive must be a boolean"));
  Status st = c.mutex->Init(recursive ? LockKind::kRecursive : LockKind::kPlain);
  if (!st.ok()) return PendStatus(env, st, "cannot initialise lock");
  return nullptr;
}

// lock(handle, timeoutMs?) -> LOCK_ACQUIRED, LOCK_OWNER_DIED or
// LOCK_NOT_ACQUIRED. Omitted/undefined or negative blocks; 0 tries once.
napi_value LockAcquire(napi_env env, napi_callback_info info) {
  Call c;
  if (!Resolve(env, info, &c)) return nullptr;
  double timeout = -1;
  if (c.argc >= 2) {
    napi_valuetype type;
    napi_typeof(env, c.argv[1], &type);
    if (type == napi_number) {
      napi_get_value_double(env, c.argv[1], &timeout);
      if (timeout != timeout) return PendStatus(env, Status::Lib(ErrorKind::kOutOfRange, "timeout must not be NaN"));
      if (timeout > 1e12) timeout = -1;  // effectively forever (Infinity included)
    } else if (type != napi_undefined) {
      return PendStatus(env, Status::Lib(ErrorKind::kInvalidArgType, "timeout must be a number of milliseconds"));
    }
  }
  Acquired result;
  const WaitCheck check{EnvAlive, c.addon};
  Status st = c.mutex->Lock(timeout, &result, &check);
  if (!st.ok()) return PendStatus(env, st, "cannot acquire lock");
  if (result == Acquired::kGaveUp) return GaveUp(env);
  return Int(env, result == Acquired::kYes         ? kResultAcquired
                  : result == Acquired::kOwnerDied ? kResultOwnerDied
                                                   : kResultNotAcquired);
}

// unlock(handle)
napi_value LockRelease(napi_env env, napi_callback_info info) {
  Call c;
  if (!Resolve(env, info, &c)) return nullptr;
  Status st = c.mutex->Unlock();
  if (!st.ok()) return PendStatus(env, st, "cannot release lock");
  return nullptr;
}

// lockLocked(handle) -> held by anyone?
napi_value LockLocked(napi_env env, napi_callback_info info) {
  Call c;
  if (!Resolve(env, info, &c)) return nullptr;
  bool locked = false;
  Status st = c.mutex->IsLocked(&locked);
  if (!st.ok()) return PendStatus(env, st, "cannot query lock");
  return Bool(env, locked);
}

// lockDepth(handle) -> this thread's recursion depth (0: not the holder)
napi_value LockDepth(napi_env env, napi_callback_info info) {
  Call c;
  if (!Resolve(env, info, &c)) return nullptr;
  return Int(env, static_cast<int32_t>(c.mutex->HeldDepth()));
}

// The lock whose handle JS left in the lock box; on failure a JS error is pending.
Mutex* BoxedLock(napi_env env, napi_callback_info info, AddonData** out = nullptr) {
  AddonData* addon = AddonOf(env, info);
  if (out != nullptr) *out = addon;
  if (addon == nullptr) return nullptr;
  // Taken out of the box, so a call that JS did not prepare (say, its view
  // of the box was detached) finds no handle instead of the previous lock.
  const int32_t handle = addon->lock_box[0];
  addon->lock_box[0] = -1;
  Status why;
  Mutex* m = addon->locks.Find(handle, &why);
  if (m == nullptr) PendStatus(env, why, "lock");
  return m;
}

// lockAcquire() -> undefined, or LOCK_OWNER_DIED when a dead holder's lock
// was recovered. Blocks; try and timed acquires go through lock().
napi_value LockAcquireBoxed(napi_env env, napi_callback_info info) {
  AddonData* addon = nullptr;
  Mutex* m = BoxedLock(env, info, &addon);
  if (m == nullptr) return nullptr;
  Acquired result;
  const WaitCheck check{EnvAlive, addon};
  Status st = m->Lock(-1, &result, &check);
  if (!st.ok()) return PendStatus(env, st, "cannot acquire lock");
  if (result == Acquired::kGaveUp) return GaveUp(env);
  // undefined in the common case: making a return value costs time.
  return result == Acquired::kOwnerDied ? Int(env, kResultOwnerDied) : nullptr;
}

// lockRelease()
napi_value LockReleaseBoxed(napi_env env, napi_callback_info info) {
  Mutex* m = BoxedLock(env, info);
  if (m == nullptr) return nullptr;
  Status st = m->Unlock();
  if (!st.ok()) return PendStatus(env, st, "cannot release lock");
  return nullptr;
}

// lockHandleFree(handle): idempotent; anything but a handle is ignored, so a
// finalizer or close() can never throw here.
napi_value LockHandleFree(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg = nullptr;
  void* data = nullptr;
  int32_t handle = -1;
  if (napi_get_cb_info(env, info, &argc, &arg, nullptr, &data) == napi_ok && argc >= 1 &&
      napi_get_value_int32(env, arg, &handle) == napi_ok)
    static_cast<AddonData*>(data)->locks.Remove(handle);
  return nullptr;
}

void Export(Napi::Env env, Napi::Object exports, const char* name, napi_callback cb, AddonData* data) {
  napi_value fn;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, data, &fn));
  exports.Set(name, Napi::Value(env, fn));
}

}  // namespace

void ExportLockFunctions(Napi::Env env, Napi::Object exports, AddonData* data) {
  Export(env, exports, "lockInit", LockInit, data);
  Export(env, exports, "lock", LockAcquire, data);
  Export(env, exports, "unlock", LockRelease, data);
  Export(env, exports, "lockLocked", LockLocked, data);
  Export(env, exports, "lockDepth", LockDepth, data);
  Export(env, exports, "lockAcquire", LockAcquireBoxed, data);
  Export(env, exports, "lockRelease", LockReleaseBoxed, data);
  Export(env, exports, "lockHandleFree", LockHandleFree, data);
  exports.Set("lockBox", Napi::ArrayBuffer::New(env, data->lock_box, sizeof(data->lock_box)));
  // Constants JS must agree on with this side: defined here, read there.
  exports.Set("LOCK_REGION_SIZE", Napi::Number::New(env, static_cast<double>(kLockRegionSize)));
  exports.Set("LOCK_REGION_ALIGN", Napi::Number::New(env, static_cast<double>(kLockRegionAlign)));
  exports.Set("LOCK_MAGIC", Napi::Number::New(env, static_cast<double>(kLockMagic)));
  exports.Set("LOCK_ACQUIRED", Napi::Number::New(env, kResultAcquired));
  exports.Set("LOCK_OWNER_DIED", Napi::Number::New(env, kResultOwnerDied));
  exports.Set("LOCK_NOT_ACQUIRED", Napi::Number::New(env, kResultNotAcquired));
  exports.Set("ROBUST_LOCKS", Napi::Boolean::New(env, RobustLocksSupported()));
}

}  // namespace sct
