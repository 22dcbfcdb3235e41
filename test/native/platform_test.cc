// The platform layer (native/platform/: segments, process-shared robust
// mutexes, mappings kept for held locks) tested as plain C++17, without Node:
// every check the addon's correctness rests on, across real processes made
// with fork(). Built and run by scripts/platform-test.sh; test/platform.test.ts
// runs that script under jest and requires every check below to be reported.
//
//   platform_test <name-prefix>
//
// Every segment is named <name-prefix>-<what>, and all of them are unlinked
// before the program ends, whatever failed (the last check proves it). Each
// check prints one line, "ok <id>" or "FAIL <id>: <what went wrong>"; the exit
// status is 0 only if every check passed.
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "../../native/platform/held_mappings.h"
#include "../../native/platform/mutex.h"
#include "../../native/platform/shm.h"
#include "../../native/platform/status.h"
#include "../../native/platform/header_format.h"
#include "../../native/platform/watchdog_client.h"

namespace {

using sct::Acquired;
using sct::ErrorKind;
using sct::LockKind;
using sct::Mapping;
using sct::Mutex;
using sct::Status;

std::string g_prefix;
std::vector<std::string> g_created;  // every name this run may have made, unlinked at the end
int g_failed = 0;

const char* KindName(ErrorKind k) {
  switch (k) {
    case ErrorKind::kOk: return "kOk";
    case ErrorKind::kShmExists: return "kShmExists";
    case ErrorKind::kShmNotFound: return "kShmNotFound";
    case ErrorKind::kShmPermission: return "kShmPermission";
    case ErrorKind::kShmNoSpace: return "kShmNoSpace";
    case ErrorKind::kShmMapLimit: return "kShmMapLimit";
    case ErrorKind::kShmInvalidName: return "kShmInvalidName";
    case ErrorKind::kShmClosed: return "kShmClosed";
    case ErrorKind::kShmTooLarge: return "kShmTooLarge";
    case ErrorKind::kShmSystem: return "kShmSystem";
    case ErrorKind::kLockNotOwner: return "kLockNotOwner";
    case ErrorKind::kLockDeadlock: return "kLockDeadlock";
    case ErrorKind::kLockNotRecoverable: return "kLockNotRecoverable";
    case ErrorKind::kLockInvalid: return "kLockInvalid";
    case ErrorKind::kLockSystem: return "kLockSystem";
    case ErrorKind::kInvalidArgType: return "kInvalidArgType";
    case ErrorKind::kInvalidArgValue: return "kInvalidArgValue";
    case ErrorKind::kOutOfRange: return "kOutOfRange";
    case ErrorKind::kIllegalConstructor: return "kIllegalConstructor";
  }
  return "(unknown kind)";
}

const char* AcquiredName(Acquired a) {
  switch (a) {
    case Acquired::kYes: return "kYes";
    case Acquired::kOwnerDied: return "kOwnerDied";
    case Acquired::kNo: return "kNo";
    case Acquired::kGaveUp: return "kGaveUp";
  }
  return "(unknown)";
}

std::string Describe(const Status& s) {
  std::string text = KindName(s.kind);
  if (s.syscall != nullptr) text += std::string(" from ") + s.syscall;
  if (s.os_error != 0) text += " (errno " + std::to_string(s.os_error) + ")";
  if (s.detail != nullptr) text += std::string(": ") + s.detail;
  return text;
}

// One named check: collects what went wrong and prints its line when it ends.
class Check {
 public:
  explicit Check(const char* id) : id_(id) {}
  ~Check() {
    if (problems_.empty()) {
      std::printf("ok %s\n", id_);
    } else {
      ++g_failed;
      std::printf("FAIL %s: %s\n", id_, problems_.c_str());
    }
    std::fflush(stdout);
  }
  Check(const Check&) = delete;
  Check& operator=(const Check&) = delete;

  // Records `what` as a problem unless `cond`; returns cond.
  bool That(bool cond, const std::string& what) {
    if (!cond) problems_ += (problems_.empty() ? "" : "; ") + what;
    return cond;
  }
  bool Ok(const Status& s, const std::string& what) {
    return That(s.ok(), what + " failed: " + Describe(s));
  }
  bool Kind(const Status& s, ErrorKind want, const std::string& what) {
    return That(s.kind == want, what + ": wanted " + KindName(want) + ", got " + Describe(s));
  }
  bool Got(Acquired got, Acquired want, const std::string& what) {
    return That(got == want, what + ": wanted " + AcquiredName(want) + ", got " + AcquiredName(got));
  }

