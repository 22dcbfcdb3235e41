// Unnamed segments owned by this process: a process-wide registry shared by
// the main thread and every worker, one small watchdog process per process
// (native/watchdog/), and the unlinking of a thread's names when it ends.
#pragma once

#include <napi.h>

namespace sct {

// ownedTrack, ownedUntrack, ownedNames, ownedWatchdog, ownedRegistry, ownedExit.
void ExportOwnedFunctions(Napi::Env env, Napi::Object exports);

}  // namespace sct
