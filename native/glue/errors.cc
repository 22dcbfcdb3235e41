// Status -> JS error: the code table, the choice of class, the message.
#include "errors.h"

#include <cstring>

#include "addon_data.h"

namespace sct {
namespace {

// Which JS class an error of each kind is: Node's conventions for bad
// arguments, the library's own class for everything else. No default case:
// a new kind does not compile (-Wswitch) until it has a class and a code.
enum class JsClass { kLibrary, kType, kRange };

JsClass ClassFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgType:
    case ErrorKind::kInvalidArgValue:
    case ErrorKind::kIllegalConstructor: return JsClass::kType;
    case ErrorKind::kOutOfRange:
    case ErrorKind::kShmTooLarge: return JsClass::kRange;
    case ErrorKind::kOk:
    case ErrorKind::kShmExists:
    case ErrorKind::kShmNotFound:
    case ErrorKind::kShmPermission:
    case ErrorKind::kShmNoSpace:
    case ErrorKind::kShmMapLimit:
    case ErrorKind::kShmInvalidName:
    case ErrorKind::kShmClosed:
    case ErrorKind::kShmSystem:
    case ErrorKind::kLockNotOwner:
    case ErrorKind::kLockDeadlock:
    case ErrorKind::kLockNotRecoverable:
    case ErrorKind::kLockInvalid:
    case ErrorKind::kLockSystem: break;
  }
  return JsClass::kLibrary;
}

// "context: detail (OS message, syscall)", each part only when present.
std::string MessageFor(const Status& st, const char* context) {
  std::string message = context != nullptr ? context : "";
  const auto part = [&message](const std::string& text) {
    if (!message.empty()) message += ": ";
    message += text;
  };
  if (st.os_error != 0 && st.detail != nullptr) {
    part(st.detail);
    message += " (" + OsMessage(st.os_error);
    if (st.syscall != nullptr) message += std::string(", ") + st.syscall;
    message += ")";
  } else if (st.os_error != 0) {
    part(OsMessage(st.os_error));
    if (st.syscall != nullptr) message += std::string(" (") + st.syscall + ")";
  } else if (st.detail != nullptr) {
    part(st.detail);
  }
  if (message.empty()) message = CodeFor(st.kind);
  return message;
}

napi_value String(napi_env env, const char* text) {
  napi_value out = nullptr;
  return napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out) == napi_ok ? out : nullptr;
}

// Sets `errno` and `syscall` on `target` (an error, or the options of one).
void SetOsFields(napi_env env, napi_value target, const Status& st) {
  napi_value number = nullptr;
  if (napi_create_double(env, ErrnoForJs(st.os_error), &number) == napi_ok)
    napi_set_named_property(env, target, "errno", number);
  if (st.syscall != nullptr) {
    napi_value call = String(env, st.syscall);
    if (call != nullptr) napi_set_named_property(env, target, "syscall", call);
  }
}

// The class set by setErrorClasses() for `cls`, or nullptr before that.
napi_value ClassOf(napi_env env, JsClass cls) {
  void* raw = nullptr;
  if (napi_get_instance_data(env, &raw) != napi_ok || raw == nullptr) return nullptr;
  auto* data = static_cast<AddonData*>(raw);
  const Napi::FunctionReference& ref = cls == JsClass::kLibrary ? data->library_error
                                       : cls == JsClass::kType  ? data->type_error
                                                                : data->range_error;
  if (ref.IsEmpty()) return nullptr;
  napi_value ctor = nullptr;
  return napi_get_reference_value(env, ref, &ctor) == napi_ok ? ctor : nullptr;
}

// new SharedCtypesError(code, message, { errno, syscall }) for library errors,
// new TypeError(message) / new RangeError(message) plus `code` for the others.
napi_value Construct(napi_env env, napi_value ctor, JsClass cls, const Status& st, napi_value code,
                     napi_value message) {
  napi_value error = nullptr;
  if (cls == JsClass::kLibrary) {
    napi_value args[3] = {code, message, nullptr};
    size_t argc = 2;
    if (st.os_error != 0 && napi_create_object(env, &args[2]) == napi_ok) {
      SetOsFields(env, args[2], st);
      argc = 3;
    }
    if (napi_new_instance(env, ctor, argc, args, &error) != napi_ok) return nullptr;
    return error;
  }
  if (napi_new_instance(env, ctor, 1, &message, &error) != napi_ok) return nullptr;
  napi_set_named_property(env, error, "code", code);
  if (st.os_error != 0) SetOsFields(env, error, st);
  return error;
}

