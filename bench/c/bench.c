/*
 * C baseline for the sharedctypes bench: the same operations with nothing in
 * between the program and the OS, i.e. the physical limit on this machine.
 *
 *   cc -O2 -pthread bench.c -o bench -lrt
 *   ./bench CASE PROCS REPS TARGET_MS
 *
 * Prints one JSON line: {"samples":[units per second, ...],"n":ops per rep}.
 * Contended cases fork PROCS children per repetition that start together on a
 * shared flag; a sample is total ops / (last end - first start).
 * Shared memory is MAP_SHARED|MAP_ANONYMOUS (nothing in /dev/shm), except the
 * create and attach cases, which unlink every name they make.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BIG_N 1000000 /* elements of the 8 MB double array */
#define SMALL_N 1024  /* elements of the int arrays */

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Keeps the compiler from merging or dropping repeated passes over memory. */
#define CLOBBER(p) __asm__ volatile("" : : "r"(p) : "memory")

static void die(const char *what) {
  perror(what);
  exit(1);
}

/* ---- shared state (anonymous shared memory, inherited across fork) ---- */

struct shared {
  pthread_mutex_t mutex;   /* robust, process-shared */
  pthread_mutex_t rmutex;  /* robust, process-shared, recursive */
  int counter;
  int64_t counter64;
  volatile int go;
  int ready;
  char pad[64];
  int ping;  /* pingpong: on a cache line of its own */
  char pad2[64];
  int64_t start[8], end[8];
  int arr[SMALL_N];
};

static struct shared *S;
static double *big_src, *big_dst;
static int local_ints[SMALL_N];
static volatile double sink;
static char shm_prefix[64];
static long page_size;

static void init_mutex(pthread_mutex_t *m, int recursive) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
  if (recursive) pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
  if (pthread_mutex_init(m, &a) != 0) die("pthread_mutex_init");
  pthread_mutexattr_destroy(&a);
}

/* A robust lock must handle a dead owner, as the library does. */
static inline void robust_lock(pthread_mutex_t *m) {
  int r = pthread_mutex_lock(m);
  if (r == EOWNERDEAD) pthread_mutex_consistent(m);
  else if (r != 0) { errno = r; die("pthread_mutex_lock"); }
}

/* ---- the operations: each runs n of them ---- */

static void w_lockinc(long n) {
  for (long i = 0; i < n; i++) {
    robust_lock(&S->mutex);
    S->counter++;
    pthread_mutex_unlock(&S->mutex);
  }
}

static void w_lock(long n) {
  for (long i = 0; i < n; i++) {
    robust_lock(&S->mutex);
    pthread_mutex_unlock(&S->mutex);
  }
}

static void w_rlock(long n) {
  for (long i = 0; i < n; i++) {
    robust_lock(&S->rmutex);
    pthread_mutex_unlock(&S->rmutex);
  }
}

static void w_atomic32(long n) {
  for (long i = 0; i < n; i++) __atomic_fetch_add(&S->counter, 1, __ATOMIC_SEQ_CST);
}

static void w_atomic64(long n) {
  for (long i = 0; i < n; i++) __atomic_fetch_add(&S->counter64, 1, __ATOMIC_SEQ_CST);
}

static void w_syncarr(long n) {
  for (long i = 0; i < n; i++) {
    robust_lock(&S->mutex);
    S->arr[i & (SMALL_N - 1)] = (int)i;
    pthread_mutex_unlock(&S->mutex);
  }
}

/* Index of this worker in a contended run (0 .. procs-1). */
static int worker_index;

/* Two processes take turns bumping one word: n round trips of a cache line
   between their cores. Not a library operation: it shows how far apart the
   host has put the two CPUs, which moves every contended row. */
static void w_pingpong(long n) {
  const int me = worker_index;
  for (long i = 0; i < n; i++) {
    const int mine = (int)(2 * i + 1 + me);
    while (__atomic_load_n(&S->ping, __ATOMIC_ACQUIRE) != mine - 1) {
    }
    __atomic_store_n(&S->ping, mine, __ATOMIC_RELEASE);
  }
}

