// POSIX segments: shm_open + ftruncate (+ posix_fallocate on Linux) + mmap.
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/statvfs.h>
#endif

#include <atomic>
#include <cstdint>
#include <vector>

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

// Mappings made here and not yet unmapped, by every thread of the process.
std::atomic<size_t> g_live_maps{0};

#if defined(__linux__)
// Mappings kept free for the runtime: at the kernel's limit, V8 cannot grow
// its heap ("FATAL ... heap out of memory") and malloc fails (std::bad_alloc).
// A 256 KiB V8 heap page is a mapping of its own, so 1/16 of the limit
// (4095 at the default 65530: about 1 GiB of heap growth) stays free.
size_t Headroom(size_t limit) {
  const size_t h = limit / 16;
  return h < 256 ? 256 : h > 16384 ? 16384 : h;
}
// Counting the process's mappings reads /proc/self/maps (milliseconds at
// tens of thousands of lines), so it is done only when g_live_maps reaches
// g_check_at, which each count moves halfway to the limit: a few counts in
// all on the way to it, one per mapping only in the last stretch.
std::atomic<size_t> g_check_at{1024};

bool ReadSize(const char* path, size_t* out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[32];
  ssize_t n;
  do {
    n = read(fd, buf, sizeof(buf) - 1);
  } while (n < 0 && errno == EINTR);
  CloseNoIntr(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  size_t v = 0;
  bool any = false;
  for (char* p = buf; *p >= '0' && *p <= '9'; ++p) {
    v = v * 10 + static_cast<size_t>(*p - '0');
    any = true;
  }
  *out = v;
  return any;
}

// Lines of /proc/self/maps: one per mapping.
bool CountMaps(size_t* out) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  // Static buffer: near the limit even a heap allocation may fail.
  static thread_local char buf[16384];
  size_t lines = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      CloseNoIntr(fd);
      return false;
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; ++i) lines += buf[i] == '\n';
  }
  CloseNoIntr(fd);
  *out = lines;
  return true;
}

// `refused`: by CheckMapRoom, before the kernel would have.
Status MapLimitStatus(size_t count, size_t limit, bool refused) {
  Status s = Status::Os(ErrorKind::kShmMapLimit, ENOMEM, "mmap");
  const std::string kept =
      refused ? ", and " + std::to_string(Headroom(limit)) + " are kept free for the runtime" : "";
  s.detail = DetailText("this process has " + std::to_string(count) +
                        " memory mappings and the kernel allows " + std::to_string(limit) +
                        " (vm.max_map_count); " + std::to_string(g_live_maps.load()) +
                        " of them are segments" + kept + "; close segments, keep many objects in "
                        "one segment (unnamed objects share arenas), or raise vm.max_map_count");
  return s;
}

// kShmMapLimit if one more mapping would eat into the runtime's headroom.
Status CheckMapRoom() {
  const size_t ours = g_live_maps.load(std::memory_order_relaxed);
  if (ours < g_check_at.load(std::memory_order_relaxed)) return Status::Ok();
  size_t limit = 0;
  size_t count = 0;
  if (!ReadSize("/proc/sys/vm/max_map_count", &limit) || !CountMaps(&count)) {
    return Status::Ok();  // no /proc: mmap decides, as before
  }
  const size_t room = limit > count ? limit - count : 0;
  const size_t headroom = Headroom(limit);
  if (room <= headroom) return MapLimitStatus(count, limit, true);
  g_check_at.store(ours + (room - headroom) / 2 + 1, std::memory_order_relaxed);
  return Status::Ok();
}

// mmap's ENOMEM is the map limit when the process is at it; otherwise it
// stays what it was (out of address space or memory).
Status MmapFailure(int err) {
  size_t limit = 0;
  size_t count = 0;
  if (err == ENOMEM && ReadSize("/proc/sys/vm/max_map_count", &limit) && CountMaps(&count) &&
      count + 8 >= limit) {
    return MapLimitStatus(count, limit, false);
  }
  return Fail(err, "mmap");
}
#else
Status CheckMapRoom() { return Status::Ok(); }
Status MmapFailure(int err) { return Fail(err, "mmap"); }
#endif

Status MapFd(int fd, size_t size, Mapping* out) {
  out->addr = nullptr;
  out->size = 0;
  if (size == 0) return Status::Ok();
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) return MmapFailure(errno);
  g_live_maps.fetch_add(1, std::memory_order_relaxed);
  out->addr = addr;
  out->size = size;
  return Status::Ok();
}

// "uid 65534 (nobody)", or just the uid when it has no name.
std::string DescribeUid(uid_t uid) {
  std::string text = "uid " + std::to_string(static_cast<unsigned long>(uid));
  struct passwd pw;
  struct passwd* found = nullptr;
  std::vector<char> buf(4096);
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr &&
      found->pw_name != nullptr) {
    text += " (";
    text += found->pw_name;
    text += ")";
  }
  return text;
}

Status OtherOwnerStatus(uid_t owner) {
  // A peer who creates the name first would otherwise feed this process its data.
  return Status::Lib(ErrorKind::kShmPermission,
                     DetailText("it belongs to " + DescribeUid(owner) +
                                ", not to this process's user (" + DescribeUid(geteuid()) +
                                "); pass allowOtherOwners: true to trust segments of other users"));
}

}  // namespace

Status ShmCreate(const std::string& name, size_t size, unsigned mode, bool reserve, Mapping* out) {
  Status valid = ValidateName(name);
  if (!valid.ok()) return valid;
  if (size == 0) return Status::Lib(ErrorKind::kInvalidArgValue, "segment size must be positive");
  if (static_cast<uint64_t>(size) > static_cast<uint64_t>(INT64_MAX))
    return Status::Os(ErrorKind::kShmNoSpace, EFBIG, "ftruncate");
  Status room = CheckMapRoom();
  if (!room.ok()) return room;
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

Status ShmOpen(const std::string& name, bool allow_other_owner, Mapping* out) {
  Status valid = ValidateName(name);
  if (!valid.ok()) return valid;
  Status room = CheckMapRoom();
  if (!room.ok()) return room;
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
  } else if (sb.st_uid != geteuid() && !allow_other_owner) {
    // fstat of the fd we map: the owner checked is the owner of these bytes.
    st = OtherOwnerStatus(sb.st_uid);
  } else {
    st = MapFd(fd, static_cast<size_t>(sb.st_size), out);
    if (st.ok()) out->identity = IdentityOf(sb);
    out->other_owner = sb.st_uid != geteuid();
  }
  CloseNoIntr(fd);
  return st;
}

Status ShmIdentity(const std::string& name, std::string* out) {
  Status valid = ValidateName(name);
  if (!valid.ok()) return valid;
  struct stat sb;
#if defined(__linux__)
  // glibc's shm_open opens /dev/shm/<name>: one stat() answers without an fd
  // (asked on every attach of a segment this process already maps).
  const std::string path = "/dev/shm/" + name;
  if (stat(path.c_str(), &sb) != 0) return Fail(errno, "stat");
#else
  int fd;
  do {
    fd = shm_open(OsName(name).c_str(), O_RDONLY, 0);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Fail(errno, "shm_open");
  const int rc = fstat(fd, &sb);
  const int err = errno;
  CloseNoIntr(fd);
  if (rc != 0) return Fail(err, "fstat");
#endif
  *out = IdentityOf(sb);
  return Status::Ok();
}

void ShmUnmap(Mapping* m) {
  if (m->addr != nullptr && munmap(m->addr, m->size) == 0) {
    g_live_maps.fetch_sub(1, std::memory_order_relaxed);
  }
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
