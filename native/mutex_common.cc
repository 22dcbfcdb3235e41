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

uint32_t Mutex::HeldDepth() const {
  const LockHeader* h = header();
  if (AtomicAt(const_cast<uint64_t*>(&h->owner))->load(std::memory_order_relaxed) != SelfId()) return 0;
  return h->depth;
}

}  // namespace sct
