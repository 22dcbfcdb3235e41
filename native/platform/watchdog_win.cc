// Windows has no watchdog: a file mapping disappears with its last handle,
// which the OS closes however the process ends (see watchdog_client.h).
#include "watchdog_client.h"

namespace sct {

long WatchdogTrack(const std::string&, const OwnerMap&, const std::string&) { return -1; }
void WatchdogUntrack(const std::string&, const OwnerMap&) {}
long WatchdogAlive() { return -1; }
long WatchdogPid() { return 0; }
std::string WatchdogRegistry() { return ""; }
void WatchdogRetire() {}
void UnlinkIfOurs(const std::string&) {}

}  // namespace sct
