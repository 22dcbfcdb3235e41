// Per-environment state of the addon (one per main thread or worker).
#pragma once

#include <napi.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "../core/lock_table.h"

namespace sct {

// Int32 slots of AddonData::lock_box: [0] the lock handle of the next call.
constexpr size_t kLockBoxSlots = 2;

struct AddonData {
  explicit AddonData(napi_env e);
  ~AddonData();
  AddonData(const AddonData&) = delete;
  AddonData& operator=(const AddonData&) = delete;

  const napi_env env;
  Napi::FunctionReference segment_ctor;
  // The classes native errors are made of (errors.cc), from the realm that
  // loaded lib/: SharedCtypesError, TypeError, RangeError. Empty until
  // setErrorClasses(); errors are plain ones with a `code` until then.
  Napi::FunctionReference library_error;
  Napi::FunctionReference type_error;
  Napi::FunctionReference range_error;
  // A trivial JS function: calling it fails once the environment is being
  // torn down (worker.terminate(), process.exit() in a worker), which is how
  // a long lock wait learns to stop. Empty if it could not be made.
  Napi::FunctionReference alive_probe;
  // Lock handles, made by Segment.lockHandle() and used by every lock call.
  // Only JS calls use them (never a finalizer), so they end with the environment.
  LockTable locks;
  // Where JS puts the handle for the hot lockAcquire()/lockRelease() calls,
  // which then take no arguments (decoding one costs more than the lock).
  // Exposed as an external ArrayBuffer: our memory, so a detached or
  // transferred view can never free it under us.
  alignas(64) int32_t lock_box[kLockBoxSlots] = {};
};

// The first environment to load the addon (normally the main thread's) and
// its data, so that the hot lock calls find their AddonData without asking
// Node (that costs about a tenth of a lock round trip). `primary_env` is
// published after `primary_data` and cleared before it.
extern std::atomic<napi_env> primary_env;
extern std::atomic<AddonData*> primary_data;

// The AddonData of the environment making this call, whose functions were
// created with it as their data.
inline AddonData* AddonOf(napi_env env, napi_callback_info info) {
  // Only env's own thread runs its calls and its teardown, so a match means
  // the data is alive.
  if (env == primary_env.load(std::memory_order_acquire)) return primary_data.load(std::memory_order_relaxed);
  size_t argc = 0;
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &argc, nullptr, nullptr, &data) != napi_ok) return nullptr;
  return static_cast<AddonData*>(data);
}

// Tags let us refuse a foreign object passed where ours is expected.
extern const napi_type_tag kSegmentTag;

// Reads a JS number that must be an integer in [min, max] (both <= 2^53).
double IntegerArg(const Napi::CallbackInfo& info, size_t index, const char* what, double min,
                  double max);

}  // namespace sct