/* n = passes over 1024 ints */
static void w_incloop(long n) {
  for (long r = 0; r < n; r++) {
    for (int i = 0; i < SMALL_N; i++) local_ints[i]++;
    CLOBBER(local_ints);
  }
}

/* n = passes over the 8 MB array */
static void w_memcpy(long n) {
  for (long r = 0; r < n; r++) {
    memcpy(big_dst, big_src, BIG_N * sizeof(double));
    CLOBBER(big_dst);
  }
}

static void w_fill(long n) {
  for (long r = 0; r < n; r++) {
    for (int i = 0; i < BIG_N; i++) big_dst[i] = 1.5;
    CLOBBER(big_dst);
  }
}

static void w_writeloop(long n) {
  for (long r = 0; r < n; r++) {
    for (int i = 0; i < BIG_N; i++) big_dst[i] = (double)i;
    CLOBBER(big_dst);
  }
}

static void w_sumloop(long n) {
  for (long r = 0; r < n; r++) {
    double s = 0;
    CLOBBER(big_dst);
    for (int i = 0; i < BIG_N; i++) s += big_dst[i];
    sink = s;
  }
}

/* create + free of a named segment: shm_open, ftruncate, mmap, munmap, close, shm_unlink */
static size_t create_size;
static long name_seq;
static void w_create(long n) {
  char name[96];
  for (long i = 0; i < n; i++) {
    snprintf(name, sizeof name, "%s%ld", shm_prefix, name_seq++);
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) die("shm_open");
    if (ftruncate(fd, (off_t)create_size) != 0) { shm_unlink(name); die("ftruncate"); }
    void *p = mmap(NULL, create_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { shm_unlink(name); die("mmap"); }
    munmap(p, create_size);
    close(fd);
    shm_unlink(name);
  }
}

/* attach by name: shm_open an existing segment, fstat for its size, mmap, munmap, close */
static char attach_name[96];
static void w_attach(long n) {
  for (long i = 0; i < n; i++) {
    int fd = shm_open(attach_name, O_RDWR, 0);
    if (fd < 0) die("shm_open attach");
    struct stat st;
    if (fstat(fd, &st) != 0) die("fstat");
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) die("mmap attach");
    close(fd);
    munmap(p, (size_t)st.st_size);
  }
}

static void unlink_attach_name(void) {
  if (attach_name[0]) shm_unlink(attach_name);
}

/* ---- harness ---- */

typedef void (*work_fn)(long);

/* The shortest single worker's time of the last run: what calibration goes by,
   since a worker that was scheduled late stretches the wall time of a short run. */
static int64_t min_elapsed;

