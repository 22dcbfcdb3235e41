// POSIX locks: pthread mutexes with PTHREAD_PROCESS_SHARED and, where the
// platform has them, PTHREAD_MUTEX_ROBUST. Plain locks are ERRORCHECK so a
// thread re-locking its own lock gets EDEADLK instead of hanging forever.
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include <new>

#include "mutex.h"

// glibc declares PTHREAD_MUTEX_ROBUST as an enum constant, so `#ifdef` on it
// is always false there. Decide by platform: only macOS lacks robust mutexes.
#if defined(__APPLE__)
#define SCT_ROBUST 0
#else
#define SCT_ROBUST 1
#endif

namespace sct {
namespace {

static_assert(kLockImplOffset + sizeof(pthread_mutex_t) <= kLockRegionSize,
              "pthread_mutex_t does not fit the lock region");
static_assert(sizeof(LockHeader) <= kLockImplOffset, "lock header overlaps the mutex");

pthread_mutex_t* Impl(void* region) {
  return reinterpret_cast<pthread_mutex_t*>(static_cast<char*>(region) + kLockImplOffset);
}

Status LockFailure(int err, const char* call) {
  switch (err) {
    case EPERM: return Status::Os(ErrorKind::kLockNotOwner, err, call);
    case EDEADLK: return Status::Os(ErrorKind::kLockDeadlock, err, call);
#if SCT_ROBUST
    case ENOTRECOVERABLE: return Status::Os(ErrorKind::kLockNotRecoverable, err, call);
#endif
    case EINVAL: return Status::Os(ErrorKind::kLockInvalid, err, call);
    default: return Status::Os(ErrorKind::kLockSystem, err, call);
  }
}

// pthread_mutex_init with the attributes of a `kind` lock.
int InitImpl(pthread_mutex_t* m, LockKind kind) {
  pthread_mutexattr_t attr;
  int rc = pthread_mutexattr_init(&attr);
  if (rc != 0) return rc;
  rc = pthread_mutexattr_settype(
      &attr, kind == LockKind::kRecursive ? PTHREAD_MUTEX_RECURSIVE : PTHREAD_MUTEX_ERRORCHECK);
  if (rc == 0) rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
#if SCT_ROBUST
  if (rc == 0) rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
#endif
  if (rc == 0) rc = pthread_mutex_init(m, &attr);
  pthread_mutexattr_destroy(&attr);
  return rc;
}

void AddMs(struct timespec* ts, double ms) {
  const double whole = static_cast<double>(static_cast<long long>(ms / 1000.0));
  ts->tv_sec += static_cast<time_t>(whole);
  ts->tv_nsec += static_cast<long>((ms - whole * 1000.0) * 1e6);
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec += 1;
    ts->tv_nsec -= 1000000000L;
  }
}

#if defined(__APPLE__)
// macOS has no pthread_mutex_timedlock: poll with a short sleep.
int TimedLock(pthread_mutex_t* m, double ms) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  struct timespec deadline = now;
  AddMs(&deadline, ms);
  for (;;) {
    int rc = pthread_mutex_trylock(m);
    if (rc != EBUSY) return rc;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > deadline.tv_sec ||
        (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
      return ETIMEDOUT;
    struct timespec pause = {0, 200000};  // 0.2 ms
    nanosleep(&pause, nullptr);
  }
}
#else
int TimedLock(pthread_mutex_t* m, double ms) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30))
  // A monotonic deadline is immune to wall-clock jumps.
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  AddMs(&deadline, ms);
  return pthread_mutex_clocklock(m, CLOCK_MONOTONIC, &deadline);
#else
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  AddMs(&deadline, ms);
  return pthread_mutex_timedlock(m, &deadline);
#endif
}
#endif

// A contended lock is usually held for well under a microsecond (one JS
// access), while sleeping in the kernel and being woken costs microseconds on
// both sides. So a waiter first watches the lock word, with growing pauses
// between looks, and only then sleeps. The first pause is long on purpose:
// when two processes lock in a tight loop, every handover moves the lock's
// cache lines between cores (a few hundred ns), so a waiter that pounces on
// each brief release makes both slower; waiting ~0.4 us lets the holder run
// a batch of critical sections first. Tuned with `npm run bench` (locked
// increment, 2 and 4 processes: ~1.3-1.5x over looking after one pause;
// ~25 us of looks in all, then the kernel). One `pause` is ~25 ns on the
// AMD EPYC machines here, less on many Intel parts: the figures are in
// pauses, not time, and were measured on that hardware.
constexpr int kSpinFirstWait = 16;  // pauses before the first look
constexpr int kSpinMaxWait = 256;   // pauses between two looks, at most
constexpr int kSpinBudget = 1000;   // pauses in all before sleeping

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

inline bool LooksFree(pthread_mutex_t* m) {
#if defined(__GLIBC__)
  return __atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) == 0;
#else
  (void)m;
  return true;
#endif
}

// EBUSY if the lock stayed busy through the spin, else trylock's result.
int SpinTryLock(pthread_mutex_t* m) {
  int wait = kSpinFirstWait;
  for (int spent = 0; spent < kSpinBudget; spent += wait) {
    for (int i = 0; i < wait; ++i) CpuRelax();
    if (LooksFree(m)) {
      const int rc = pthread_mutex_trylock(m);
      if (rc != EBUSY) return rc;
    }
    if (wait < kSpinMaxWait) wait *= 2;
  }
  return EBUSY;
}

double MonotonicMs() {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) * 1000.0 + static_cast<double>(now.tv_nsec) / 1e6;
}

