// Process-shared, robust mutexes living in a fixed-size region inside a
// segment. Implemented per OS in mutex_posix.cc and mutex_win.cc. The region
// is shared (and so untrusted) memory; a Mutex object is this thread's handle.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "status.h"

namespace sct {

// Bytes and alignment a lock needs inside a segment; the TS layout reserves
// exactly this (kept in one place, exported to JS).
constexpr size_t kLockRegionSize = 128;
constexpr size_t kLockRegionAlign = 64;

enum class LockKind : uint32_t { kPlain = 1, kRecursive = 2 };

enum class Acquired {
  kYes,        // acquired normally
  kOwnerDied,  // acquired, but the previous holder died holding it
  kNo,         // try failed / timed out
  kGaveUp,     // a WaitCheck said to stop waiting (not acquired)
};

// Asked between the slices of a wait that sleeps in the kernel (never on the
// uncontended or spinning paths): false ends the wait without the lock. A
// sleeping pthread_mutex_lock cannot be interrupted, so without this a
// worker blocked on a lock could not be terminated until the lock came free.
struct WaitCheck {
  bool (*keep_waiting)(void* ctx);
  void* ctx;
};
// Longest sleep between two checks: bounds how late a terminate() is noticed.
constexpr int kWaitSliceMs = 25;

// Shared bookkeeping at the start of every lock region. Only the holder
// writes depth and owner; `recovered` carries an owner death found by a
// locked() probe over to the next acquirer so the event is never hidden.
struct LockHeader {
  uint32_t magic;
  uint32_t kind;
  uint32_t depth;
  uint32_t recovered;
  uint64_t owner;  // (pid << 32) | thread id of the holder, 0 when free
  uint64_t reserved;
};
constexpr uint32_t kLockMagic = 0x4c544353;  // "SCTL"
// The OS object gets the second cache line to itself: waiters poll it, and
// the holder's header writes should not have to win the line back each time.
constexpr size_t kLockImplOffset = 64;

// Atomic access to fields of shared memory that other processes write.
template <typename T>
inline std::atomic<T>* AtomicAt(T* p) {
  static_assert(sizeof(std::atomic<T>) == sizeof(T) && std::atomic<T>::is_always_lock_free,
                "lock header fields must be lock-free atomics");
  return reinterpret_cast<std::atomic<T>*>(p);
}

// True when owner death is detected on this platform (false on macOS).
bool RobustLocksSupported();

// Identity of the calling thread, as stored in LockHeader::owner.
uint64_t SelfId();

class Mutex {
 public:
  // A handle is made and used on one thread (a Node environment's), so the
  // holder id is read once here rather than from thread-local storage per call.
  explicit Mutex(void* region) : region_(region), self_(SelfId()) {}
  ~Mutex();
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  // Movable, so that a table can hold its Mutexes by value (no allocation per
  // lock); any OS handle moves along.
  Mutex(Mutex&& other) noexcept;
  Mutex& operator=(Mutex&&) = delete;

  // Writes a fresh lock into the region (the creator does this once).
  Status Init(LockKind kind);
  // timeout_ms < 0: block; == 0: try; > 0: wait at most that long. With a
  // check, a kernel sleep is cut into kWaitSliceMs slices, asking it between.
  Status Lock(double timeout_ms, Acquired* out, const WaitCheck* check = nullptr);
  Status Unlock();
  // Held by anyone (including this thread)? A probe, racy by nature.
  Status IsLocked(bool* out);
  // Depth of this thread's hold (0 if not the holder).
  uint32_t HeldDepth() const;

 private:
  LockHeader* header() const { return static_cast<LockHeader*>(region_); }
  // A lock was initialised here and its OS bytes look like ours: asked before
  // every operation, since a peer may have overwritten the region since.
  Status CheckUsable() const;
  // The platform part of that check (POSIX: the pthread mutex kind).
  Status CheckOsLock() const;

  // Init brackets the OS-specific setup: hide the lock, then publish it.
  void BeginInit();
  void PublishInit(LockKind kind);

  // Holder bookkeeping in the shared header, the same on every OS (inline below;
  // init and probe recovery in mutex_common.cc).
  bool HeldBySelf() const;
  // Just acquired the OS lock: records this thread as holder and says whether
  // a dead holder's death (found now or by an earlier probe) must be reported.
  Acquired NoteAcquired(bool owner_died);
  // About to release the OS lock: refuses a non-holder, else drops one level.
  Status NoteReleasing();
  // A locked() probe recovered a dead holder's lock: forget the dead holder
  // and leave the news for the next acquirer.
  void NoteRecoveredByProbe();

  void* region_;
  const uint64_t self_;
#ifdef _WIN32
  Status OpenHandle();
  void* handle_ = nullptr;  // named mutex HANDLE, opened on first use
#endif
};

inline Mutex::Mutex(Mutex&& other) noexcept : region_(other.region_), self_(other.self_) {
#ifdef _WIN32
  handle_ = other.handle_;
  other.handle_ = nullptr;
#endif
}

// Holder bookkeeping in the shared header, the same on every OS. Inline: it
// runs on every lock and unlock, where a call per step shows in the bench.
inline Status Mutex::CheckUsable() const {
  const LockHeader* h = header();
  const uint32_t magic = AtomicAt(const_cast<uint32_t*>(&h->magic))->load(std::memory_order_acquire);
  if (magic != kLockMagic || (h->kind != static_cast<uint32_t>(LockKind::kPlain) &&
                              h->kind != static_cast<uint32_t>(LockKind::kRecursive)))
    return Status::Lib(ErrorKind::kLockInvalid, "no initialised lock at this location");
  return CheckOsLock();
}

inline bool Mutex::HeldBySelf() const {
  const LockHeader* h = header();
  return AtomicAt(const_cast<uint64_t*>(&h->owner))->load(std::memory_order_relaxed) == self_ &&
         h->depth > 0;
}

inline uint32_t Mutex::HeldDepth() const { return HeldBySelf() ? header()->depth : 0; }

inline Acquired Mutex::NoteAcquired(bool owner_died) {
  LockHeader* h = header();
  if (owner_died) h->depth = 0;  // the dead holder's depth is meaningless now
  if (h->recovered != 0) {
    h->recovered = 0;
    owner_died = true;
  }
  h->depth += 1;
  AtomicAt(&h->owner)->store(self_, std::memory_order_relaxed);
  return owner_died ? Acquired::kOwnerDied : Acquired::kYes;
}

inline Status Mutex::NoteReleasing() {
  if (!HeldBySelf()) return Status::Lib(ErrorKind::kLockNotOwner, "lock is not held by this thread");
  LockHeader* h = header();
  const uint32_t depth = h->depth - 1;
  h->depth = depth;
  if (depth == 0) AtomicAt(&h->owner)->store(0, std::memory_order_relaxed);
  return Status::Ok();
}

}  // namespace sct
