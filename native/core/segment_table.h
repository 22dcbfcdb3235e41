// Per-environment table of open segments, addressed by a numeric id. The lock
// functions take (id, offset) instead of a wrapped object because unwrapping
// an object costs more than the lock itself; a stale id is detected by its
// generation and refused.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>
#ifdef _WIN32
#include <unordered_map>
#endif

#include "mapping_ref.h"
#include "../platform/mutex.h"

namespace sct {

class SegmentTable {
 public:
  SegmentTable() = default;
  SegmentTable(const SegmentTable&) = delete;
  SegmentTable& operator=(const SegmentTable&) = delete;
  ~SegmentTable();

  // Retains `m`; returns the id JS uses (an integer below 2^53).
  double Add(MappingRef* m);
  // Releases the entry; later lookups of `id` fail.
  void Remove(double id);
  // The mapping for a live id, or nullptr.
  MappingRef* Find(double id) const;
  // `id` was handed out and has been removed since (its segment was closed).
  bool WasRemoved(double id) const;

#ifdef _WIN32
  // Windows locks hold a per-process handle; keep one per lock region.
  Mutex* MutexFor(double id, size_t offset);
#endif

 private:
  struct Entry {
    MappingRef* mapping = nullptr;
    uint32_t generation = 1;
#ifdef _WIN32
    std::unordered_map<size_t, std::unique_ptr<Mutex>> mutexes;
#endif
  };
  static constexpr unsigned kIndexBits = 20;  // 2^20 entries at most
  static constexpr uint64_t kIndexSpanInt = uint64_t{1} << kIndexBits;
  static constexpr double kIndexSpan = static_cast<double>(kIndexSpanInt);
  bool Decode(double id, size_t* index) const;

  std::vector<Entry> entries_;
  std::vector<size_t> free_;
};

}  // namespace sct
