// The OS's words for a Windows error code, and the code as Node reports it.
#include <windows.h>

#include <string>

#include "status.h"

namespace sct {

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

double ErrnoForJs(int err) { return static_cast<double>(err); }  // as GetLastError() gave it

}  // namespace sct
