// Segment ids for the lock functions.
#include "segment_table.h"

namespace sct {

SegmentTable::~SegmentTable() {
  for (Entry& e : entries_) {
    if (e.mapping != nullptr) e.mapping->Release();
  }
}

double SegmentTable::Add(MappingRef* m) {
  size_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    index = entries_.size();
    if (static_cast<double>(index) >= kIndexSpan) return -1;
    entries_.emplace_back();
  }
  m->Retain();
  entries_[index].mapping = m;
  return static_cast<double>(entries_[index].generation) * kIndexSpan + static_cast<double>(index);
}

bool SegmentTable::Decode(double id, size_t* index) const {
  // Integer math only: this runs on every lock call.
  if (!(id >= 0) || id > 9007199254740991.0) return false;
  const uint64_t v = static_cast<uint64_t>(id);
  if (static_cast<double>(v) != id) return false;
  const uint64_t idx = v & (kIndexSpanInt - 1);
  if (idx >= entries_.size()) return false;
  const Entry& e = entries_[idx];
  if (e.mapping == nullptr || e.generation != (v >> kIndexBits)) return false;
  *index = static_cast<size_t>(idx);
  return true;
}

void SegmentTable::Remove(double id) {
  size_t index;
  if (!Decode(id, &index)) return;
  Entry& e = entries_[index];
#ifdef _WIN32
  e.mutexes.clear();
#endif
  e.mapping->Release();
  e.mapping = nullptr;
  e.generation += 1;
  free_.push_back(index);
}

bool SegmentTable::WasRemoved(double id) const {
  // Each removal bumps its slot's generation: an older one was removed.
  if (!(id >= 0) || id > 9007199254740991.0) return false;
  const uint64_t v = static_cast<uint64_t>(id);
  if (static_cast<double>(v) != id) return false;
  const uint64_t idx = v & (kIndexSpanInt - 1);
  return idx < entries_.size() && (v >> kIndexBits) < entries_[idx].generation;
}

MappingRef* SegmentTable::Find(double id) const {
  size_t index;
  return Decode(id, &index) ? entries_[index].mapping : nullptr;
}

#ifdef _WIN32
Mutex* SegmentTable::MutexFor(double id, size_t offset) {
  size_t index;
  if (!Decode(id, &index)) return nullptr;
  Entry& e = entries_[index];
  auto it = e.mutexes.find(offset);
  if (it != e.mutexes.end()) return it->second.get();
  auto* m = new Mutex(e.mapping->data() + offset);
  e.mutexes.emplace(offset, std::unique_ptr<Mutex>(m));
  return m;
}
#endif

}  // namespace sct
