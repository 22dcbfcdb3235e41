// The lock functions exported to JS: lockInit, lock, unlock, lockLocked,
// lockDepth and lockHandle, each taking (segmentId, offset, ...), and the hot
// pair lockAcquire/lockRelease (handle read from the lockBox ArrayBuffer) plus
// lockHandleFree(handle).
#pragma once

#include <napi.h>

#include <memory>

#include "addon_data.h"

namespace sct {

void ExportLockFunctions(Napi::Env env, Napi::Object exports, AddonData* data);

}  // namespace sct
