// POSIX segments: shm_open + ftruncate (+ posix_fallocate on Linux) + mmap.
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/statvfs.h>
#endif

#include <cstdint>

#include "shm.h"

namespace sct {
namespace {

std::string OsName(const std::string& name) { return "/" + name; }

ErrorKind KindForErrno(int err) {
  switch (err) {
    case EEXIST: return ErrorKind::kShmExists;
    case ENOENT: return ErrorKind::kShmNotFound;
    case EACCES:
    case EPERM: return ErrorKind::kShmPermission;
    case ENOSPC:
    case ENOMEM:
    case EFBIG: return ErrorKind::kShmNoSpace;
    case ENAMETOOLONG: return ErrorKind::kShmInvalidName;
    default: return ErrorKind::kShmSystem;
  }
}

Status Fail(int err, const char* call) { return Status::Os(KindForErrno(err), err, call); }

int CloseNoIntr(int fd) {
  // Linux closes the fd even when close() reports EINTR: never retry.
  return close(fd);
}

#if defined(__linux__)
// tmpfs commits pages as they are touched; checking the free space first
// avoids filling RAM before fallocate finally reports ENOSPC.
Status CheckFreeSpace(size_t size) {
  struct statvfs st;
  if (statvfs("/dev/shm", &st) != 0) return Status::Ok();  // no /dev/shm: let fallocate decide
  const uint64_t avail = static_cast<uint64_t>(st.f_bavail) * static_cast<uint64_t>(st.f_frsize);
  if (static_cast<uint64_t>(size) > avail) return Status::Os(ErrorKind::kShmNoSpace, ENOSPC, "statvfs");
  return Status::Ok();
}
#endif

Status Reserve(int fd, size_t size) {
#if defined(__linux__)
  Status free_space = CheckFreeSpace(size);
  if (!free_space.ok()) return free_space;
  int rc;
  do {
    rc = posix_fallocate(fd, 0, static_cast<off_t>(size));
  } while (rc == EINTR);
  // Filesystems without fallocate support keep the sparse behaviour.
  if (rc != 0 && rc != EOPNOTSUPP && rc != ENOSYS && rc != EINVAL) return Fail(rc, "posix_fallocate");
  return Status::Ok();
#else
  (void)fd;
  (void)size;
  return Status::Ok();
#endif
}

std::string IdentityOf(const struct stat& sb) {
  return std::to_string(static_cast<unsigned long long>(sb.st_dev)) + ":" +
         std::to_string(static_cast<unsigned long long>(sb.st_ino));
}

Status MapFd(int fd, size_t size, Mapping* out) {
  out->addr = nullptr;
  out->size = 0;
  if (size == 0) return Status::Ok();
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) return Fail(errno, "mmap");
  out->addr = addr;
  out->size = size;
  return Status::Ok();
}

}  // namespace

Status ShmCreate(const std::string& name, size_t size, unsigned mode, bool reserve, Mapping* out) {
  Status valid = ValidateName(name);
  if (!valid.ok()) return valid;
  if (size == 0) return Status::Lib(ErrorKind::kInvalidArgument, "segment size must be positive");
  if (static_cast<uint64_t>(size) > static_cast<uint64_t>(INT64_MAX))
    return Status::Os(ErrorKind::kShmNoSpace, EFBIG, "ftruncate");
  const std::string os_name = OsName(name);
  int fd;
  do {
    fd = shm_open(os_name.c_str(), O_RDWR | O_CREAT | O_EXCL, static_cast<mode_t>(mode & 0777));
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Fail(errno, "shm_open");

  Status st;
  // shm_open applies the umask; the caller's mode is the contract.
  if (fchmod(fd, static_cast<mode_t>(mode & 0777)) != 0) st = Fail(errno, "fchmod");
  if (st.ok()) {
    int rc;
    do {
      rc = ftruncate(fd, static_cast<off_t>(size));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) st = Fail(errno, "ftruncate");
  }
  if (st.ok() && reserve) st = Reserve(fd, size);
  struct stat sb;
  if (st.ok() && fstat(fd, &sb) != 0) st = Fail(errno, "fstat");
  if (st.ok()) st = MapFd(fd, size, out);
  if (st.ok()) out->identity = IdentityOf(sb);
  CloseNoIntr(fd);
  if (!st.ok()) shm_unlink(os_name.c_str());
  return st;
}

Status ShmOpen(const std::string& name, Mapping* out) {
  Status valid = ValidateName(name);
  if (!valid.ok()) return valid;
  const std::string os_name = OsName(name);
  int fd;
  do {
    fd = shm_open(os_name.c_str(), O_RDWR, 0);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Fail(errno, "shm_open");
  struct stat sb;
  Status st;
  if (fstat(fd, &sb) != 0) {
    st = Fail(errno, "fstat");
  } else if (sb.st_size < 0) {
    st = Status::Lib(ErrorKind::kShmSystem, "segment reports a negative size");
  } else {
    st = MapFd(fd, static_cast<size_t>(sb.st_size), out);
    if (st.ok()) out->identity = IdentityOf(sb);
  }
  CloseNoIntr(fd);
  return st;
}

Status ShmIdentity(const std::string& name, std::string* out) {
  Status valid = ValidateName(name);
  if (!valid.ok()) return valid;
  int fd;
  do {
    fd = shm_open(OsName(name).c_str(), O_RDONLY, 0);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Fail(errno, "shm_open");
  struct stat sb;
  Status st;
  if (fstat(fd, &sb) != 0) st = Fail(errno, "fstat");
  else *out = IdentityOf(sb);
  CloseNoIntr(fd);
  return st;
}

void ShmUnmap(Mapping* m) {
  if (m->addr != nullptr) munmap(m->addr, m->size);
  m->addr = nullptr;
  m->size = 0;
}

Status ShmUnlink(const std::string& name) {
  Status valid = ValidateName(name);
  if (!valid.ok()) return valid;
  if (shm_unlink(OsName(name).c_str()) != 0) return Fail(errno, "shm_unlink");
  return Status::Ok();
}

}  // namespace sct
