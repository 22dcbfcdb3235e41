// Per-environment state of the addon (one per main thread or worker).
#pragma once

#include <napi.h>

#include <memory>

#include "lock_table.h"
#include "segment_table.h"

namespace sct {

struct AddonData {
  Napi::FunctionReference segment_ctor;
  // Shared with every Segment: finalizers may run after this struct is gone.
  std::shared_ptr<SegmentTable> segments = std::make_shared<SegmentTable>();
  // Lock handles; only JS calls use them, so they end with the environment.
  LockTable locks;
};

// Tags let us refuse a foreign object passed where ours is expected.
extern const napi_type_tag kSegmentTag;

// Reads a JS number that must be an integer in [min, max] (both <= 2^53).
double IntegerArg(const Napi::CallbackInfo& info, size_t index, const char* what, double min,
                  double max);

}  // namespace sct
