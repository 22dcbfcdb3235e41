// Named shared-memory segments: the portable interface implemented once per OS
// (shm_posix.cc, shm_win.cc). Pure C++; no Node-API here.
#pragma once

#include <cstddef>
#include <string>

#include "status.h"

namespace sct {

struct Mapping {
  void* addr = nullptr;
  size_t size = 0;
  // Which file the name designated when it was mapped (POSIX: "dev:ino";
  // empty on Windows, where a name cannot change its object while we hold a
  // handle): a cached mapping is reused only while its name still means it.
  std::string identity;
  bool other_owner = false;  // opened although another user owns it (allowed by the caller)
#ifdef _WIN32
  void* handle = nullptr;  // file-mapping HANDLE; the object lives while one is open
#endif
};

// Longest accepted name, in bytes, without the leading slash.
#if defined(__APPLE__)
constexpr size_t kMaxNameBytes = 30;   // PSHMNAMLEN is 31 including the '/'
#else
constexpr size_t kMaxNameBytes = 200;
#endif

// Checks a user-visible name (no leading slash): non-empty, no '/', no NUL,
// at most kMaxNameBytes. Returns kShmInvalidName otherwise.
Status ValidateName(const std::string& name);

// Creates a new segment exclusively. With `reserve`, the memory is committed
// now so that an oversized request fails here with kShmNoSpace instead of a
// SIGBUS at first touch. On failure nothing is left behind.
Status ShmCreate(const std::string& name, size_t size, unsigned mode, bool reserve, Mapping* out);

// Opens and maps an existing segment with its current size. A zero-length
// segment yields a Mapping with addr == nullptr and size == 0. A segment
// owned by another user than this process's effective one is refused with
// kShmPermission unless `allow_other_owner` (POSIX; Windows does not check).
Status ShmOpen(const std::string& name, bool allow_other_owner, Mapping* out);

// Creating or opening a segment maps it; each mapping counts against the
// kernel's per-process limit (Linux: vm.max_map_count). Near that limit every
// allocation of the runtime would fail too, so ShmCreate/ShmOpen refuse with
// kShmMapLimit while some room is left, and an mmap failing for that limit
// reports kShmMapLimit rather than kShmNoSpace.

// The identity (as in Mapping::identity) of the file `name` designates now.
Status ShmIdentity(const std::string& name, std::string* out);

// Unmaps; safe to call on an empty Mapping.
void ShmUnmap(Mapping* m);

// Removes the name; existing mappings stay valid.
Status ShmUnlink(const std::string& name);

}  // namespace sct
