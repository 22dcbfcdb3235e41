// Addon entry point: registers the JS classes and functions and nothing else.
#include <napi.h>

#include "../platform/shm.h"
#include "addon_data.h"
#include "errors.h"
#include "lock_functions.h"
#include "owned.h"
#include "segment.h"
#include "typed_array_fill.h"
#include "../platform/header_format.h"

namespace sct {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData(env);
  env.SetInstanceData<AddonData>(data);  // deleted with the environment
  Napi::Function segment = Segment::Define(env, data);
  data->segment_ctor = Napi::Persistent(segment);
  exports.Set("Segment", segment);
  // A JS function, not a native one: entering it runs V8's interrupt check,
  // where a pending termination shows.
  napi_value source = nullptr, probe = nullptr;
  if (napi_create_string_utf8(env, "(function sharedctypesAlive() {})", NAPI_AUTO_LENGTH, &source) == napi_ok &&
      napi_run_script(env, source, &probe) == napi_ok)
    data->alive_probe = Napi::Persistent(Napi::Function(env, probe));
  ExportErrorFunctions(env, exports);
  ExportLockFunctions(env, exports, data);
  ExportFill(env, exports);
  ExportOwnedFunctions(env, exports);
  // The header facts the watchdog relies on, so the TS codec writes exactly these.
  exports.Set("SEGMENT_MAGIC", Napi::String::New(env, SCT_MAGIC, SCT_MAGIC_BYTES));
  exports.Set("HEADER_CREATOR_PID_OFFSET", Napi::Number::New(env, SCT_OFF_CREATOR_PID));
  exports.Set("MAX_NAME_BYTES", Napi::Number::New(env, static_cast<double>(kMaxNameBytes)));
  return exports;
}

}  // namespace sct

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return sct::Init(env, exports); }

NODE_API_MODULE(sharedctypes, InitAddon)
