// Turning platform Status values and bad JS arguments into JS errors with a
// stable `code`. The only place error codes are spelled on the native side.
#pragma once

#include <napi.h>

#include <string>

#include "../platform/status.h"

namespace sct {

const char* CodeFor(ErrorKind kind);

// Throws (as a C++ exception carrying the JS error) an Error with `code`,
// and, for OS failures, `errno`, `syscall` and the OS's own message.
[[noreturn]] void ThrowStatus(Napi::Env env, const Status& st, const std::string& context);

[[noreturn]] void ThrowTypeError(Napi::Env env, const char* code, const std::string& message);
[[noreturn]] void ThrowRangeError(Napi::Env env, const char* code, const std::string& message);

}  // namespace sct

namespace sct {

// For raw Node-API callbacks (no C++ exception may escape them): sets the
// same JS error as pending and returns nullptr for the callback to return.
napi_value PendStatus(napi_env env, const Status& st, const char* context);
napi_value PendTypeError(napi_env env, const char* code, const char* message);
napi_value PendRangeError(napi_env env, const char* code, const char* message);

}  // namespace sct
