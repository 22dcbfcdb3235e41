// Unnamed segments owned by this process. Module state is per thread (per
// isolate) but a process dies as a whole, so the state lives here, in C++
// statics, behind one mutex:
//
//  - which environment (main thread or worker) tracked each name, so that a
//    worker's names are unlinked when it ends (an env cleanup hook: runs on a
//    natural end, process.exit() in the worker, an uncaught exception and
//    worker.terminate()) while the process lives on;
//  - on POSIX, one registry file and one watchdog process (the small native
//    helper next to the addon, native/watchdog/watchdog.c) for the whole
//    process. Every track/untrack is appended synchronously to the registry,
//    which the watchdog holds as its fd 3; the watchdog's stdin is a pipe whose
//    only write end we hold (O_CLOEXEC: no other child inherits it), so it
//    sees EOF when we die however we die, and then removes what is still live.
//
// Windows needs no watchdog: a mapping disappears with its last handle.
#include "owned.h"

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <mutex>
#include <vector>

#include "errors.h"

#ifndef _WIN32
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "../watchdog/owner_check.h"
#endif

namespace sct {
namespace {

std::mutex mu;
// Each tracked name and the environment that tracked it.
std::unordered_map<std::string, napi_env> owned;
// Environments with our cleanup hook registered (once each).
std::unordered_set<napi_env> hooked;
// The main thread's exit handler ran: the process is ending.
bool process_exiting = false;

#ifndef _WIN32

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
bool Start(const std::string& helper, Watchdog* out) {
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
void Append(char op, const std::string& name) {
  if (current.registry_fd < 0) return;
  if (current.lines >= kRotateLines && current.lines > 4 * owned.size()) {
    Watchdog fresh;
    if (Start(helper_path, &fresh)) {
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

// Makes sure a watchdog watches the live set; its pid, or 0 if none can run.
pid_t EnsureWatchdog(const std::string& name) {
  ReapRetired();
  if (CurrentAlive()) {
    Append('+', name);
    return current.pid;
  }
  if (spawn_broken || helper_path.empty()) return 0;
  Watchdog fresh;
  if (!Start(helper_path, &fresh)) {
    spawn_broken = true;
    return 0;
  }
  current = fresh;  // its registry already lists `name`
  return current.pid;
}

// Unlinks a name we tracked, if its segment is still ours (this process's
// header, or one never finished): never someone else's file of that name.
void UnlinkIfOurs(const std::string& name) {
  if (!sct_segment_is_ours(name.c_str(), static_cast<uint32_t>(getpid()))) return;
  shm_unlink(("/" + name).c_str());
}

#endif  // !_WIN32

// Unlinks (POSIX) and forgets every name `env` tracked. Caller holds mu.
void ReleaseEnv(napi_env env) {
  for (auto it = owned.begin(); it != owned.end();) {
    if (it->second != env) {
      ++it;
      continue;
    }
#ifndef _WIN32
    UnlinkIfOurs(it->first);
    // While exiting, no '-' line: the registry is retired once nothing is
    // left, and a name unlinked here is the watchdog's to skip (gone, or
    // another creator's by then).
    const std::string name = it->first;
    it = owned.erase(it);
    if (!process_exiting) Append('-', name);
#else
    it = owned.erase(it);
#endif
  }
#ifndef _WIN32
  // The process is ending and nothing is left: the watchdog has no job.
  if (process_exiting && owned.empty()) Retire(&current);
#endif
}

void OnEnvCleanup(void* arg) {
  napi_env env = static_cast<napi_env>(arg);
  std::lock_guard<std::mutex> hold(mu);
  ReleaseEnv(env);
  hooked.erase(env);
}

std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsString())
    ThrowStatus(info.Env(), Status::Of(ErrorKind::kInvalidArgType), std::string(what) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

// ownedTrack(name, helperPath) -> the watchdog's pid; 0 when no helper can
// run (the caller falls back to another watchdog); -1 when none is needed.
Napi::Value OwnedTrack(const Napi::CallbackInfo& info) {
  const std::string name = StringArg(info, 0, "name");
  const std::string helper = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  napi_env env = info.Env();
  std::lock_guard<std::mutex> hold(mu);
  if (hooked.count(env) == 0) {
    if (napi_add_env_cleanup_hook(env, OnEnvCleanup, env) != napi_ok)
      ThrowStatus(info.Env(), Status::Lib(ErrorKind::kShmSystem, "cannot register a cleanup hook"), "ownedTrack");
    hooked.insert(env);
  }
#ifndef _WIN32
  if (helper_path.empty()) helper_path = helper;
  if (owned.emplace(name, env).second) return Napi::Number::New(env, EnsureWatchdog(name));
  ReapRetired();
  return Napi::Number::New(env, CurrentAlive() ? current.pid : 0);
#else
  owned.emplace(name, env);
  return Napi::Number::New(env, -1);
#endif
}

Napi::Value OwnedUntrack(const Napi::CallbackInfo& info) {
  const std::string name = StringArg(info, 0, "name");
  std::lock_guard<std::mutex> hold(mu);
  if (owned.erase(name) != 0) {
#ifndef _WIN32
    Append('-', name);
#endif
  }
  return info.Env().Undefined();
}

// The names the calling environment tracks.
Napi::Value OwnedNames(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  std::lock_guard<std::mutex> hold(mu);
  uint32_t i = 0;
  for (const auto& entry : owned)
    if (entry.second == env) out.Set(i++, Napi::String::New(env, entry.first));
  return out;
}

Napi::Value OwnedWatchdog(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> hold(mu);
#ifndef _WIN32
  return Napi::Number::New(info.Env(), current.pid);
#else
  return Napi::Number::New(info.Env(), 0);
#endif
}

Napi::Value OwnedRegistry(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> hold(mu);
#ifndef _WIN32
  return Napi::String::New(info.Env(), current.path);
#else
  return Napi::String::New(info.Env(), "");
#endif
}

// The main thread's exit handler: unlinks its names; once nothing is left,
// retires the registry (workers' names go in their cleanup hooks).
Napi::Value OwnedExit(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> hold(mu);
  process_exiting = true;
  ReleaseEnv(info.Env());
  return info.Env().Undefined();
}

}  // namespace

void ExportOwnedFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("ownedTrack", Napi::Function::New(env, OwnedTrack, "ownedTrack"));
  exports.Set("ownedUntrack", Napi::Function::New(env, OwnedUntrack, "ownedUntrack"));
  exports.Set("ownedNames", Napi::Function::New(env, OwnedNames, "ownedNames"));
  exports.Set("ownedWatchdog", Napi::Function::New(env, OwnedWatchdog, "ownedWatchdog"));
  exports.Set("ownedRegistry", Napi::Function::New(env, OwnedRegistry, "ownedRegistry"));
  exports.Set("ownedExit", Napi::Function::New(env, OwnedExit, "ownedExit"));
}

}  // namespace sct
