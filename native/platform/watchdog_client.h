// This process's watchdog, as the addon sees it: on POSIX one registry file
// and one helper process (native/watchdog/watchdog.c) for the whole process.
// Every track/untrack is appended synchronously to the registry, which the
// watchdog holds as its fd 3; its stdin is a pipe whose only write end we hold
// (O_CLOEXEC: no other child inherits it), so it sees EOF when we die however
// we die, and then removes the names still live. Windows needs none: a
// mapping disappears with its last handle (watchdog_win.cc: no-ops).
//
// No Node here. Not thread-safe: the caller serialises every call.
#pragma once

#include <string>
#include <unordered_map>

namespace sct {

// The names this process owns, each with an opaque tag of who tracks it.
using OwnerMap = std::unordered_map<std::string, const void*>;

// `name` was just added to `live`: makes sure a watchdog watches the live set,
// starting one from `helper` if none runs. Its pid; 0 if no helper can run;
// -1 where none is needed (Windows).
long WatchdogTrack(const std::string& name, const OwnerMap& live, const std::string& helper);
// `name` was just removed from `live`.
void WatchdogUntrack(const std::string& name, const OwnerMap& live);
// The watchdog's pid after checking that it still runs (and reaping retired
// ones): 0 if none; -1 where none is needed.
long WatchdogAlive();
// The pid of the watchdog last started, 0 if none.
long WatchdogPid();
// Its registry file, "" if none.
std::string WatchdogRegistry();
// The process is ending with nothing left to watch: stop the watchdog.
void WatchdogRetire();
// Unlinks `name` if its segment is still ours (this process's header, or one
// never finished): never someone else's file of that name. No-op on Windows.
void UnlinkIfOurs(const std::string& name);

}  // namespace sct
