// Platform-neutral result of a platform-layer call. The platform layer knows
// nothing of Node: it returns a Status, and errors.cc turns it into the JS
// error (the glue layer describes its own failures, bad arguments included,
// as a Status too).
#pragma once

#include <string>

namespace sct {

// Every error the native layer can raise, as a kind: errors.cc maps each to
// its one JS `code` and picks the JS class (TypeError for bad argument types
// and values, RangeError for out-of-range and too-large, SharedCtypesError for
// the rest), so no other file spells a code or chooses a class.
enum class ErrorKind {
  kOk = 0,
  kShmExists,
  kShmNotFound,
  kShmPermission,
  kShmNoSpace,
  kShmMapLimit,
  kShmInvalidName,
  kShmClosed,
  kShmTooLarge,
  kShmSystem,
  kLockNotOwner,
  kLockDeadlock,
  kLockNotRecoverable,
  kLockInvalid,
  kLockSystem,
  kInvalidArgType,
  kInvalidArgValue,
  kOutOfRange,
  kIllegalConstructor,
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
  // A failure with no text of its own: the glue passes its whole message as
  // the context (for messages built at run time).
  static Status Of(ErrorKind k) { return Lib(k, nullptr); }
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

// The OS's own message for `os_error`, in UTF-8 (status_posix.cc, status_win.cc).
std::string OsMessage(int os_error);
// `os_error` as Node's errors carry `errno`: libuv's negative numbers on
// POSIX, the Windows error code as it is on Windows.
double ErrnoForJs(int os_error);

}  // namespace sct
