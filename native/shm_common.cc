// Name rules shared by every platform.
#include "shm.h"

namespace sct {

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
