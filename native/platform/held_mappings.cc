// See held_mappings.h. Linux only: Windows reports an abandoned mutex without
// our memory (it is a kernel object), and macOS has no robust locks.
#include "held_mappings.h"

#if defined(__linux__)
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>
#include <vector>
#endif

namespace sct {
namespace {

#if defined(__linux__)

// Reads a word that may not be mapped (a list link stored in shared memory,
// which a peer can overwrite): EFAULT instead of a crash.
bool ReadWord(uintptr_t at, uintptr_t* out) {
  struct iovec local = {out, sizeof *out};
  struct iovec remote = {reinterpret_cast<void*>(at), sizeof *out};
  return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == static_cast<ssize_t>(sizeof *out);
}

constexpr int kMaxListWalk = 2048;  // the kernel gives up after as many (ROBUST_LIST_LIMIT)

// Does this thread's robust list (the kernel's record of the robust mutexes
// the thread holds, kept by libc) have an entry in [addr, addr + size)? When
// that cannot be told, says yes: keeping a mapping costs only address space.
bool HoldsRobustLockIn(const Mapping& m) {
  struct robust_list_head* head = nullptr;
  size_t len = 0;
  // No list registered (or the call refused): the kernel recovers nothing at
  // thread exit anyway, so there is nothing to protect.
  if (syscall(SYS_get_robust_list, 0, &head, &len) != 0 || head == nullptr) return false;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(m.addr);
  const uintptr_t end = begin + m.size;
  auto inside = [&](uintptr_t p) { return p >= begin && p < end; };
  // The head is libc's, in this thread's own descriptor; entries point into
  // the mutexes (bit 0 flags a priority-inheritance lock).
  if (inside(reinterpret_cast<uintptr_t>(head->list_op_pending) & ~uintptr_t{1})) return true;
  const uintptr_t stop = reinterpret_cast<uintptr_t>(&head->list);
  uintptr_t p = reinterpret_cast<uintptr_t>(head->list.next) & ~uintptr_t{1};
  for (int n = 0; n < kMaxListWalk; ++n) {
    if (p == stop) return false;
    if (inside(p)) return true;
    uintptr_t next = 0;
    if (!ReadWord(p, &next)) return true;
    p = next & ~uintptr_t{1};
  }
  return true;  // a loop, or more locks than the kernel would walk
}

struct Kept {
  Mapping mapping;
  pid_t tid;
};

// Process-wide: a worker's mappings outlive its environment. Never destroyed,
// so a thread still running at process exit cannot find it gone.
std::mutex& KeptMutex() {
  static auto* m = new std::mutex();
  return *m;
}
std::vector<Kept>& KeptList() {
  static auto* v = new std::vector<Kept>();
  return *v;
}

// The kernel has walked a thread's robust list by the time the thread is
// gone (it does so early in the exit). A tid reused by a new thread of ours
// only delays the unmap.
bool ThreadGone(pid_t tid) { return syscall(SYS_tgkill, getpid(), tid, 0) != 0 && errno == ESRCH; }

// Unmaps what was kept for threads that have ended. Caller holds KeptMutex().
void SweepKept(std::vector<Kept>* kept) {
  for (size_t i = 0; i < kept->size();) {
    if (ThreadGone((*kept)[i].tid)) {
      ShmUnmap(&(*kept)[i].mapping);
      (*kept)[i] = kept->back();
      kept->pop_back();
    } else {
      ++i;
    }
  }
}

#endif  // __linux__

}  // namespace

void UnmapUnlessHeld(Mapping* m) {
#if defined(__linux__)
  std::lock_guard<std::mutex> guard(KeptMutex());
  std::vector<Kept>& kept = KeptList();
  if (!kept.empty()) SweepKept(&kept);
  if (m->addr != nullptr && HoldsRobustLockIn(*m)) {
    kept.push_back({*m, static_cast<pid_t>(syscall(SYS_gettid))});
    m->addr = nullptr;
    m->size = 0;
    return;
  }
#endif
  ShmUnmap(m);
}

size_t KeptMappings() {
#if defined(__linux__)
  std::lock_guard<std::mutex> guard(KeptMutex());
  return KeptList().size();
#else
  return 0;
#endif
}

}  // namespace sct
