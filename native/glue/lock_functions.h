// The lock functions exported to JS, every one addressed by a lock handle
// (made by Segment.lockHandle(), see segment.h): lockInit, lock, unlock,
// lockLocked, lockDepth, lockHandleFree, and the hot pair
// lockAcquire/lockRelease (handle read from the lockBox ArrayBuffer); plus
// the constants JS shares with this side (lock region size and alignment,
// lock magic, lock() result codes).
#pragma once

#include <napi.h>

#include "addon_data.h"

namespace sct {

void ExportLockFunctions(Napi::Env env, Napi::Object exports, AddonData* data);

}  // namespace sct