// A plain Error (or TypeError / RangeError) with `code`, for an environment
// whose lib/ has not handed over its classes (or when constructing failed).
napi_value Plain(napi_env env, JsClass cls, const Status& st, napi_value code, napi_value message) {
  napi_value error = nullptr;
  const napi_status made = cls == JsClass::kType    ? napi_create_type_error(env, code, message, &error)
                           : cls == JsClass::kRange ? napi_create_range_error(env, code, message, &error)
                                                    : napi_create_error(env, code, message, &error);
  if (made != napi_ok) return nullptr;
  if (st.os_error != 0) SetOsFields(env, error, st);
  return error;
}

// The JS error for `st`; nullptr if none could be made (the environment is
// ending), leaving whatever stopped it pending.
napi_value MakeError(napi_env env, const Status& st, const char* context) {
  const JsClass cls = ClassFor(st.kind);
  const std::string text = MessageFor(st, context);
  napi_value code = String(env, CodeFor(st.kind));
  napi_value message = nullptr;
  if (code == nullptr || napi_create_string_utf8(env, text.data(), text.size(), &message) != napi_ok) return nullptr;
  napi_value ctor = ClassOf(env, cls);
  napi_value error = ctor != nullptr ? Construct(env, ctor, cls, st, code, message) : nullptr;
  if (error == nullptr) {
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) != napi_ok || pending) return nullptr;
    error = Plain(env, cls, st, code, message);
  }
  return error;
}

// setErrorClasses(SharedCtypesError, TypeError, RangeError), called by
// lib/base/native.ts right after loading: the classes native errors are made
// of from then on in this environment. A later call (jest evaluates lib/
// again for each test file) replaces them.
Napi::Value SetErrorClasses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsFunction() || !info[1].IsFunction() || !info[2].IsFunction())
    ThrowStatus(env, Status::Lib(ErrorKind::kInvalidArgType,
                                 "setErrorClasses takes (SharedCtypesError, TypeError, RangeError)"));
  AddonData* data = env.GetInstanceData<AddonData>();
  data->library_error = Napi::Persistent(info[0].As<Napi::Function>());
  data->type_error = Napi::Persistent(info[1].As<Napi::Function>());
  data->range_error = Napi::Persistent(info[2].As<Napi::Function>());
  return env.Undefined();
}

}  // namespace

// The only table of code strings on the native side.
const char* CodeFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kShmExists: return "ERR_SHM_EXISTS";
    case ErrorKind::kShmNotFound: return "ERR_SHM_NOT_FOUND";
    case ErrorKind::kShmPermission: return "ERR_SHM_PERMISSION";
    case ErrorKind::kShmNoSpace: return "ERR_SHM_NO_SPACE";
    case ErrorKind::kShmMapLimit: return "ERR_SHM_MAP_LIMIT";
    case ErrorKind::kShmInvalidName: return "ERR_SHM_INVALID_NAME";
    case ErrorKind::kShmClosed: return "ERR_SHM_CLOSED";
    case ErrorKind::kShmTooLarge: return "ERR_SHM_TOO_LARGE";
    case ErrorKind::kLockNotOwner: return "ERR_LOCK_NOT_OWNER";
    case ErrorKind::kLockDeadlock: return "ERR_LOCK_DEADLOCK";
    case ErrorKind::kLockNotRecoverable: return "ERR_LOCK_NOT_RECOVERABLE";
    case ErrorKind::kLockInvalid: return "ERR_LOCK_INVALID";
    case ErrorKind::kLockSystem: return "ERR_LOCK_SYSTEM";
    case ErrorKind::kInvalidArgType: return "ERR_INVALID_ARG_TYPE";
    case ErrorKind::kInvalidArgValue: return "ERR_INVALID_ARG_VALUE";
    case ErrorKind::kOutOfRange: return "ERR_OUT_OF_RANGE";
    case ErrorKind::kIllegalConstructor: return "ERR_ILLEGAL_CONSTRUCTOR";
    case ErrorKind::kShmSystem:
    case ErrorKind::kOk:  // never thrown; a bug if it is, reported as a system failure
      break;
  }
  return "ERR_SHM_SYSTEM";
}

void ThrowStatus(Napi::Env env, const Status& st, const std::string& context) {
  napi_value error = MakeError(env, st, context.c_str());
  if (error == nullptr) throw Napi::Error::New(env);  // carries what is pending
  throw Napi::Error(env, error);
}

napi_value PendStatus(napi_env env, const Status& st, const char* context) {
  napi_value error = nullptr;
  try {
    error = MakeError(env, st, context);
  } catch (...) {  // out of memory building the message
  }
  if (error != nullptr) {
    napi_throw(env, error);
  } else {
    // Never return as if the call succeeded: at least the code gets through.
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && !pending)
      napi_throw_error(env, CodeFor(st.kind), CodeFor(st.kind));
  }
  return nullptr;
}

void ExportErrorFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("setErrorClasses", Napi::Function::New(env, SetErrorClasses, "setErrorClasses"));
}

}  // namespace sct
