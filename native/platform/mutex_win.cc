// Windows locks: a named kernel mutex per lock region. The region stores the
// mutex's name; each Mutex object opens its own kernel HANDLE on first use
// and closes it when it ends (the addon keeps one Mutex per lock handle).
// Windows mutexes are always recursive, so plain locks refuse re-entry
// themselves; WAIT_ABANDONED is Windows' owner-died signal.
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef _CRT_RAND_S
#define _CRT_RAND_S  // declares rand_s; must precede the first CRT header
#endif
#include <stdlib.h>
#include <windows.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "mutex.h"
#include "win_util.h"

namespace sct {
namespace {

constexpr size_t kNameBytes = 64;
static_assert(kLockImplOffset + kNameBytes <= kLockRegionSize, "mutex name does not fit");

char* NameField(void* region) { return static_cast<char*>(region) + kLockImplOffset; }

Status WinFailure(ErrorKind kind, const char* call) {
  return Status::Os(kind, static_cast<int>(GetLastError()), call);
}

}  // namespace

bool RobustLocksSupported() { return true; }

Mutex::~Mutex() {
  if (handle_ != nullptr) CloseHandle(static_cast<HANDLE>(handle_));
}

Status Mutex::OpenHandle() {
  if (handle_ != nullptr) return Status::Ok();
  // Copy out of shared memory and force termination: a peer may have
  // scribbled over the name.
  char raw[kNameBytes];
  std::memcpy(raw, NameField(region_), kNameBytes);
  raw[kNameBytes - 1] = '\0';
  std::wstring wide;
  if (!Utf8ToWide(std::string("Local\\") + raw, &wide))
    return Status::Lib(ErrorKind::kLockInvalid, "lock name is not valid UTF-8");
  // Creates the object if no process holds a handle any more. Ask only for
  // what waiting and releasing need: CreateMutexW asks MUTEX_ALL_ACCESS of an
  // existing mutex, which a restrictive DACL may refuse.
  HANDLE h = CreateMutexExW(nullptr, wide.c_str(), 0, SYNCHRONIZE | MUTEX_MODIFY_STATE);
  if (h == nullptr) return WinFailure(ErrorKind::kLockSystem, "CreateMutexExW");
  handle_ = h;
  return Status::Ok();
}

Status Mutex::Init(LockKind kind) {
  BeginInit();
  unsigned int a = 0, b = 0, c = 0, d = 0;
  if (rand_s(&a) != 0 || rand_s(&b) != 0 || rand_s(&c) != 0 || rand_s(&d) != 0)
    return Status::Lib(ErrorKind::kLockSystem, "rand_s failed");
  char name[kNameBytes] = {};  // zero-filled: no stack bytes leak into shared memory
  std::snprintf(name, sizeof(name), "sctlock.%08x%08x%08x%08x", a, b, c, d);
  std::memcpy(NameField(region_), name, kNameBytes);
  PublishInit(kind);
  // A handle opened before (re-init) names the old mutex: drop it, or this
  // process would keep locking a different object from its peers.
  if (handle_ != nullptr) {
    CloseHandle(static_cast<HANDLE>(handle_));
    handle_ = nullptr;
  }
  // The creator holds a handle so the kernel object exists from now on.
  return OpenHandle();
}

Status Mutex::Lock(double timeout_ms, Acquired* out, const WaitCheck* check) {
  Status st = CheckUsable();
  if (!st.ok()) return st;
  st = OpenHandle();
  if (!st.ok()) return st;
  LockHeader* h = header();
  const bool mine = HeldBySelf();
  if (mine && h->kind == static_cast<uint32_t>(LockKind::kPlain)) {
    if (timeout_ms == 0) {
      *out = Acquired::kNo;
      return Status::Ok();
    }
    return Status::Lib(ErrorKind::kLockDeadlock, "this thread already holds the lock");
  }
  DWORD wait = timeout_ms < 0 ? INFINITE
               : timeout_ms >= 4294967294.0 ? 4294967294u
                                             : static_cast<DWORD>(timeout_ms + 0.999);
  DWORD rc;
  if (check == nullptr || timeout_ms == 0) {
    rc = WaitForSingleObject(static_cast<HANDLE>(handle_), wait);
  } else {
    // In slices, asking `check` between them (see WaitCheck).
    const ULONGLONG start = GetTickCount64();
    for (;;) {
      DWORD slice = kWaitSliceMs;
      if (timeout_ms >= 0) {
        const double left = timeout_ms - static_cast<double>(GetTickCount64() - start);
        if (left <= 0) {
          rc = WAIT_TIMEOUT;
          break;
        }
        if (left < slice) slice = static_cast<DWORD>(left + 0.999);
      }
      rc = WaitForSingleObject(static_cast<HANDLE>(handle_), slice);
      if (rc != WAIT_TIMEOUT) break;
      if (!check->keep_waiting(check->ctx)) {
        *out = Acquired::kGaveUp;
        return Status::Ok();
      }
    }
  }
  bool owner_died = false;
  if (rc == WAIT_TIMEOUT) {
    *out = Acquired::kNo;
    return Status::Ok();
  }
  if (rc == WAIT_ABANDONED) {
    owner_died = true;
  } else if (rc != WAIT_OBJECT_0) {
    return WinFailure(ErrorKind::kLockSystem, "WaitForSingleObject");
  }
  if (!mine && h->depth != 0) {
    // We own the kernel mutex, yet the region still records another holder.
    // The mutex object died with its last handle while held (its holder's
    // process exited, or closed its handles) and CreateMutexExW made a fresh
    // one: an owner death Windows cannot report as WAIT_ABANDONED.
    owner_died = true;
  }
  *out = NoteAcquired(owner_died);
  return Status::Ok();
}

Status Mutex::Unlock() {
  Status st = CheckUsable();
  if (!st.ok()) return st;
  st = OpenHandle();
  if (!st.ok()) return st;
  st = NoteReleasing();
  if (!st.ok()) return st;
  if (!ReleaseMutex(static_cast<HANDLE>(handle_)))
    return WinFailure(ErrorKind::kLockNotOwner, "ReleaseMutex");
  return Status::Ok();
}

Status Mutex::IsLocked(bool* out) {
  Status st = CheckUsable();
  if (!st.ok()) return st;
  st = OpenHandle();
  if (!st.ok()) return st;
  if (HeldBySelf()) {
    *out = true;
    return Status::Ok();
  }
  DWORD rc = WaitForSingleObject(static_cast<HANDLE>(handle_), 0);
  if (rc == WAIT_TIMEOUT) {
    *out = true;
    return Status::Ok();
  }
  if (rc != WAIT_OBJECT_0 && rc != WAIT_ABANDONED)
    return WinFailure(ErrorKind::kLockSystem, "WaitForSingleObject");
  // Abandoned, or a stale holder left by a destroyed mutex (see Lock).
  if (rc == WAIT_ABANDONED || header()->depth != 0) NoteRecoveredByProbe();
  ReleaseMutex(static_cast<HANDLE>(handle_));
  *out = false;
  return Status::Ok();
}

// The named mutex lives in the kernel, not in the segment: nothing of it to check here
// (the name is copied and bounded by OpenHandle).
Status Mutex::CheckOsLock() const { return Status::Ok(); }

}  // namespace sct
