// Addon entry point: registers the JS classes and functions and nothing else.
#include <napi.h>

#include "addon_data.h"
#include "lock_functions.h"
#include "owned.h"
#include "segment.h"
#include "typed_array_fill.h"

namespace sct {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData(env);
  env.SetInstanceData<AddonData>(data);  // deleted with the environment
  Napi::Function segment = Segment::Define(env);
  data->segment_ctor = Napi::Persistent(segment);
  exports.Set("Segment", segment);
  ExportLockFunctions(env, exports, data);
  ExportFill(env, exports);
  ExportOwnedFunctions(env, exports);
  return exports;
}

}  // namespace sct

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return sct::Init(env, exports); }

NODE_API_MODULE(sharedctypes, InitAddon)
