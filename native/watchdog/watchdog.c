/* sharedctypes-watchdog: one per process that owns unnamed segments, started
 * by the addon (native/platform/watchdog_posix.cc) with posix_spawn.
 *
 *   stdin  the read end of a pipe whose only write end the parent holds: EOF
 *          means the parent is gone, however it died (SIGKILL included), or
 *          retired this watchdog;
 *   fd 3   the registry: the parent's own open file, appended synchronously
 *          ("+name" / "-name" lines), read here by position;
 *   argv   [1] the registry path (only to remove it), [2] the parent's pid.
 *
 * At EOF it removes every name the registry lists as live and whose segment is
 * the parent's (owner_check.h), removes the registry file and exits. Plain C
 * and no Node: it idles at about 1 MiB RSS. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include "../platform/owner_check.h"

#define REGISTRY_FD 3

/* Drops every descriptor but 0..3: nothing of the parent's (sockets, files,
 * another child's pipe) stays open in here. The spawner already gave us
 * /dev/null as 1 and 2. */
static void close_inherited(void) {
#if defined(__linux__) && defined(SYS_close_range)
  if (syscall(SYS_close_range, 4u, ~0u, 0u) == 0) return;
#endif
  struct rlimit rl;
  long max = 1024;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) max = (long)rl.rlim_cur;
  if (max > 65536) max = 65536;
  for (long fd = 4; fd < max; fd++) close((int)fd);
}

/* Blocks until EOF (or an error) on stdin; nothing is ever sent. */
static void wait_for_eof(void) {
  char buf[256];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n > 0) continue;
    if (n == 0) return;
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      struct pollfd p = {0, POLLIN, 0};
      poll(&p, 1, -1);
      continue;
    }
    return; /* EBADF and the like: the parent cannot be watched; clean up now */
  }
}

/* The whole registry, NUL-terminated, read by position (the parent's offset
 * is shared with us). NULL when it cannot be read. */
static char* read_registry(size_t* size_out) {
  struct stat st;
  if (fstat(REGISTRY_FD, &st) != 0 || st.st_size < 0) return NULL;
  size_t size = (size_t)st.st_size;
  char* buf = malloc(size + 1);
  if (buf == NULL) return NULL;
  size_t done = 0;
  while (done < size) {
    ssize_t n = pread(REGISTRY_FD, buf + done, size - done, (off_t)done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += (size_t)n;
  }
  buf[done] = '\0';
  *size_out = done;
  return buf;
}

struct entry {
  char* name;
  size_t seq;
  char op;
};

static int by_name_then_seq(const void* a, const void* b) {
  const struct entry* x = a;
  const struct entry* y = b;
  int c = strcmp(x->name, y->name);
  if (c != 0) return c;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void remove_name(const char* name, uint32_t parent) {
  if (!sct_segment_is_ours(name, parent)) return;
  char os_name[SCT_NAME_MAX + 2];
  os_name[0] = '/';
  memcpy(os_name + 1, name, strlen(name) + 1);
  shm_unlink(os_name); /* ENOENT: the parent got there first */
}

/* Removes the live names: a name is live if its last line is '+'. Malformed
 * lines and a torn last line (no '\n': never a whole name) are skipped. */
static void clean_up(uint32_t parent) {
  size_t size = 0;
  char* log = read_registry(&size);
  if (log == NULL) return;
  size_t lines = 0;
  for (size_t i = 0; i < size; i++) lines += log[i] == '\n';
  struct entry* entries = calloc(lines + 1, sizeof *entries);
  /* Each decoded name and its NUL fit in the line it came from. */
  char* names = malloc(size + 1);
  if (entries == NULL || names == NULL) {
    free(entries);
    free(names);
    free(log);
    return;
  }
  size_t count = 0;
  char* out = names;
  for (char* line = log; line < log + size;) {
    char* nl = memchr(line, '\n', (size_t)(log + size - line));
    if (nl == NULL) break; /* torn write */
    size_t len = (size_t)(nl - line);
    if (len >= 2 && (line[0] == '+' || line[0] == '-')) {
      char decoded[SCT_NAME_MAX + 1];
      long n = len - 1 <= 3 * SCT_NAME_MAX ? sct_decode_name(line + 1, len - 1, decoded) : -1;
      if (n > 0) {
        memcpy(out, decoded, (size_t)n + 1);
        entries[count].name = out;
        entries[count].seq = count;
        entries[count].op = line[0];
        out += n + 1;
        count++;
      }
    }
    line = nl + 1;
  }
  qsort(entries, count, sizeof *entries, by_name_then_seq);
  for (size_t i = 0; i < count; i++) {
    int last_of_name = i + 1 == count || strcmp(entries[i].name, entries[i + 1].name) != 0;
    if (last_of_name && entries[i].op == '+') remove_name(entries[i].name, parent);
  }
  free(entries);
  free(names);
  free(log);
}

/* Removes the registry path if it still names our file (a /tmp cleaner, or
 * the parent's exit handler, may have removed it already). */
static void remove_registry_path(const char* path) {
  struct stat a, b;
  if (fstat(REGISTRY_FD, &a) != 0 || lstat(path, &b) != 0) return;
  if (a.st_ino == b.st_ino && a.st_dev == b.st_dev) unlink(path);
}

int main(int argc, char** argv) {
  /* Outlive the parent: a Ctrl-C to its group, a hangup, or systemd's SIGTERM
   * to the whole cgroup must not stop us before our job is done. */
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  setsid(); /* EPERM if the spawner already made us a session leader */
  if (chdir("/") != 0) {
    /* keep going: holding the parent's cwd busy is a nuisance, not a failure */
  }
  close_inherited();
  if (argc < 3) return 2;
  char* end = NULL;
  unsigned long parent = strtoul(argv[2], &end, 10);
  if (end == argv[2] || *end != '\0' || parent == 0 || parent > UINT32_MAX) return 2;

  wait_for_eof();
  clean_up((uint32_t)parent);
  remove_registry_path(argv[1]);
  return 0;
}
