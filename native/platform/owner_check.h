/* Which registry names the watchdog (and the addon at a thread's end) may
 * remove. Plain C, shared by the helper executable and the addon, POSIX only.
 *
 * A registry line is '+' or '-' and a name percent-encoded (%XX for every byte
 * outside [A-Za-z0-9._~-]), so a name holding '\n' stays on one line. */
#ifndef SCT_OWNER_CHECK_H
#define SCT_OWNER_CHECK_H

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "header_format.h"

/* Longest name accepted (bytes, without the leading '/'); the addon allows 200. */
#define SCT_NAME_MAX 255
/* Bytes of the header the check reads. */
#define SCT_CHECK_BYTES (SCT_OFF_CREATOR_PID + 4)

static inline int sct_safe_name_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '~' || c == '-';
}

/* A name that shm_open("/" name) keeps inside /dev/shm: 1..SCT_NAME_MAX bytes,
 * no '/', no NUL, not "." or "..". */
static inline int sct_valid_name(const char* name, size_t len) {
  if (len == 0 || len > SCT_NAME_MAX) return 0;
  if (memchr(name, '/', len) != NULL || memchr(name, '\0', len) != NULL) return 0;
  if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) return 0;
  return 1;
}

static inline int sct_hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes `len` bytes of an encoded name into out[SCT_NAME_MAX + 1] (NUL
 * terminated); its length, or -1 if malformed or not a valid name. */
static inline long sct_decode_name(const char* in, size_t len, char* out) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= len) return -1;
      int hi = sct_hex(in[i + 1]);
      int lo = sct_hex(in[i + 2]);
      if (hi < 0 || lo < 0) return -1;
      c = (char)(hi * 16 + lo);
      i += 2;
    }
    if (n >= SCT_NAME_MAX) return -1;
    out[n++] = c;
  }
  out[n] = '\0';
  return sct_valid_name(out, n) ? (long)n : -1;
}

/* 1 if the segment `name` is ours to remove for a creator `pid` that is done
 * with it: a complete header ("SCTYPES\0") whose creator pid is `pid`, or a
 * header never finished (magic all zero: the creator writes it last) whose
 * creator pid is `pid` or not yet written (0). A foreign file, another
 * creator's segment, or one we cannot read is never ours. */
static inline int sct_segment_is_ours(const char* name, uint32_t pid) {
  char os_name[SCT_NAME_MAX + 2];
  size_t len = strlen(name);
  if (!sct_valid_name(name, len)) return 0;
  os_name[0] = '/';
  memcpy(os_name + 1, name, len + 1);
#if defined(__linux__)
  int fd = shm_open(os_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
#else
  int fd = shm_open(os_name, O_RDONLY, 0); /* macOS refuses other flags */
#endif
  if (fd < 0) return 0;
  struct stat st;
  int ours = 0;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    unsigned char head[SCT_CHECK_BYTES];
    memset(head, 0, sizeof head);
    size_t have = st.st_size < (off_t)sizeof head ? (size_t)st.st_size : sizeof head;
    int readable = 1;
    if (have > 0) {
      /* mmap, not read(): macOS shm objects cannot be read(). */
      void* p = mmap(NULL, have, PROT_READ, MAP_SHARED, fd, 0);
      if (p == MAP_FAILED) {
        readable = 0;
      } else {
        memcpy(head, p, have);
        munmap(p, have);
      }
    }
    if (readable) {
      static const unsigned char kZero[SCT_MAGIC_BYTES] = {0};
      uint32_t creator = (uint32_t)head[SCT_OFF_CREATOR_PID] | ((uint32_t)head[SCT_OFF_CREATOR_PID + 1] << 8) |
                         ((uint32_t)head[SCT_OFF_CREATOR_PID + 2] << 16) |
                         ((uint32_t)head[SCT_OFF_CREATOR_PID + 3] << 24);
      if (memcmp(head, SCT_MAGIC, SCT_MAGIC_BYTES) == 0) ours = creator == pid;
      else if (memcmp(head, kZero, SCT_MAGIC_BYTES) == 0) ours = creator == pid || creator == 0;
    }
  }
  close(fd);
  return ours;
}

#endif
