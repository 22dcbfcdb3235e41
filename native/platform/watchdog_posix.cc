// The POSIX watchdog client: the registry file, the helper's spawn, log
// rotation and the unlinking of a dead thread's names (see watchdog_client.h).
#include "watchdog_client.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "owner_check.h"

namespace sct {
namespace {

// Rotate the registry when it holds this many lines and mostly dead ones.
constexpr size_t kRotateLines = 16384;

struct Watchdog {
  int registry_fd = -1;
  int pipe_fd = -1;  // write end; the watchdog's stdin
  pid_t pid = 0;
  std::string path;
  size_t lines = 0;
};

Watchdog current;
// The helper executable, from the first ownedTrack() that named one.
std::string helper_path;
// The helper cannot be started (missing, not executable): do not try once per segment.
bool spawn_broken = false;
// Watchdogs we retired, to reap once they exited (no zombies while we live).
std::vector<pid_t> retired;

int CloseNoIntr(int fd) { return close(fd); }  // Linux closes even on EINTR: never retry

bool WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// '+' or '-' and the name, %XX for every byte outside [A-Za-z0-9._~-]: one
// name per line whatever it holds (the identity for generated names).
void AppendLine(std::string* out, char op, const std::string& name) {
  static const char kHex[] = "0123456789ABCDEF";
  out->push_back(op);
  for (unsigned char c : name) {
    if (sct_safe_name_byte(c)) {
      out->push_back(static_cast<char>(c));
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
  out->push_back('\n');
}

// Moves fd to a number >= 10, close-on-exec: the spawn's dup2 onto 0 and 3
// then never meets a source that already is its target.
int HighCloexec(int fd) {
  if (fd < 0) return fd;
  int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  CloseNoIntr(fd);
  return high;
}

std::string RandomHex() {
  unsigned char bytes[8] = {};
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  bool ok = false;
  if (fd >= 0) {
    ok = read(fd, bytes, sizeof bytes) == static_cast<ssize_t>(sizeof bytes);
    CloseNoIntr(fd);
  }
  if (!ok) {
    // O_EXCL below still refuses a path that exists.
    uint64_t x = static_cast<uint64_t>(getpid()) * 0x9E3779B97F4A7C15ull ^ reinterpret_cast<uintptr_t>(&ok);
    for (auto& b : bytes) b = static_cast<unsigned char>(x >>= 8);
  }
  std::string hex;
  char two[3];
  for (unsigned char b : bytes) {
    snprintf(two, sizeof two, "%02x", b);
    hex += two;
  }
  return hex;
}

// Empties, removes and closes a registry, then closes its pipe: its watchdog
// sees EOF, finds nothing live and exits.
void Retire(Watchdog* w) {
  if (w->registry_fd >= 0) {
    // Emptied first: the watchdog may still read it through its descriptor.
    if (ftruncate(w->registry_fd, 0) != 0) {
      // Best effort: the names it lists are ours, unlinked already or soon.
    }
    struct stat a, b;
    // Only if the path is still our file (a /tmp cleaner may have removed it).
    if (fstat(w->registry_fd, &a) == 0 && lstat(w->path.c_str(), &b) == 0 && a.st_ino == b.st_ino &&
        a.st_dev == b.st_dev)
      unlink(w->path.c_str());
    CloseNoIntr(w->registry_fd);
  }
  if (w->pipe_fd >= 0) CloseNoIntr(w->pipe_fd);
  if (w->pid > 0) retired.push_back(w->pid);
  *w = Watchdog{};
}

void ReapRetired() {
  for (size_t i = 0; i < retired.size();) {
    pid_t r = waitpid(retired[i], nullptr, WNOHANG);
    if (r == retired[i] || (r < 0 && errno == ECHILD)) {
      retired[i] = retired.back();
      retired.pop_back();
    } else {
      i++;
    }
  }
}

// A new registry holding every live name, watched by a new helper process.
bool Start(const std::string& helper, const OwnerMap& owned, Watchdog* out) {
  const char* tmp = getenv("TMPDIR");
  std::string dir = tmp != nullptr && tmp[0] == '/' ? tmp : "/tmp";
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  Watchdog w;
  w.path = dir + "/sharedctypes-owned-" + std::to_string(getpid()) + "-" + RandomHex() + ".log";
  // Exclusive and no link: never follow something planted in a shared /tmp.
  // Read+append: the watchdog reads through the same open file.
  w.registry_fd = HighCloexec(
      open(w.path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (w.registry_fd < 0) return false;
  std::string live;
  for (const auto& entry : owned) AppendLine(&live, '+', entry.first);
  w.lines = owned.size();
  int fds[2];
#if defined(__linux__)
  // Close-on-exec from the start: a child another thread spawns meanwhile
  // must not get an end (it would keep the pipe open after our death).
  const bool piped = pipe2(fds, O_CLOEXEC) == 0;
#else
  const bool piped = pipe(fds) == 0;
#endif
  if (!WriteAll(w.registry_fd, live) || !piped) {
    if (piped) {
      CloseNoIntr(fds[0]);
      CloseNoIntr(fds[1]);
    }
    Retire(&w);
    return false;
  }
  int read_end = HighCloexec(fds[0]);
  w.pipe_fd = HighCloexec(fds[1]);
  if (read_end < 0 || w.pipe_fd < 0) {
    if (read_end >= 0) CloseNoIntr(read_end);
    Retire(&w);
    return false;
  }

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  // stdin: the pipe; fd 3: the registry; 1 and 2 go nowhere. Our other
  // descriptors are closed here (glibc >= 2.34) or by the helper at once.
  posix_spawn_file_actions_adddup2(&actions, read_end, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, w.registry_fd, 3);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  // Not even for a moment: descriptors someone opened without O_CLOEXEC.
  posix_spawn_file_actions_addclosefrom_np(&actions, 4);
#endif
  // Default dispositions and no blocked signals (Node's are not the helper's);
  // a session of its own so a Ctrl-C to our group does not reach it.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
#ifdef POSIX_SPAWN_SETSID
  flags |= POSIX_SPAWN_SETSID;  // else the helper calls setsid() itself
#endif
  posix_spawnattr_setflags(&attr, flags);
  const std::string pid_arg = std::to_string(getpid());
  char* argv[] = {const_cast<char*>(helper.c_str()), const_cast<char*>(w.path.c_str()),
                  const_cast<char*>(pid_arg.c_str()), nullptr};
  char* envp[] = {nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, helper.c_str(), &actions, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  CloseNoIntr(read_end);
  if (rc != 0) {
    Retire(&w);
    return false;
  }
  w.pid = pid;
  *out = w;
  return true;
}

// The watchdog died while we live (someone killed it): forget it.
bool CurrentAlive() {
  if (current.pid <= 0) return false;
  pid_t r = waitpid(current.pid, nullptr, WNOHANG);
  if (r == 0) return true;
  // Not waitable (SIGCHLD ignored reaps it for us): ask whether it still runs.
  if (r < 0 && errno == ECHILD && kill(current.pid, 0) == 0) return true;
  current.pid = 0;  // reaped (or not our child any more): a new one takes over
  Retire(&current);
  return false;
}

// Appends one change; rotates a long log to a fresh registry and watchdog.
void Append(char op, const std::string& name, const OwnerMap& owned) {
  if (current.registry_fd < 0) return;
  if (current.lines >= kRotateLines && current.lines > 4 * owned.size()) {
    Watchdog fresh;
    if (Start(helper_path, owned, &fresh)) {
      // The fresh log already holds the live set, this change included. A
      // death in between only makes both watchdogs remove the same names.
      Retire(&current);
      current = fresh;
      return;
    }
    current.lines = owned.size();  // keep the old, watched log; try again later
  }
  std::string line;
  AppendLine(&line, op, name);
  if (WriteAll(current.registry_fd, line)) current.lines++;
}

}  // namespace

long WatchdogTrack(const std::string& name, const OwnerMap& live, const std::string& helper) {
  if (helper_path.empty()) helper_path = helper;
  ReapRetired();
  if (CurrentAlive()) {
    Append('+', name, live);
    return current.pid;
  }
  if (spawn_broken || helper_path.empty()) return 0;
  Watchdog fresh;
  if (!Start(helper_path, live, &fresh)) {
    spawn_broken = true;
    return 0;
  }
  current = fresh;  // its registry already lists `name`
  return current.pid;
}

void WatchdogUntrack(const std::string& name, const OwnerMap& live) { Append('-', name, live); }

long WatchdogAlive() {
  ReapRetired();
  return CurrentAlive() ? current.pid : 0;
}

long WatchdogPid() { return current.pid; }

std::string WatchdogRegistry() { return current.path; }

void WatchdogRetire() { Retire(&current); }

void UnlinkIfOurs(const std::string& name) {
  if (!sct_segment_is_ours(name.c_str(), static_cast<uint32_t>(getpid()))) return;
  shm_unlink(("/" + name).c_str());
}

}  // namespace sct
