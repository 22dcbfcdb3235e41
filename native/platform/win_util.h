// Windows helpers shared by shm_win.cc and mutex_win.cc.
#pragma once
#ifdef _WIN32

#include <string>

namespace sct {

// UTF-8 -> UTF-16 for the ...W Win32 calls; returns false on invalid UTF-8.
bool Utf8ToWide(const std::string& in, std::wstring* out);

}  // namespace sct

#endif