constexpr int kGaveUp = -1;  // not an errno

// The kernel sleep of Lock() with a WaitCheck: timed slices, the check asked
// between them. timeout_ms < 0 waits until acquired or told to stop.
int SlicedLock(pthread_mutex_t* m, double timeout_ms, const WaitCheck& check) {
  const double deadline = timeout_ms < 0 ? 0 : MonotonicMs() + timeout_ms;
  for (;;) {
    double slice = kWaitSliceMs;
    if (timeout_ms >= 0) {
      const double left = deadline - MonotonicMs();
      if (left <= 0) return ETIMEDOUT;
      if (left < slice) slice = left;
    }
    const int rc = TimedLock(m, slice);
    if (rc != ETIMEDOUT) return rc;
    if (!check.keep_waiting(check.ctx)) return kGaveUp;
  }
}

#if defined(__GLIBC__)
// The `__kind` word glibc gives a mutex made by Init() for `kind`.
int GlibcKindOf(LockKind kind) {
  pthread_mutex_t m;
  InitImpl(&m, kind);
  return m.__data.__kind;
}
// Worked out once, when the addon loads: CheckOsLock runs on every lock call.
const int kGlibcPlainKind = GlibcKindOf(LockKind::kPlain);
const int kGlibcRecursiveKind = GlibcKindOf(LockKind::kRecursive);
#endif

}  // namespace

bool RobustLocksSupported() { return SCT_ROBUST != 0; }

Mutex::~Mutex() = default;

Status Mutex::Init(LockKind kind) {
  BeginInit();
  int rc = InitImpl(Impl(region_), kind);
  if (rc != 0) return LockFailure(rc, "pthread_mutex_init");
  PublishInit(kind);
  return Status::Ok();
}

// The bytes of the pthread mutex come from shared memory any peer can write.
// glibc trusts its `__kind` word and asserts (aborting the process) on some
// values, e.g. a priority-protect kind: refuse any kind Init() does not make.
// A peer rewriting it between this check and the call can still do harm;
// that needs write access to the segment, which its 0600 mode limits.
Status Mutex::CheckOsLock() const {
#if defined(__GLIBC__)
  const LockKind kind = static_cast<LockKind>(header()->kind);
  const int expected = kind == LockKind::kRecursive ? kGlibcRecursiveKind : kGlibcPlainKind;
  if (Impl(region_)->__data.__kind != expected)
    return Status::Lib(ErrorKind::kLockInvalid, "the lock's OS mutex has been overwritten");
#endif
  return Status::Ok();
}

Status Mutex::Lock(double timeout_ms, Acquired* out, const WaitCheck* check) {
  Status valid = CheckUsable();
  if (!valid.ok()) return valid;
  pthread_mutex_t* m = Impl(region_);
  int rc = pthread_mutex_trylock(m);
  const char* call = "pthread_mutex_trylock";
  if (rc == EBUSY && timeout_ms != 0) {
    // Spinning on a lock this thread holds itself could never succeed.
    if (!HeldBySelf()) rc = SpinTryLock(m);
    if (rc == EBUSY && check != nullptr) {
      rc = SlicedLock(m, timeout_ms, *check);
      call = "pthread_mutex_timedlock";
      if (rc == kGaveUp) {
        *out = Acquired::kGaveUp;
        return Status::Ok();
      }
    } else if (rc == EBUSY && timeout_ms < 0) {
      rc = pthread_mutex_lock(m);
      call = "pthread_mutex_lock";
    } else if (rc == EBUSY) {
      rc = TimedLock(m, timeout_ms);
      call = "pthread_mutex_timedlock";
    }
  }
  bool owner_died = false;
  // A plain lock tried by its own holder is simply busy; blocking on it
  // would never end, so that case stays an EDEADLK error below.
  if (rc == EBUSY || rc == ETIMEDOUT || (rc == EDEADLK && timeout_ms == 0)) {
    *out = Acquired::kNo;
    return Status::Ok();
  }
#if SCT_ROBUST
  if (rc == EOWNERDEAD) {
    rc = pthread_mutex_consistent(m);
    if (rc != 0) return LockFailure(rc, "pthread_mutex_consistent");
    owner_died = true;
  }
#endif
  if (rc != 0) return LockFailure(rc, call);
  *out = NoteAcquired(owner_died);
  return Status::Ok();
}

Status Mutex::Unlock() {
  Status valid = CheckUsable();
  if (!valid.ok()) return valid;
  Status releasing = NoteReleasing();
  if (!releasing.ok()) return releasing;
  int rc = pthread_mutex_unlock(Impl(region_));
  if (rc != 0) return LockFailure(rc, "pthread_mutex_unlock");
  return Status::Ok();
}

Status Mutex::IsLocked(bool* out) {
  Status valid = CheckUsable();
  if (!valid.ok()) return valid;
  if (HeldBySelf()) {
    *out = true;
    return Status::Ok();
  }
  pthread_mutex_t* m = Impl(region_);
  int rc = pthread_mutex_trylock(m);
  if (rc == EBUSY) {
    *out = true;
    return Status::Ok();
  }
#if SCT_ROBUST
  if (rc == EOWNERDEAD) {
    rc = pthread_mutex_consistent(m);
    if (rc != 0) return LockFailure(rc, "pthread_mutex_consistent");
    NoteRecoveredByProbe();
  }
#endif
  if (rc != 0) return LockFailure(rc, "pthread_mutex_trylock");
  pthread_mutex_unlock(m);
  *out = false;
  return Status::Ok();
}

}  // namespace sct
