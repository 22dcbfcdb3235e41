// Lock bookkeeping shared by every platform that is not on the hot path (the
// per-call part is inline in mutex.h): thread identity, init, probe recovery.
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

void Mutex::NoteRecoveredByProbe() {
  LockHeader* h = header();
  h->depth = 0;
  AtomicAt(&h->owner)->store(0, std::memory_order_relaxed);
  h->recovered = 1;
}

}  // namespace sct
