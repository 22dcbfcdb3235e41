// fillRange(typedArray, from, to, pattern): TypedArray.prototype.fill at store
// bandwidth for big ranges, exported to JS.
#pragma once

#include <napi.h>

namespace sct {

void ExportFill(Napi::Env env, Napi::Object exports);

}  // namespace sct
