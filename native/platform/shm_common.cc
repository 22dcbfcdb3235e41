// Name rules and the detail buffer, shared by every platform.
#include <utility>

#include "shm.h"

namespace sct {

const char* DetailText(std::string text) {
  static thread_local std::string buffer;
  buffer = std::move(text);
  return buffer.c_str();
}

Status ValidateName(const std::string& name) {
  if (name.empty()) return Status::Lib(ErrorKind::kShmInvalidName, "segment name is empty");
  if (name.size() > kMaxNameBytes)
    return Status::Lib(ErrorKind::kShmInvalidName, "segment name is too long for this platform");
  for (char c : name) {
    if (c == '/' || c == '\\' || c == '\0')
      return Status::Lib(ErrorKind::kShmInvalidName,
                         "segment name must not contain '/', '\\' or NUL");
  }
  if (name == "." || name == "..")
    return Status::Lib(ErrorKind::kShmInvalidName, "segment name must not be '.' or '..'");
  return Status::Ok();
}

}  // namespace sct