/* Runs n ops in each of procs processes started together; returns wall ns. */
static int64_t run_once(work_fn work, int procs, long n) {
  if (procs == 1) {
    int64_t t0 = now_ns();
    work(n);
    return min_elapsed = now_ns() - t0;
  }
  S->go = 0;
  S->ready = 0;
  S->ping = 0;
  pid_t pids[8];
  for (int p = 0; p < procs; p++) {
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
      worker_index = p;
      __atomic_add_fetch(&S->ready, 1, __ATOMIC_SEQ_CST);
      /* Spin (not sleep) so both start at once; give up if the parent is gone. */
      int64_t deadline = now_ns() + 30000000000LL;
      for (long spins = 0; !__atomic_load_n(&S->go, __ATOMIC_ACQUIRE); spins++) {
        if ((spins & 0xfffff) == 0 && now_ns() > deadline) _exit(3);
      }
      S->start[p] = now_ns();
      work(n);
      S->end[p] = now_ns();
      _exit(0);
    }
    pids[p] = pid;
  }
  while (__atomic_load_n(&S->ready, __ATOMIC_ACQUIRE) < procs) sched_yield();
  __atomic_store_n(&S->go, 1, __ATOMIC_RELEASE);
  for (int p = 0; p < procs; p++) {
    int status;
    if (waitpid(pids[p], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "worker failed\n");
      exit(1);
    }
  }
  int64_t first = S->start[0], last = S->end[0];
  min_elapsed = S->end[0] - S->start[0];
  for (int p = 1; p < procs; p++) {
    if (S->start[p] < first) first = S->start[p];
    if (S->end[p] > last) last = S->end[p];
    if (S->end[p] - S->start[p] < min_elapsed) min_elapsed = S->end[p] - S->start[p];
  }
  return last - first;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s CASE PROCS REPS TARGET_MS\n", argv[0]);
    return 2;
  }
  const char *name = argv[1];
  int procs = atoi(argv[2]);
  int reps = atoi(argv[3]);
  double target_ns = atof(argv[4]) * 1e6;
  if (procs < 1 || procs > 8 || reps < 1) return 2;
  page_size = sysconf(_SC_PAGESIZE);
  snprintf(shm_prefix, sizeof shm_prefix, "/sct-bench-%d-", (int)getpid());

  S = mmap(NULL, sizeof *S, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (S == MAP_FAILED) die("mmap");
  init_mutex(&S->mutex, 0);
  init_mutex(&S->rmutex, 1);

  work_fn work = NULL;
  double units = 1; /* units (ops, elements or bytes) per op */
  long check_counter = 0; /* 32 or 64: verify the counter at the end */
  if (!strcmp(name, "lockinc")) work = w_lockinc, check_counter = 32;
  else if (!strcmp(name, "lock")) work = w_lock;
  else if (!strcmp(name, "rlock")) work = w_rlock;
  else if (!strcmp(name, "atomic32")) work = w_atomic32, check_counter = 32;
  else if (!strcmp(name, "atomic64")) work = w_atomic64, check_counter = 64;
  else if (!strcmp(name, "syncarr")) work = w_syncarr, units = 4;
  else if (!strcmp(name, "pingpong")) {
    if (procs != 2) return 2;
    work = w_pingpong, units = 0.5; /* a sample is round trips per second */
  } else if (!strcmp(name, "incloop")) work = w_incloop, units = SMALL_N;
  else if (!strcmp(name, "memcpy") || !strcmp(name, "fill") || !strcmp(name, "writeloop") || !strcmp(name, "sumloop")) {
    big_src = malloc(BIG_N * sizeof(double));
    big_dst = malloc(BIG_N * sizeof(double));
    if (!big_src || !big_dst) die("malloc");
    for (int i = 0; i < BIG_N; i++) big_src[i] = i * 0.5, big_dst[i] = 0;
    units = BIG_N * sizeof(double);
    work = !strcmp(name, "memcpy") ? w_memcpy : !strcmp(name, "fill") ? w_fill : !strcmp(name, "writeloop") ? w_writeloop : w_sumloop;
  } else if (!strcmp(name, "create-page")) work = w_create, create_size = (size_t)page_size;
  else if (!strcmp(name, "create-8mb")) work = w_create, create_size = BIG_N * sizeof(double);
  else if (!strcmp(name, "attach")) {
    snprintf(attach_name, sizeof attach_name, "%sattach", shm_prefix);
    int fd = shm_open(attach_name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) die("shm_open");
    if (ftruncate(fd, page_size) != 0) { shm_unlink(attach_name); die("ftruncate"); }
    close(fd);
    atexit(unlink_attach_name); /* also on die() */
    work = w_attach;
  } else {
    fprintf(stderr, "unknown case %s\n", name);
    return 2;
  }

  /* Calibrate: grow n until a run takes >= 20 ms, then aim for target_ns. */
  long n = 1;
  int64_t t;
  long total = 0;
  for (;;) {
    run_once(work, procs, n);
    t = min_elapsed;
    total += n * procs;
    if (t >= 20000000) break;
    n = t < 2000000 ? n * 10 : (long)((double)n * 30e6 / (double)t) + 1;
  }
  n = (long)((double)n * target_ns / (double)t);
  if (n < 1) n = 1;

  printf("{\"n\":%ld,\"samples\":[", n);
  for (int r = 0; r < reps; r++) {
    t = run_once(work, procs, n);
    total += n * procs;
    printf("%s%.6g", r ? "," : "", (double)n * procs * units * 1e9 / (double)t);
  }
  printf("]");
  if (check_counter == 32 && S->counter != (int)(uint32_t)total) printf(",\"error\":\"counter %d, expected %ld\"", S->counter, total);
  if (check_counter == 64 && S->counter64 != total) printf(",\"error\":\"counter %lld, expected %ld\"", (long long)S->counter64, total);
  printf("}\n");
  return 0;
}
