// JS errors for native failures.
#include "errors.h"

#include <cstring>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#endif

namespace sct {
namespace {

#ifdef _WIN32
// FormatMessageA would answer in the ANSI code page, which is not UTF-8 on
// most non-English systems; ask for UTF-16 and convert, as JS wants UTF-8.
std::string OsMessage(int err) {
  wchar_t wbuf[512];
  DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
                           static_cast<DWORD>(err), 0, wbuf,
                           static_cast<DWORD>(sizeof(wbuf) / sizeof(wbuf[0])), nullptr);
  while (n > 0 && (wbuf[n - 1] == L'\r' || wbuf[n - 1] == L'\n' || wbuf[n - 1] == L'.')) --n;
  if (n > 0) {
    char buf[4 * sizeof(wbuf) / sizeof(wbuf[0])];  // UTF-8 needs at most 3 bytes per UTF-16 unit
    const int len = WideCharToMultiByte(CP_UTF8, 0, wbuf, static_cast<int>(n), buf,
                                        static_cast<int>(sizeof(buf)), nullptr, nullptr);
    if (len > 0) return std::string(buf, static_cast<size_t>(len));
  }
  return "Windows error " + std::to_string(err);
}
#else
// strerror_r comes in two flavours (GNU returns the text, XSI fills the
// buffer); overloads pick whichever this libc declared.
inline const char* Pick(int rc, const char* buf) { return rc == 0 ? buf : "unknown error"; }
inline const char* Pick(const char* text, const char*) { return text; }

std::string OsMessage(int err) {
  char buf[256];
  buf[0] = '\0';
  return Pick(strerror_r(err, buf, sizeof(buf)), buf);
}
#endif

bool IsRangeKind(ErrorKind kind) { return kind == ErrorKind::kShmOutOfBounds; }

}  // namespace

const char* CodeFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kOk: return "ERR_OK";
    case ErrorKind::kShmExists: return "ERR_SHM_EXISTS";
    case ErrorKind::kShmNotFound: return "ERR_SHM_NOT_FOUND";
    case ErrorKind::kShmPermission: return "ERR_SHM_PERMISSION";
    case ErrorKind::kShmNoSpace: return "ERR_SHM_NO_SPACE";
    case ErrorKind::kShmMapLimit: return "ERR_SHM_MAP_LIMIT";
    case ErrorKind::kShmInvalidName: return "ERR_SHM_INVALID_NAME";
    case ErrorKind::kShmClosed: return "ERR_SHM_CLOSED";
    case ErrorKind::kShmOutOfBounds: return "ERR_OUT_OF_RANGE";
    case ErrorKind::kShmSystem: return "ERR_SHM_SYSTEM";
    case ErrorKind::kLockNotOwner: return "ERR_LOCK_NOT_OWNER";
    case ErrorKind::kLockDeadlock: return "ERR_LOCK_DEADLOCK";
    case ErrorKind::kLockNotRecoverable: return "ERR_LOCK_NOT_RECOVERABLE";
    case ErrorKind::kLockInvalid: return "ERR_LOCK_INVALID";
    case ErrorKind::kLockSystem: return "ERR_LOCK_SYSTEM";
    case ErrorKind::kInvalidArgument: return "ERR_INVALID_ARG_VALUE";
  }
  return "ERR_SHM_SYSTEM";
}

void ThrowStatus(Napi::Env env, const Status& st, const std::string& context) {
  std::string message = context;
  if (st.os_error != 0 && st.detail != nullptr) {
    // "context: what happened (OS message, syscall)"
    message += ": ";
    message += st.detail;
    message += " (";
    message += OsMessage(st.os_error);
    if (st.syscall != nullptr) {
      message += ", ";
      message += st.syscall;
    }
    message += ")";
  } else if (st.os_error != 0) {
    message += ": ";
    message += OsMessage(st.os_error);
    if (st.syscall != nullptr) {
      message += " (";
      message += st.syscall;
      message += ")";
    }
  } else if (st.detail != nullptr) {
    message += ": ";
    message += st.detail;
  }
  Napi::Error error = IsRangeKind(st.kind) ? Napi::RangeError::New(env, message)
                      : st.kind == ErrorKind::kInvalidArgument
                          ? Napi::TypeError::New(env, message)
                          : Napi::Error::New(env, message);
  Napi::Object obj = error.Value();
  obj.Set("code", Napi::String::New(env, CodeFor(st.kind)));
  if (st.os_error != 0) {
#ifdef _WIN32
    obj.Set("errno", Napi::Number::New(env, st.os_error));
#else
    obj.Set("errno", Napi::Number::New(env, -st.os_error));  // libuv's sign, as Node's own errors
#endif
    if (st.syscall != nullptr) obj.Set("syscall", Napi::String::New(env, st.syscall));
  }
  throw error;
}

void ThrowTypeError(Napi::Env env, const char* code, const std::string& message) {
  Napi::TypeError error = Napi::TypeError::New(env, message);
  error.Value().Set("code", Napi::String::New(env, code));
  throw error;
}

void ThrowRangeError(Napi::Env env, const char* code, const std::string& message) {
  Napi::RangeError error = Napi::RangeError::New(env, message);
  error.Value().Set("code", Napi::String::New(env, code));
  throw error;
}

}  // namespace sct

namespace sct {

napi_value PendStatus(napi_env env, const Status& st, const char* context) {
  try {
    ThrowStatus(Napi::Env(env), st, context);
  } catch (const Napi::Error& e) {
    napi_throw(env, e.Value());
  } catch (...) {
    napi_throw_error(env, CodeFor(st.kind), context);
  }
  return nullptr;
}

napi_value PendTypeError(napi_env env, const char* code, const char* message) {
  try {
    ThrowTypeError(Napi::Env(env), code, message);
  } catch (const Napi::Error& e) {
    napi_throw(env, e.Value());
  } catch (...) {
    napi_throw_type_error(env, code, message);
  }
  return nullptr;
}

napi_value PendRangeError(napi_env env, const char* code, const char* message) {
  try {
    ThrowRangeError(Napi::Env(env), code, message);
  } catch (const Napi::Error& e) {
    napi_throw(env, e.Value());
  } catch (...) {
    napi_throw_range_error(env, code, message);
  }
  return nullptr;
}

}  // namespace sct
