// The lock functions exported to JS: lockInit, lock, unlock, lockLocked,
// lockDepth, each taking (segmentId, offset, ...).
#pragma once

#include <napi.h>

#include <memory>

#include "segment_table.h"

namespace sct {

void ExportLockFunctions(Napi::Env env, Napi::Object exports, SegmentTable* table);

}  // namespace sct
