// A mapping shared by the JS objects that point into it (the Segment, its
// ArrayBuffer, lock handles). Memory is unmapped on explicit close() or when
// the last holder lets go, whichever comes first; the struct itself lives
// until the last holder lets go, so holders can always ask `closed()`.
#pragma once

#include <atomic>

#include "../platform/held_mappings.h"
#include "../platform/shm.h"

namespace sct {

class MappingRef {
 public:
  explicit MappingRef(const Mapping& m) : mapping_(m) {}
  MappingRef(const MappingRef&) = delete;
  MappingRef& operator=(const MappingRef&) = delete;

  void Retain() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Release() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      Unmap();
      delete this;
    }
  }
  void Unmap() {
    if (!closed_) {
      // Not while this thread holds a lock in it: see held_mappings.h.
      UnmapUnlessHeld(&mapping_);
      closed_ = true;
    }
  }
  bool closed() const { return closed_; }
  char* data() const { return static_cast<char*>(mapping_.addr); }
  size_t size() const { return mapping_.size; }
  const std::string& identity() const { return mapping_.identity; }

 private:
  ~MappingRef() = default;
  Mapping mapping_;
  std::atomic<int> refs_{1};
  bool closed_ = false;
};

}  // namespace sct
