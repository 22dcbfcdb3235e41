// Per-environment table of the locks in use, each addressed by a small
// integer handle: the one way every lock call finds its lock. An entry owns
// the Mutex that one JS lock object uses for all its calls (on Windows that
// Mutex keeps the lock's kernel HANDLE, opened once) and retains the mapping
// the lock lives in, so the region pointer stays valid while the handle
// lives; Find refuses the handle once the segment was closed. One small
// integer is also the cheapest thing to pass from JS: the hot calls take it
// through the lock box (no argument to decode), and one function for every
// lock keeps V8's call to it direct (a call site that sees many different
// native functions is slow).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "mapping_ref.h"
#include "../platform/mutex.h"
#include "../platform/status.h"

namespace sct {

class LockTable {
 public:
  LockTable() = default;
  LockTable(const LockTable&) = delete;
  LockTable& operator=(const LockTable&) = delete;
  ~LockTable();

  // Registers the lock region at `offset` of `mapping` (the caller has checked
  // that the region lies inside it), retaining the mapping; returns its
  // handle, or -1 when the table is full.
  int32_t Add(MappingRef* mapping, size_t offset);
  // Forgets a handle; later calls with it fail. Unknown handles are ignored.
  void Remove(int32_t handle);
  // The lock of a live handle whose segment is still open, else nullptr and
  // the reason in `why`. Any int32 is safe to pass: a wrong handle (JS may
  // even have truncated a fraction into one) is refused or names a lock of
  // this environment, never memory outside a lock region.
  // Inline: it runs on every hot lock call.
  Mutex* Find(int32_t handle, Status* why);

 private:
  struct Entry {
    MappingRef* mapping = nullptr;
    // By value: no allocation per lock. A Mutex* from Find() is used within
    // one lock call, which never adds a handle (so never moves the entries).
    std::optional<Mutex> mutex;
    uint32_t generation = 0;
  };
  // Handle = generation << kIndexBits | index, kept below 2^30 so that V8
  // always passes it as a small integer.
  static constexpr unsigned kIndexBits = 20;
  static constexpr uint32_t kIndexMask = (1u << kIndexBits) - 1;
  static constexpr uint32_t kGenerationMask = (1u << (30 - kIndexBits)) - 1;
  Entry* Decode(int32_t handle);
  static Mutex* NotFound(const Entry* e, Status* why);

  std::vector<Entry> entries_;
  uint32_t count_ = 0;  // entries_.size(), kept apart to spare Decode a division
  std::vector<uint32_t> free_;
};

inline Mutex* LockTable::Find(int32_t handle, Status* why) {
  Entry* e = Decode(handle);
  if (e == nullptr || e->mapping->closed()) return NotFound(e, why);
  return &*e->mutex;
}

inline LockTable::Entry* LockTable::Decode(int32_t handle) {
  const uint32_t h = static_cast<uint32_t>(handle);
  const uint32_t index = h & kIndexMask;
  // A negative handle has its top bit set, which no generation has.
  if (index >= count_) return nullptr;
  Entry& e = entries_[index];
  if (e.mapping == nullptr || e.generation != (h >> kIndexBits)) return nullptr;
  return &e;
}

}  // namespace sct
