// Unmapping memory that holds a lock this thread has taken. A robust lock is
// recovered for the others (owner-dead) by the kernel when its holder thread
// ends, by walking the list of robust locks the thread holds; those locks
// live in our mappings, so a mapping unmapped while the thread still holds a
// lock in it leaves that lock held forever. That happens at a normal
// environment teardown (a worker's end, the main thread's loop draining): the
// cleanup hooks and finalizers unmap everything before the thread ends.
#pragma once

#include <cstddef>

#include "shm.h"

namespace sct {

// Unmaps `m` (leaving it empty), unless the calling thread holds a robust
// lock inside it: then the memory stays mapped until that thread has ended,
// and is unmapped by a later call from any thread.
void UnmapUnlessHeld(Mapping* m);

// Mappings kept that way and not yet unmapped (for tests).
size_t KeptMappings();

}  // namespace sct
