// Turning platform Status values and bad JS arguments into JS errors with a
// stable `code`. The only place error codes are spelled on the native side.
#pragma once

#include <napi.h>

#include <string>

#include "status.h"

namespace sct {

const char* CodeFor(ErrorKind kind);

// Throws (as a C++ exception carrying the JS error) an Error with `code`,
// and, for OS failures, `errno`, `syscall` and the OS's own message.
[[noreturn]] void ThrowStatus(Napi::Env env, const Status& st, const std::string& context);

[[noreturn]] void ThrowTypeError(Napi::Env env, const char* code, const std::string& message);
[[noreturn]] void ThrowRangeError(Napi::Env env, const char* code, const std::string& message);

}  // namespace sct
