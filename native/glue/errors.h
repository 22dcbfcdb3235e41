// The JS errors of the native layer. Every failure is described as a Status
// (platform failures, and the glue's own: bad arguments, a closed segment);
// errors.cc alone turns one into a JS error, spelling its `code` and picking
// its class from the kind. The classes come from the realm that loaded lib/
// (setErrorClasses), so a native error is an instance of the very
// SharedCtypesError, TypeError or RangeError that TypeScript throws.
#pragma once

#include <napi.h>

#include <string>

#include "../platform/status.h"

namespace sct {

const char* CodeFor(ErrorKind kind);

// Throws, as a C++ exception carrying the JS error, the error for `st`, for
// node-addon-api code. Its message is "context: detail (OS message,
// syscall)", each part left out when absent; OS failures also get `errno`
// (libuv's sign) and `syscall`.
[[noreturn]] void ThrowStatus(Napi::Env env, const Status& st, const std::string& context = std::string());

// The same error for raw Node-API callbacks, which no C++ exception may
// leave: sets it pending and returns nullptr for the callback to return.
napi_value PendStatus(napi_env env, const Status& st, const char* context = nullptr);

// Exports setErrorClasses(SharedCtypesError, TypeError, RangeError).
void ExportErrorFunctions(Napi::Env env, Napi::Object exports);

}  // namespace sct
