// Lock handles: making, freeing and refusing them (Find is inline in the header).
#include "lock_table.h"

namespace sct {

LockTable::~LockTable() {
  for (Entry& e : entries_) {
    e.mutex.reset();
    if (e.mapping != nullptr) e.mapping->Release();
  }
}

int32_t LockTable::Add(MappingRef* mapping, size_t offset) {
  uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    if (entries_.size() > kIndexMask) return -1;
    index = static_cast<uint32_t>(entries_.size());
    entries_.emplace_back();
    count_ = static_cast<uint32_t>(entries_.size());
  }
  Entry& e = entries_[index];
  mapping->Retain();  // the region pointer below stays valid until Remove()
  e.mapping = mapping;
  e.mutex.emplace(mapping->data() + offset);
  return static_cast<int32_t>((e.generation << kIndexBits) | index);
}

void LockTable::Remove(int32_t handle) {
  Entry* found = Decode(handle);
  if (found == nullptr) return;
  Entry& e = *found;
  e.mutex.reset();
  e.mapping->Release();
  e.mapping = nullptr;
  // A stale handle must not name the slot's next lock (until the counter wraps).
  e.generation = (e.generation + 1) & kGenerationMask;
  free_.push_back(static_cast<uint32_t>(handle) & kIndexMask);
}

Mutex* LockTable::NotFound(const Entry* e, Status* why) {
  *why = e == nullptr ? Status::Lib(ErrorKind::kInvalidArgValue, "unknown or released lock handle")
                      : Status::Lib(ErrorKind::kShmClosed, "the segment holding this lock was closed");
  return nullptr;
}

}  // namespace sct
