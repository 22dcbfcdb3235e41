// Windows segments: pagefile-backed file mappings in the session's "Local"
// namespace. A mapping object lives while any process holds a handle, so
// "unlink" has nothing to remove; SPEC documents the difference.
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <cstdint>

#include "shm.h"
#include "win_util.h"

namespace sct {

bool Utf8ToWide(const std::string& in, std::wstring* out) {
  out->clear();
  if (in.empty()) return true;
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, in.data(), static_cast<int>(in.size()),
                              nullptr, 0);
  if (n <= 0) return false;
  out->resize(static_cast<size_t>(n));
  return MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, in.data(), static_cast<int>(in.size()),
                             &(*out)[0], n) == n;
}

namespace {

ErrorKind KindForError(DWORD err) {
  switch (err) {
    case ERROR_ALREADY_EXISTS: return ErrorKind::kShmExists;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND: return ErrorKind::kShmNotFound;
    case ERROR_ACCESS_DENIED: return ErrorKind::kShmPermission;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_COMMITMENT_LIMIT:
    case ERROR_DISK_FULL: return ErrorKind::kShmNoSpace;
    case ERROR_INVALID_NAME:
    case ERROR_FILENAME_EXCED_RANGE: return ErrorKind::kShmInvalidName;
    default: return ErrorKind::kShmSystem;
  }
}

Status Fail(DWORD err, const char* call) {
  return Status::Os(KindForError(err), static_cast<int>(err), call);
}

Status WideName(const std::string& name, std::wstring* out) {
  Status valid = ValidateName(name);
  if (!valid.ok()) return valid;
  std::wstring wide;
  if (!Utf8ToWide(name, &wide))
    return Status::Lib(ErrorKind::kShmInvalidName, "segment name is not valid UTF-8");
  *out = L"Local\\sharedctypes." + wide;
  return Status::Ok();
}

}  // namespace

Status ShmCreate(const std::string& name, size_t size, unsigned mode, bool reserve, Mapping* out) {
  (void)mode;  // the default DACL (creator and SYSTEM) stands in for 0600
  std::wstring wname;
  Status st = WideName(name, &wname);
  if (!st.ok()) return st;
  if (size == 0) return Status::Lib(ErrorKind::kInvalidArgValue, "segment size must be positive");
  const uint64_t size64 = static_cast<uint64_t>(size);
  // SEC_COMMIT charges the whole size against the commit limit now, so an
  // oversized request fails here: Windows reserves whether asked or not.
  (void)reserve;
  HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE | SEC_COMMIT,
                                static_cast<DWORD>(size64 >> 32),
                                static_cast<DWORD>(size64 & 0xffffffffu), wname.c_str());
  if (h == nullptr) return Fail(GetLastError(), "CreateFileMappingW");
  if (GetLastError() == ERROR_ALREADY_EXISTS) {
    CloseHandle(h);
    return Fail(ERROR_ALREADY_EXISTS, "CreateFileMappingW");
  }
  void* addr = MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, size);
  if (addr == nullptr) {
    DWORD err = GetLastError();
    CloseHandle(h);
    return Fail(err, "MapViewOfFile");
  }
  out->addr = addr;
  out->size = size;
  out->handle = h;
  return Status::Ok();
}

Status ShmOpen(const std::string& name, bool allow_other_owner, Mapping* out) {
  // No owner check here yet: a named file mapping's owner is in its security
  // descriptor, not a uid; the POSIX check has no Windows equivalent so far.
  (void)allow_other_owner;
  std::wstring wname;
  Status st = WideName(name, &wname);
  if (!st.ok()) return st;
  // Read and write are all a view needs; FILE_MAP_ALL_ACCESS would also ask
  // for WRITE_DAC, WRITE_OWNER and DELETE, which a peer's DACL may refuse.
  HANDLE h = OpenFileMappingW(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, wname.c_str());
  if (h == nullptr) return Fail(GetLastError(), "OpenFileMappingW");
  void* addr = MapViewOfFile(h, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
  if (addr == nullptr) {
    DWORD err = GetLastError();
    CloseHandle(h);
    return Fail(err, "MapViewOfFile");
  }
  // The view covers whole pages; the segment header records the exact size.
  MEMORY_BASIC_INFORMATION info;
  if (VirtualQuery(addr, &info, sizeof(info)) == 0) {
    DWORD err = GetLastError();
    UnmapViewOfFile(addr);
    CloseHandle(h);
    return Fail(err, "VirtualQuery");
  }
  out->addr = addr;
  out->size = info.RegionSize;
  out->handle = h;
  return Status::Ok();
}

Status ShmIdentity(const std::string& name, std::string* out) {
  // A name keeps its object while any handle is open (ours included), so a
  // mapping we hold is always the one the name means: no identity needed.
  Status st = ShmUnlink(name);  // only reports whether the name exists
  if (st.ok()) out->clear();
  return st;
}

void ShmUnmap(Mapping* m) {
  if (m->addr != nullptr) UnmapViewOfFile(m->addr);
  if (m->handle != nullptr) CloseHandle(static_cast<HANDLE>(m->handle));
  m->addr = nullptr;
  m->size = 0;
  m->handle = nullptr;
}

Status ShmUnlink(const std::string& name) {
  std::wstring wname;
  Status st = WideName(name, &wname);
  if (!st.ok()) return st;
  // Nothing to remove: the object goes away with its last handle. Report a
  // missing name the way POSIX does, so unlink(name) behaves the same.
  HANDLE h = OpenFileMappingW(FILE_MAP_READ, FALSE, wname.c_str());
  if (h == nullptr) return Fail(GetLastError(), "OpenFileMappingW");
  CloseHandle(h);
  return Status::Ok();
}

}  // namespace sct
