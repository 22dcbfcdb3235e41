// Platform-neutral result of a platform-layer call. The platform layer knows
// nothing of Node: it returns a Status, and errors.cc turns it into a JS Error.
#pragma once

#include <string>

namespace sct {

// Stable library error kinds; each maps to one JS `code` string in errors.cc.
enum class ErrorKind {
  kOk = 0,
  kShmExists,
  kShmNotFound,
  kShmPermission,
  kShmNoSpace,
  kShmMapLimit,
  kShmInvalidName,
  kShmClosed,
  kShmOutOfBounds,
  kShmSystem,
  kLockNotOwner,
  kLockDeadlock,
  kLockNotRecoverable,
  kLockInvalid,
  kLockSystem,
  kInvalidArgument,
};

struct Status {
  ErrorKind kind = ErrorKind::kOk;
  int os_error = 0;              // errno (POSIX) or GetLastError() (Windows); 0 if none
  const char* syscall = nullptr; // the failing OS call, if any
  // Static text, or text from DetailText(). With an OS error too, it comes
  // before the OS's own message.
  const char* detail = nullptr;

  bool ok() const { return kind == ErrorKind::kOk; }

  static Status Ok() { return Status{}; }
  static Status Os(ErrorKind k, int err, const char* call) {
    Status s;
    s.kind = k;
    s.os_error = err;
    s.syscall = call;
    return s;
  }
  static Status Lib(ErrorKind k, const char* text) {
    Status s;
    s.kind = k;
    s.detail = text;
    return s;
  }
};

// Keeps `text` in this thread's detail buffer and returns it for
// Status::detail: valid until this thread's next DetailText() call, which is
// long enough for the error to be built. For the rare messages with numbers
// in them, so Status itself stays small (it is returned on the lock path).
const char* DetailText(std::string text);

}  // namespace sct