 private:
  const char* id_;
  std::string problems_;
};

std::string Name(const char* what) {
  std::string name = g_prefix + "-" + what;
  g_created.push_back(name);
  return name;
}

bool ExistsInDevShm(const std::string& name) {
  struct stat sb;
  return stat(("/dev/shm/" + name).c_str(), &sb) == 0;
}

unsigned ModeOf(const std::string& name) {
  struct stat sb;
  if (stat(("/dev/shm/" + name).c_str(), &sb) != 0) return 0xffffffffu;
  return static_cast<unsigned>(sb.st_mode & 0777);
}

double NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1000.0 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// A forked child process with two pipes: the child reports single bytes to
// the parent and waits for the parent's. Its body runs on a thread of its
// own: a thread started after fork() has a fresh identity (the parent's is
// cached per thread, and fork() copies that cache). The child ends with the
// body's return value, or is killed by the destructor if still running.
class Child {
 public:
  using Body = std::function<int(Child&)>;

  explicit Child(Body body) {
    int up[2];
    int down[2];
    if (pipe(up) != 0 || pipe(down) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      alarm(20);  // never outlive a stuck parent
      close(up[0]);
      close(down[1]);
      to_parent_ = up[1];
      from_parent_ = down[0];
      int code = 99;
      std::thread run([&] { code = body(*this); });
      run.join();
      _exit(code);
    }
    close(up[1]);
    close(down[0]);
    from_child_ = up[0];
    to_child_ = down[1];
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      int status;
      waitpid(pid_, &status, 0);
    }
    for (int fd : {from_child_, to_child_}) {
      if (fd >= 0) close(fd);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool started() const { return pid_ > 0; }

  // In the child: tells the parent `c`. In the parent: tells the child.
  void Tell(char c) {
    const int fd = pid_ == 0 ? to_parent_ : to_child_;
    if (write(fd, &c, 1) != 1) {
      // the other side is gone; its waiter times out
    }
  }
  // The next byte from the other side, or 0 after `ms` without one.
  char Hear(int ms = 5000) {
    const int fd = pid_ == 0 ? from_parent_ : from_child_;
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, ms) != 1) return 0;
    char c = 0;
    return read(fd, &c, 1) == 1 ? c : 0;
  }
  // In the parent: the child's exit code, or -1 (killed by a signal: -100 - signal).
  int Wait() {
    int status = 0;
    if (waitpid(pid_, &status, 0) != pid_) return -1;
    reaped_ = true;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -100 - WTERMSIG(status);
    return -1;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int to_parent_ = -1, from_parent_ = -1;  // the child's ends
  int from_child_ = -1, to_child_ = -1;    // the parent's ends
};

// A segment that is unmapped and unlinked when it goes out of scope.
struct Segment {
  std::string name;
  Mapping map;
  Status status;

