// The OS's words for an errno, and errno as Node reports it (POSIX).
#include <cstring>
#include <string>

#include "status.h"

namespace sct {
namespace {

// strerror_r comes in two flavours (GNU returns the text, XSI fills the
// buffer); overloads pick whichever this libc declared.
inline const char* Pick(int rc, const char* buf) { return rc == 0 ? buf : "unknown error"; }
inline const char* Pick(const char* text, const char*) { return text; }

}  // namespace

std::string OsMessage(int err) {
  char buf[256];
  buf[0] = '\0';
  return Pick(strerror_r(err, buf, sizeof(buf)), buf);
}

double ErrnoForJs(int err) { return -static_cast<double>(err); }  // libuv's sign, as Node's own errors

}  // namespace sct
