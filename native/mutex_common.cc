// Lock bookkeeping shared by every platform.
#include "mutex.h"

#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#elif defined(__APPLE__)
#include <pthread.h>
#include <unistd.h>
#else
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace sct {

uint64_t SelfId() {
  // Cached per thread: the id is asked for on every lock and unlock.
  static thread_local uint64_t id = 0;
  if (id == 0) {
#if defined(_WIN32)
    id = (static_cast<uint64_t>(GetCurrentProcessId()) << 32) | GetCurrentThreadId();
#elif defined(__APPLE__)
    uint64_t tid = 0;
    pthread_threadid_np(nullptr, &tid);
    id = (static_cast<uint64_t>(getpid()) << 32) | (tid & 0xffffffffu);
#else
    id = (static_cast<uint64_t>(getpid()) << 32) |
         (static_cast<uint64_t>(syscall(SYS_gettid)) & 0xffffffffu);
#endif
  }
  return id;
}

Status Mutex::CheckInitialised() const {
  const LockHeader* h = header();
  const uint32_t magic = AtomicAt(const_cast<uint32_t*>(&h->magic))->load(std::memory_order_acquire);
  if (magic != kLockMagic || (h->kind != static_cast<uint32_t>(LockKind::kPlain) &&
                              h->kind != static_cast<uint32_t>(LockKind::kRecursive)))
    return Status::Lib(ErrorKind::kLockInvalid, "no initialised lock at this location");
  return Status::Ok();
}

void Mutex::BeginInit() { AtomicAt(&header()->magic)->store(0, std::memory_order_relaxed); }

void Mutex::PublishInit(LockKind kind) {
  LockHeader* h = header();
  h->kind = static_cast<uint32_t>(kind);
  h->depth = 0;
  h->recovered = 0;
  h->owner = 0;
  h->reserved = 0;
  // Publish last: a peer that sees the magic sees a complete lock.
  AtomicAt(&h->magic)->store(kLockMagic, std::memory_order_release);
}

bool Mutex::HeldBySelf() const {
  const LockHeader* h = header();
  return AtomicAt(const_cast<uint64_t*>(&h->owner))->load(std::memory_order_relaxed) == SelfId() &&
         h->depth > 0;
}

uint32_t Mutex::HeldDepth() const { return HeldBySelf() ? header()->depth : 0; }

Acquired Mutex::NoteAcquired(bool owner_died) {
  LockHeader* h = header();
  if (owner_died) h->depth = 0;  // the dead holder's depth is meaningless now
  if (h->recovered != 0) {
    h->recovered = 0;
    owner_died = true;
  }
  h->depth += 1;
  AtomicAt(&h->owner)->store(SelfId(), std::memory_order_relaxed);
  return owner_died ? Acquired::kOwnerDied : Acquired::kYes;
}

Status Mutex::NoteReleasing() {
  if (!HeldBySelf()) return Status::Lib(ErrorKind::kLockNotOwner, "lock is not held by this thread");
  LockHeader* h = header();
  const uint32_t depth = h->depth - 1;
  h->depth = depth;
  if (depth == 0) AtomicAt(&h->owner)->store(0, std::memory_order_relaxed);
  return Status::Ok();
}

void Mutex::NoteRecoveredByProbe() {
  LockHeader* h = header();
  h->depth = 0;
  AtomicAt(&h->owner)->store(0, std::memory_order_relaxed);
  h->recovered = 1;
}

}  // namespace sct
