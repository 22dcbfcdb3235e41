// Lock glue in plain Node-API, skipping node-addon-api's wrappers and object
// unwrapping. lockAcquire()/lockRelease() run on every synchronized access:
// they take no arguments but a lock handle (see lock_table.h) that JS leaves
// in the lock box just before the call. The (segment id, offset) functions
// serve the colder calls: init, try/timed acquire, probes.
#include "lock_functions.h"

#include <new>

#include "errors.h"

namespace sct {
namespace {

// lock() results, mirrored in lib/native.ts.
constexpr int32_t kResultAcquired = 0;
constexpr int32_t kResultOwnerDied = 1;
constexpr int32_t kResultNotAcquired = 2;

// One lock call: its arguments and the lock they name. On POSIX the Mutex
// handle has no per-process state, so it is built in place and ended here.
struct Call {
  explicit Call(napi_env e) : env(e) {}
  ~Call() {
#ifndef _WIN32
    if (mutex != nullptr) mutex->~Mutex();
#endif
  }
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;
  napi_env env;
  size_t argc = 3;
  napi_value argv[3] = {nullptr, nullptr, nullptr};
  AddonData* addon = nullptr;
  SegmentTable* table = nullptr;
  MappingRef* mapping = nullptr;
  size_t offset = 0;
  Mutex* mutex = nullptr;
#ifndef _WIN32
  alignas(Mutex) unsigned char storage[sizeof(Mutex)];
#endif
};

// Decodes (segmentId, offset) and finds the lock region; on failure a JS
// error is pending and false is returned.
bool Resolve(Call* c, napi_callback_info info) {
  void* data = nullptr;
  if (napi_get_cb_info(c->env, info, &c->argc, c->argv, nullptr, &data) != napi_ok) return false;
  c->addon = static_cast<AddonData*>(data);
  c->table = c->addon->segments.get();
  double id = -1, offset = -1;
  if (c->argc < 2 || napi_get_value_double(c->env, c->argv[0], &id) != napi_ok ||
      napi_get_value_double(c->env, c->argv[1], &offset) != napi_ok) {
    PendStatus(c->env, Status::Lib(ErrorKind::kInvalidArgType, "lock functions take (segmentId, offset)"));
    return false;
  }
  MappingRef* mapping = c->table->Find(id);
  if (mapping == nullptr) {
    // close() frees the id at once (see Segment::CloseNow): still "closed".
    if (c->table->WasRemoved(id)) {
      PendStatus(c->env, Status::Lib(ErrorKind::kShmClosed, "the segment holding this lock was closed"),
                 "lock");
    } else {
      PendStatus(c->env, Status::Lib(ErrorKind::kInvalidArgValue, "unknown or released segment id"));
    }
    return false;
  }
  if (mapping->closed()) {
    PendStatus(c->env, Status::Lib(ErrorKind::kShmClosed, "the segment holding this lock was closed"),
               "lock");
    return false;
  }
  if (!(offset >= 0) || offset > 9007199254740991.0 ||
      static_cast<double>(static_cast<uint64_t>(offset)) != offset ||
      static_cast<uint64_t>(offset) % kLockRegionAlign != 0) {
    PendStatus(c->env, Status::Lib(ErrorKind::kOutOfRange, "lock offset must be a non-negative multiple of 64"));
    return false;
  }
  if (mapping->size() < kLockRegionSize ||
      offset > static_cast<double>(mapping->size() - kLockRegionSize)) {
    PendStatus(c->env, Status::Lib(ErrorKind::kOutOfRange, "lock region lies outside the segment"));
    return false;
  }
  c->mapping = mapping;
  c->offset = static_cast<size_t>(offset);
#ifdef _WIN32
  c->mutex = c->table->MutexFor(id, static_cast<size_t>(offset));
#else
  // POSIX handles carry no per-process state: build one in place.
  c->mutex = new (c->storage) Mutex(mapping->data() + static_cast<size_t>(offset));
#endif
  return c->mutex != nullptr;
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

// lockInit(id, offset, recursive)
napi_value LockInit(napi_env env, napi_callback_info info) {
  Call c(env);
  if (!Resolve(&c, info)) return nullptr;
  bool recursive = false;
  if (c.argc < 3 || napi_get_value_bool(env, c.argv[2], &recursive) != napi_ok)
    return PendStatus(env, Status::Lib(ErrorKind::kInvalidArgType, "recursive must be a boolean"));
  Status st = c.mutex->Init(recursive ? LockKind::kRecursive : LockKind::kPlain);
  if (!st.ok()) return PendStatus(env, st, "cannot initialise lock");
  return nullptr;
}

// lock(id, offset, timeoutMs?) -> 0 acquired, 1 acquired after owner death,
// 2 not acquired. Omitted/undefined or negative blocks; 0 tries once.
napi_value LockAcquire(napi_env env, napi_callback_info info) {
  Call c(env);
  if (!Resolve(&c, info)) return nullptr;
  double timeout = -1;
  if (c.argc >= 3) {
    napi_valuetype type;
    napi_typeof(env, c.argv[2], &type);
    if (type == napi_number) {
      napi_get_value_double(env, c.argv[2], &timeout);
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

// unlock(id, offset)
napi_value LockRelease(napi_env env, napi_callback_info info) {
  Call c(env);
  if (!Resolve(&c, info)) return nullptr;
  Status st = c.mutex->Unlock();
  if (!st.ok()) return PendStatus(env, st, "cannot release lock");
  return nullptr;
}

// lockLocked(id, offset) -> held by anyone?
napi_value LockLocked(napi_env env, napi_callback_info info) {
  Call c(env);
  if (!Resolve(&c, info)) return nullptr;
  bool locked = false;
  Status st = c.mutex->IsLocked(&locked);
  if (!st.ok()) return PendStatus(env, st, "cannot query lock");
  return Bool(env, locked);
}

// lockDepth(id, offset) -> this thread's recursion depth (0: not the holder)
napi_value LockDepth(napi_env env, napi_callback_info info) {
  Call c(env);
  if (!Resolve(&c, info)) return nullptr;
  return Int(env, static_cast<int32_t>(c.mutex->HeldDepth()));
}

// lockHandle(id, offset) -> a handle for lockAcquire/lockRelease.
napi_value LockHandle(napi_env env, napi_callback_info info) {
  Call c(env);
  if (!Resolve(&c, info)) return nullptr;
  const int32_t handle = c.addon->locks.Add(c.mapping, c.offset);
  if (handle < 0) return PendStatus(env, Status::Lib(ErrorKind::kLockSystem, "too many locks in use"), "lock");
  return Int(env, handle);
}

// Reads the handle in the only argument; false if there is none.
bool HandleOf(napi_env env, napi_callback_info info, int32_t* handle, AddonData** addon) {
  size_t argc = 1;
  napi_value arg = nullptr;
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &argc, &arg, nullptr, &data) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, arg, handle) != napi_ok)
    return false;
  *addon = static_cast<AddonData*>(data);
  return true;
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

// lockAcquire() -> undefined, or 1 when a dead holder's lock was recovered.
// Blocks; try and timed acquires go through lock().
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

// lockHandleFree(handle): idempotent; anything but a handle is ignored.
napi_value LockHandleFree(napi_env env, napi_callback_info info) {
  int32_t handle = -1;
  AddonData* addon = nullptr;
  if (HandleOf(env, info, &handle, &addon)) addon->locks.Remove(handle);
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
  Export(env, exports, "lockHandle", LockHandle, data);
  Export(env, exports, "lockAcquire", LockAcquireBoxed, data);
  Export(env, exports, "lockRelease", LockReleaseBoxed, data);
  Export(env, exports, "lockHandleFree", LockHandleFree, data);
  exports.Set("lockBox", Napi::ArrayBuffer::New(env, data->lock_box, sizeof(data->lock_box)));
  exports.Set("LOCK_REGION_SIZE", Napi::Number::New(env, static_cast<double>(kLockRegionSize)));
  exports.Set("LOCK_REGION_ALIGN", Napi::Number::New(env, static_cast<double>(kLockRegionAlign)));
  exports.Set("ROBUST_LOCKS", Napi::Boolean::New(env, RobustLocksSupported()));
}

}  // namespace sct