  Segment(const char* what, size_t size, unsigned mode = 0600) : name(Name(what)) {
    status = sct::ShmCreate(name, size, mode, false, &map);
  }
  ~Segment() {
    sct::ShmUnmap(&map);
    sct::ShmUnlink(name);
  }
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;
  unsigned char* bytes() const { return static_cast<unsigned char*>(map.addr); }
};

// ------------------------------------------------------------------ segments

void NameRules() {
  Check c("shm.name-rules");
  c.Ok(sct::ValidateName("plain-name_1.x"), "ValidateName of a plain name");
  c.Ok(sct::ValidateName(std::string(sct::kMaxNameBytes, 'x')), "ValidateName of the longest name");
  const std::string bad[] = {"", "a/b", "a\\b", std::string("a\0b", 3), ".", "..", std::string(sct::kMaxNameBytes + 1, 'x')};
  for (const std::string& name : bad) {
    c.Kind(sct::ValidateName(name), ErrorKind::kShmInvalidName, "ValidateName(\"" + name.substr(0, 12) + "\")");
  }
}

void InvalidNameRefused() {
  Check c("shm.invalid-name-refused");
  const std::string slash = g_prefix + "-dir/x";
  for (const std::string& name : {std::string(), slash, std::string(".."), g_prefix + std::string(sct::kMaxNameBytes, 'y')}) {
    Mapping m;
    c.Kind(sct::ShmCreate(name, 4096, 0600, false, &m), ErrorKind::kShmInvalidName, "ShmCreate of an invalid name");
    c.That(m.addr == nullptr, "a refused create left a mapping");
    c.Kind(sct::ShmOpen(name, false, &m), ErrorKind::kShmInvalidName, "ShmOpen of an invalid name");
    c.Kind(sct::ShmUnlink(name), ErrorKind::kShmInvalidName, "ShmUnlink of an invalid name");
    std::string identity;
    c.Kind(sct::ShmIdentity(name, &identity), ErrorKind::kShmInvalidName, "ShmIdentity of an invalid name");
  }
}

void CreateOpenUnlink() {
  Segment seg("shm", 8192);
  {
    Check c("shm.create");
    if (c.Ok(seg.status, "ShmCreate")) {
      c.That(seg.map.addr != nullptr, "no address");
      c.That(seg.map.size == 8192, "size " + std::to_string(seg.map.size) + ", wanted 8192");
      c.That(!seg.map.identity.empty(), "no identity");
      c.That(!seg.map.other_owner, "our own segment reported as another user's");
      bool zero = true;
      for (size_t i = 0; i < 8192; ++i) zero = zero && seg.bytes()[i] == 0;
      c.That(zero, "a new segment is not zero-filled");
      c.That(ExistsInDevShm(seg.name), "not in /dev/shm");
      c.That(ModeOf(seg.name) == 0600, "mode " + std::to_string(ModeOf(seg.name)) + ", wanted 0600 (384)");
    }
  }
  if (!seg.status.ok()) return;
  for (size_t i = 0; i < 8192; ++i) seg.bytes()[i] = static_cast<unsigned char>(i * 7);
  {
    Check c("shm.create-exclusive");
    Mapping again;
    const Status s = sct::ShmCreate(seg.name, 4096, 0600, false, &again);
    c.Kind(s, ErrorKind::kShmExists, "a second ShmCreate of the name");
    c.That(s.os_error == EEXIST, "os_error " + std::to_string(s.os_error) + ", wanted EEXIST");
    c.That(s.syscall != nullptr && std::strcmp(s.syscall, "shm_open") == 0, "syscall not shm_open");
    c.That(again.addr == nullptr, "the refused create mapped something");
    // The refusal neither truncated nor unlinked the existing segment.
    c.That(seg.bytes()[8191] == static_cast<unsigned char>(8191 * 7), "the existing bytes changed");
    c.That(ExistsInDevShm(seg.name), "the existing segment is gone");
    sct::ShmUnmap(&again);
  }
  {
    Check c("shm.open");
    Mapping other;
    if (c.Ok(sct::ShmOpen(seg.name, false, &other), "ShmOpen")) {
      c.That(other.size == 8192, "opened size " + std::to_string(other.size) + ", wanted 8192");
      c.That(other.addr != seg.map.addr, "the same address twice");
      c.That(other.identity == seg.map.identity, "identity differs from the creator's");
      unsigned char* b = static_cast<unsigned char*>(other.addr);
      c.That(b[1000] == static_cast<unsigned char>(1000 * 7), "the creator's bytes are not seen");
      b[5] = 0xab;
      c.That(seg.bytes()[5] == 0xab, "a store through the second mapping is not seen through the first");
      std::string now;
      c.Ok(sct::ShmIdentity(seg.name, &now), "ShmIdentity");
      c.That(now == seg.map.identity, "ShmIdentity differs from the mapping's");
      sct::ShmUnmap(&other);
      c.That(other.addr == nullptr && other.size == 0, "ShmUnmap left the mapping set");
      sct::ShmUnmap(&other);  // unmapping an empty mapping is harmless
    }
  }
  {
    Check c("shm.cross-process");
    const std::string name = seg.name;
    Child child([name](Child&) {
      Mapping m;
      if (!sct::ShmOpen(name, false, &m).ok() || m.size != 8192) return 1;
      unsigned char* b = static_cast<unsigned char*>(m.addr);
      if (b[5] != 0xab || b[4096] != static_cast<unsigned char>(4096 * 7)) return 2;
      b[6000] = 0x5a;
      sct::ShmUnmap(&m);
      return 0;
    });
    c.That(child.started(), "fork failed");
    const int code = child.Wait();
    c.That(code == 0, "the child exited " + std::to_string(code));
    c.That(seg.bytes()[6000] == 0x5a, "the child's store is not seen");
  }
  {
    Check c("shm.unlink");
    c.Ok(sct::ShmUnlink(seg.name), "ShmUnlink");
    c.That(!ExistsInDevShm(seg.name), "still in /dev/shm");
    seg.bytes()[7] = 1;  // the mapping outlives the name
    c.That(seg.bytes()[7] == 1 && seg.bytes()[1000] == static_cast<unsigned char>(1000 * 7), "the mapping changed after unlink");
    Mapping m;
    const Status open = sct::ShmOpen(seg.name, false, &m);
    c.Kind(open, ErrorKind::kShmNotFound, "ShmOpen after unlink");
    c.That(open.os_error == ENOENT, "os_error " + std::to_string(open.os_error) + ", wanted ENOENT");
    c.Kind(sct::ShmUnlink(seg.name), ErrorKind::kShmNotFound, "a second ShmUnlink");
    std::string identity;
    c.Kind(sct::ShmIdentity(seg.name, &identity), ErrorKind::kShmNotFound, "ShmIdentity after unlink");
    // The name is free again: a new segment, a new identity.
    Mapping fresh;
    if (c.Ok(sct::ShmCreate(seg.name, 4096, 0600, false, &fresh), "ShmCreate of the freed name")) {
      c.That(fresh.identity != seg.map.identity, "the new segment has the old identity");
      c.That(static_cast<unsigned char*>(fresh.addr)[7] == 0, "the new segment holds the old bytes");
      sct::ShmUnmap(&fresh);
    }
  }
}

// The watchdog client's unlink at a thread's end removes only segments that
// are this process's: its header (complete, or never finished) names us.
void UnlinkIfOursOnly() {
  Check c("watchdog.unlink-if-ours");
  struct Planted {
    const char* what;
    const char* magic;  // 8 bytes
    uint32_t pid;
    bool removed;
  };
  const uint32_t self = static_cast<uint32_t>(getpid());
  const Planted cases[] = {
    {"ours-complete", SCT_MAGIC, self, true},
    {"ours-unfinished", "\0\0\0\0\0\0\0\0", self, true},
    {"other-complete", SCT_MAGIC, self + 1, false},
    {"other-unfinished", "\0\0\0\0\0\0\0\0", self + 1, false},
    {"foreign", "FOREIGN!", self, false},
  };
  for (const Planted& p : cases) {
    const std::string name = Name(p.what);
    Mapping m;
    if (!c.Ok(sct::ShmCreate(name, 4096, 0600, false, &m), std::string("ShmCreate ") + p.what)) continue;
    char* bytes = static_cast<char*>(m.addr);
    std::memcpy(bytes + SCT_OFF_CREATOR_PID, &p.pid, 4);  // little-endian hosts only, as the format
    std::memcpy(bytes, p.magic, SCT_MAGIC_BYTES);
    sct::ShmUnmap(&m);
    sct::UnlinkIfOurs(name);
    c.That(ExistsInDevShm(name) != p.removed, std::string(p.what) + (p.removed ? " was kept" : " was removed"));
    sct::ShmUnlink(name);
  }
}

void NotFound() {
  Check c("shm.not-found");
  const std::string name = Name("never-made");
  Mapping m;
  c.Kind(sct::ShmOpen(name, false, &m), ErrorKind::kShmNotFound, "ShmOpen of a name never made");
  c.That(m.addr == nullptr, "a mapping for a missing name");
  c.Kind(sct::ShmUnlink(name), ErrorKind::kShmNotFound, "ShmUnlink of a name never made");
  c.That(!ExistsInDevShm(name), "opening a missing name created it");
}

void SizesAndModes() {
  {
    Check c("shm.zero-size-refused");
    const std::string name = Name("zero");
    Mapping m;
    c.Kind(sct::ShmCreate(name, 0, 0600, false, &m), ErrorKind::kInvalidArgValue, "ShmCreate of 0 bytes");
    c.That(!ExistsInDevShm(name), "a refused create left its name");
  }
  {
    Check c("shm.no-space");
    const std::string name = Name("huge");
    Mapping m;
    // 64 TiB, committed now: more than any /dev/shm, refused before any page is touched.
    const Status s = sct::ShmCreate(name, size_t{1} << 46, 0600, true, &m);
    c.Kind(s, ErrorKind::kShmNoSpace, "ShmCreate of 64 TiB with reserve");
    c.That(m.addr == nullptr, "a refused create left a mapping");
    c.That(!ExistsInDevShm(name), "a refused create left its name");
  }
  {
    Check c("shm.reserve");
    const std::string name = Name("reserved");
    Mapping m;
    if (c.Ok(sct::ShmCreate(name, 1 << 20, 0600, true, &m), "ShmCreate of 1 MiB with reserve")) {
      c.That(m.size == (1u << 20), "size " + std::to_string(m.size));
      static_cast<unsigned char*>(m.addr)[(1 << 20) - 1] = 1;  // the last page is there
      sct::ShmUnmap(&m);
    }
    c.Ok(sct::ShmUnlink(name), "ShmUnlink");
  }
  {
    Check c("shm.mode-exact");
    // The mode given is applied as given, whatever the umask.
    const mode_t old = umask(0077);
    Segment group("mode-640", 4096, 0640);
    Segment other("mode-604", 4096, 0604);
    umask(old);
    if (c.Ok(group.status, "ShmCreate 0640") && c.Ok(other.status, "ShmCreate 0604")) {
      c.That(ModeOf(group.name) == 0640, "mode " + std::to_string(ModeOf(group.name)) + ", wanted 0640 (416)");
      c.That(ModeOf(other.name) == 0604, "mode " + std::to_string(ModeOf(other.name)) + ", wanted 0604 (388)");
    }
  }
}

// ------------------------------------------------------------------ locks

void PlainLock(unsigned char* region) {
  Check c("mutex.plain");
  c.That(sct::RobustLocksSupported(), "robust locks unsupported on Linux");
  Mutex m(region);
  if (!c.Ok(m.Init(LockKind::kPlain), "Init")) return;
  bool locked = true;
  c.Ok(m.IsLocked(&locked), "IsLocked");
  c.That(!locked, "a fresh lock reads as locked");
  Acquired got = Acquired::kNo;
  c.Ok(m.Lock(-1, &got), "Lock");
  c.Got(got, Acquired::kYes, "Lock of a free lock");
  c.That(m.HeldDepth() == 1, "depth " + std::to_string(m.HeldDepth()) + " after Lock, wanted 1");
  c.Ok(m.IsLocked(&locked), "IsLocked");
  c.That(locked, "a held lock reads as free");
  // The holder of a plain lock: a try is simply busy, a blocking lock would never end.
  c.Ok(m.Lock(0, &got), "try-Lock by the holder");
  c.Got(got, Acquired::kNo, "try-Lock of a plain lock by its holder");
  c.Kind(m.Lock(-1, &got), ErrorKind::kLockDeadlock, "blocking Lock of a plain lock by its holder");
  c.That(m.HeldDepth() == 1, "depth changed by the refused Lock");
  c.Ok(m.Unlock(), "Unlock");
  c.That(m.HeldDepth() == 0, "depth after Unlock");
  c.Ok(m.IsLocked(&locked), "IsLocked");
  c.That(!locked, "a released lock reads as locked");
}

void RecursiveDepth(unsigned char* region) {
  Check c("mutex.recursive-depth");
  Mutex m(region);
  if (!c.Ok(m.Init(LockKind::kRecursive), "Init")) return;
  for (uint32_t depth = 1; depth <= 3; ++depth) {
    Acquired got = Acquired::kNo;
    c.Ok(m.Lock(depth == 2 ? 0 : -1, &got), "Lock");
    c.Got(got, Acquired::kYes, "Lock " + std::to_string(depth));
    c.That(m.HeldDepth() == depth, "depth " + std::to_string(m.HeldDepth()) + ", wanted " + std::to_string(depth));
  }
  for (uint32_t depth = 3; depth >= 1; --depth) {
    c.Ok(m.Unlock(), "Unlock");
    c.That(m.HeldDepth() == depth - 1, "depth " + std::to_string(m.HeldDepth()) + " after an Unlock");
  }
  c.Kind(m.Unlock(), ErrorKind::kLockNotOwner, "one Unlock more than Locks");
  bool locked = true;
  c.Ok(m.IsLocked(&locked), "IsLocked");
  c.That(!locked, "still locked after as many Unlocks as Locks");
}

void NotOwner(unsigned char* region) {
  Check c("mutex.unlock-not-owner");
  Mutex m(region);
  if (!c.Ok(m.Init(LockKind::kRecursive), "Init")) return;
  c.Kind(m.Unlock(), ErrorKind::kLockNotOwner, "Unlock of a free lock");
  Acquired got = Acquired::kNo;
  c.Ok(m.Lock(-1, &got), "Lock");
  // Another thread of this process: not the holder, whatever it tries.
  Status unlock, trylock;
  Acquired other_got = Acquired::kYes;
  uint32_t other_depth = 99;
  std::thread other([&] {
    Mutex mine(region);
    unlock = mine.Unlock();
    trylock = mine.Lock(0, &other_got);
    other_depth = mine.HeldDepth();
  });
  other.join();
  c.Kind(unlock, ErrorKind::kLockNotOwner, "Unlock by another thread");
  c.Ok(trylock, "try-Lock by another thread");
  c.Got(other_got, Acquired::kNo, "try-Lock by another thread of a held lock");
  c.That(other_depth == 0, "another thread sees a depth of its own");
  c.That(m.HeldDepth() == 1, "the holder's depth changed: " + std::to_string(m.HeldDepth()));
  c.Ok(m.Unlock(), "Unlock by the holder");
}

void Uninitialised(unsigned char* region) {
  Check c("mutex.uninitialised-refused");
  std::memset(region, 0, sct::kLockRegionSize);
  Mutex m(region);
  Acquired got = Acquired::kYes;
  c.Kind(m.Lock(0, &got), ErrorKind::kLockInvalid, "Lock of zeroed bytes");
  c.Kind(m.Unlock(), ErrorKind::kLockInvalid, "Unlock of zeroed bytes");
  bool locked = false;
  c.Kind(m.IsLocked(&locked), ErrorKind::kLockInvalid, "IsLocked of zeroed bytes");
}

void HeldByAnotherProcess(unsigned char* region) {
  {
    Check c("mutex.try-lock-other-process");
    Mutex m(region);
    if (!c.Ok(m.Init(LockKind::kPlain), "Init")) return;
    Acquired got = Acquired::kNo;
    c.Ok(m.Lock(-1, &got), "Lock");
    // The child: a try fails, a timed wait times out, it is not the holder, the lock reads as held.
    Child child([region](Child&) {
      Mutex theirs(region);
      Acquired a = Acquired::kYes;
      if (!theirs.Lock(0, &a).ok() || a != Acquired::kNo) return 1;
      const double start = NowMs();
      if (!theirs.Lock(60, &a).ok() || a != Acquired::kNo) return 2;
      if (NowMs() - start < 50) return 3;
      bool locked = false;
      if (!theirs.IsLocked(&locked).ok() || !locked) return 4;
      if (theirs.Unlock().kind != ErrorKind::kLockNotOwner) return 5;
      if (theirs.HeldDepth() != 0) return 6;
      return 0;
    });
    c.That(child.started(), "fork failed");
    const int code = child.Wait();
    c.That(code == 0, "the child saw a wrong answer (exit " + std::to_string(code) +
                          ": 1 try, 2 timed wait, 3 waited too little, 4 IsLocked, 5 Unlock, 6 depth)");
    c.That(m.HeldDepth() == 1, "the holder's depth changed");
    c.Ok(m.Unlock(), "Unlock");
  }
  {
    Check c("mutex.wait-for-other-process");
    Mutex m(region);
    Child child([region](Child& self) {
      Mutex theirs(region);
      Acquired a = Acquired::kNo;
      if (!theirs.Lock(-1, &a).ok() || a != Acquired::kYes) return 1;
      self.Tell('L');
      if (self.Hear() != 'R') return 2;
      usleep(50 * 1000);  // the parent is blocked in Lock meanwhile (or about to be)
      if (!theirs.Unlock().ok()) return 3;
      return 0;
    });
    c.That(child.started(), "fork failed");
    c.That(child.Hear() == 'L', "the child did not report the lock taken");
    Acquired got = Acquired::kYes;
    c.Ok(m.Lock(0, &got), "try-Lock");
    c.Got(got, Acquired::kNo, "try-Lock of a lock another process holds");
    const double start = NowMs();
    c.Ok(m.Lock(30, &got), "timed Lock");
    c.Got(got, Acquired::kNo, "a 30 ms Lock of a lock another process holds");
    c.That(NowMs() - start >= 25, "the timed Lock returned early");
    child.Tell('R');
    c.Ok(m.Lock(-1, &got), "blocking Lock");
    c.Got(got, Acquired::kYes, "a blocking Lock once the other process released");
    c.That(m.HeldDepth() == 1, "depth after Lock");
    const int code = child.Wait();
    c.That(code == 0, "the child exited " + std::to_string(code));
    c.Ok(m.Unlock(), "Unlock");
  }
}

// A child takes the lock (`times` deep) on a thread of its own and _exit()s holding it.
int DieHolding(unsigned char* region, int times) {
  Child child([region, times](Child&) {
    Mutex theirs(region);
    for (int i = 0; i < times; ++i) {
      Acquired a = Acquired::kNo;
      if (!theirs.Lock(-1, &a).ok() || a != Acquired::kYes) return 1;
    }
    _exit(0);  // the whole process ends with the lock held
  });
  return child.started() ? child.Wait() : -1;
}

void OwnerDeath(unsigned char* region) {
  {
    Check c("mutex.owner-died");
    Mutex m(region);
    if (!c.Ok(m.Init(LockKind::kPlain), "Init")) return;
    c.That(DieHolding(region, 1) == 0, "the child did not lock and exit");
    Acquired got = Acquired::kNo;
    c.Ok(m.Lock(-1, &got), "Lock after the holder died");
    c.Got(got, Acquired::kOwnerDied, "Lock of a dead holder's lock");
    c.That(m.HeldDepth() == 1, "depth " + std::to_string(m.HeldDepth()) + " after recovery, wanted 1");
    c.Ok(m.Unlock(), "Unlock of the recovered lock");
    // Then an ordinary lock again, and the death is reported once only.
    c.Ok(m.Lock(-1, &got), "Lock");
    c.Got(got, Acquired::kYes, "the next Lock");
    c.Ok(m.Unlock(), "Unlock");
    bool locked = true;
    c.Ok(m.IsLocked(&locked), "IsLocked");
    c.That(!locked, "locked after recovery and release");
  }
  {
    Check c("mutex.owner-died-try-lock");
    Mutex m(region);
    if (!c.Ok(m.Init(LockKind::kPlain), "Init")) return;
    c.That(DieHolding(region, 1) == 0, "the child did not lock and exit");
    Acquired got = Acquired::kNo;
    c.Ok(m.Lock(0, &got), "try-Lock after the holder died");
    c.Got(got, Acquired::kOwnerDied, "try-Lock of a dead holder's lock");
    c.Ok(m.Unlock(), "Unlock");
  }
  {
    Check c("mutex.owner-died-seen-by-probe");
    Mutex m(region);
    if (!c.Ok(m.Init(LockKind::kPlain), "Init")) return;
    c.That(DieHolding(region, 1) == 0, "the child did not lock and exit");
    // A probe recovers the lock (it is free), and the next acquirer still hears of the death.
    bool locked = true;
    c.Ok(m.IsLocked(&locked), "IsLocked after the holder died");
    c.That(!locked, "a dead holder's lock reads as held");
    Acquired got = Acquired::kNo;
    c.Ok(m.Lock(-1, &got), "Lock");
    c.Got(got, Acquired::kOwnerDied, "Lock after a probe recovered the lock");
    c.Ok(m.Unlock(), "Unlock");
    c.Ok(m.Lock(-1, &got), "Lock");
    c.Got(got, Acquired::kYes, "the next Lock");
    c.Ok(m.Unlock(), "Unlock");
  }
  {
    Check c("mutex.owner-died-recursive");
    Mutex m(region);
    if (!c.Ok(m.Init(LockKind::kRecursive), "Init")) return;
    c.That(DieHolding(region, 3) == 0, "the child did not lock three deep and exit");
    Acquired got = Acquired::kNo;
    c.Ok(m.Lock(-1, &got), "Lock after the holder died");
    c.Got(got, Acquired::kOwnerDied, "Lock of a dead holder's recursive lock");
    c.That(m.HeldDepth() == 1, "depth " + std::to_string(m.HeldDepth()) + ": the dead holder's depth was kept");
    c.Ok(m.Unlock(), "Unlock");
    c.Kind(m.Unlock(), ErrorKind::kLockNotOwner, "a second Unlock");
  }
}

// ------------------------------------------------------------------ held mappings

void KeptWhileHeld(const std::string& name) {
  Check c("held-mappings.kept-while-held");
  c.That(sct::KeptMappings() == 0, "mappings kept before the check");
  bool kept_while_held = false;
  bool emptied = false;
  Status lock_status, unlock_status;
  std::thread holder([&] {
    Mapping m;
    if (!sct::ShmOpen(name, false, &m).ok()) return;
    unsigned char* region = static_cast<unsigned char*>(m.addr);
    Mutex lock(region);
    Acquired got = Acquired::kNo;
    lock_status = lock.Lock(-1, &got);
    // Unmapping memory with a lock this thread holds must wait for the thread to end.
    sct::UnmapUnlessHeld(&m);
    emptied = m.addr == nullptr && m.size == 0;
    kept_while_held = sct::KeptMappings() == 1;
    unlock_status = lock.Unlock();  // still mapped: it was kept
  });
  holder.join();
  c.Ok(lock_status, "Lock in the thread");
  c.Ok(unlock_status, "Unlock through the kept mapping");
  c.That(emptied, "UnmapUnlessHeld did not empty the caller's Mapping");
  c.That(kept_while_held, "the mapping was not kept while its lock was held");
  // The thread has ended: the next call, from any thread, unmaps what was kept.
  Mapping idle;
  if (c.Ok(sct::ShmOpen(name, false, &idle), "ShmOpen")) {
    sct::UnmapUnlessHeld(&idle);
    c.That(idle.addr == nullptr, "a mapping without a held lock was not unmapped");
  }
  c.That(sct::KeptMappings() == 0, std::to_string(sct::KeptMappings()) + " mappings still kept after their thread ended");
}

// ------------------------------------------------------------------ clean up

void NothingLeft() {
  for (const std::string& name : g_created) sct::ShmUnlink(name);
  Check c("cleanup.nothing-left");
  std::vector<std::string> left;
  if (DIR* dir = opendir("/dev/shm")) {
    while (struct dirent* e = readdir(dir)) {
      if (std::strncmp(e->d_name, g_prefix.c_str(), g_prefix.size()) == 0) left.push_back(e->d_name);
    }
    closedir(dir);
  } else {
    c.That(false, "cannot read /dev/shm");
  }
  std::string names;
  for (const std::string& n : left) names += " " + n;
  c.That(left.empty(), "left in /dev/shm:" + names);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || argv[1][0] == '\0' || !sct::ValidateName(std::string(argv[1]) + "-x").ok()) {
    std::fprintf(stderr, "usage: platform_test <segment-name-prefix>\n");
    return 2;
  }
  g_prefix = argv[1];
  alarm(60);  // a hang is a failure, not a stuck test run

  NameRules();
  InvalidNameRefused();
  CreateOpenUnlink();
  NotFound();
  SizesAndModes();
  UnlinkIfOursOnly();

  // Locks live in shared memory, as in the addon: a child maps the same bytes.
  Segment locks("locks", 4096);
  if (!locks.status.ok()) {
    Check c("mutex.segment");
    c.Ok(locks.status, "ShmCreate of the lock segment");
  } else {
    PlainLock(locks.bytes());
    RecursiveDepth(locks.bytes() + sct::kLockRegionSize);
    NotOwner(locks.bytes() + 2 * sct::kLockRegionSize);
    Uninitialised(locks.bytes() + 3 * sct::kLockRegionSize);
    HeldByAnotherProcess(locks.bytes() + 4 * sct::kLockRegionSize);
    OwnerDeath(locks.bytes() + 5 * sct::kLockRegionSize);
    KeptWhileHeld(locks.name);
  }
  sct::ShmUnmap(&locks.map);
  NothingLeft();

  std::printf("%d check(s) failed\n", g_failed);
  return g_failed == 0 ? 0 : 1;
}
