"""Python side of the sharedctypes bench: multiprocessing doing the same work.

    python3 bench.py CASE PROCS REPS TARGET_MS

Prints one JSON line: {"samples": [units per second, ...], "n": ops per rep}.
Contended cases fork PROCS workers per repetition that start together on a
shared flag; a sample is total ops / (last end - first start).
stdlib only.
"""
import array
import json
import os
import sys
import time
import multiprocessing
from multiprocessing import sharedctypes, shared_memory, resource_tracker

ctx = multiprocessing.get_context("fork")
now = time.monotonic_ns  # CLOCK_MONOTONIC, comparable across processes

BIG_N = 1_000_000
SMALL_N = 1024


# ---- the operations: make() builds the shared state, work(state, n) does n ops ----

def make_value():
    return {"v": sharedctypes.Value("i", 0, ctx=ctx)}


def w_lockinc(st, n):
    v = st["v"]
    for _ in range(n):
        with v.get_lock():
            v.value += 1


def w_acqrel(st, n):
    v = st["v"]
    for _ in range(n):
        v.acquire()
        v.get_obj().value += 1
        v.release()


def w_lock(st, n):
    lock = st["lock"]
    for _ in range(n):
        lock.acquire()
        lock.release()


def make_syncarr():
    return {"a": sharedctypes.Array("i", SMALL_N, ctx=ctx)}


def w_syncarr(st, n):
    a = st["a"]
    for i in range(n):
        a[i & 1023] = i


def make_small_raw():
    return {"a": sharedctypes.RawArray("i", SMALL_N)}


def w_incloop(st, n):  # n passes over 1024 ints
    a = st["a"]
    for _ in range(n):
        for i in range(SMALL_N):
            a[i] += 1


def make_big():
    return {"a": sharedctypes.RawArray("d", BIG_N), "src": array.array("d", range(BIG_N))}


def w_set(st, n):  # n copies of 8 MB
    a, src = st["a"], st["src"]
    for _ in range(n):
        a[:] = src


def w_fill(st, n):  # Python has no fill: assign a list of the value
    a = st["a"]
    for _ in range(n):
        a[:] = [1.5] * BIG_N


def w_writeloop(st, n):
    a = st["a"]
    for _ in range(n):
        for i in range(BIG_N):
            a[i] = i


def w_sumloop(st, n):
    a = st["a"]
    for _ in range(n):
        s = 0.0
        for x in a:
            s += x
    st["sink"] = s


def w_create_value(st, n):
    for _ in range(n):
        v = sharedctypes.Value("i", 0, ctx=ctx)
        del v


def w_create_rawvalue(st, n):
    for _ in range(n):
        v = sharedctypes.RawValue("i", 0)
        del v


def w_create_rawarray_small(st, n):
    for _ in range(n):
        a = sharedctypes.RawArray("d", 1000)
        del a


def w_create_rawarray_big(st, n):
    for _ in range(n):
        a = sharedctypes.RawArray("d", BIG_N)
        del a


def make_attach():
    # Python 3.8-3.12 registers every attach with the resource tracker, which
    # would then unlink the segment at exit; the usual workaround (what 3.13's
    # track=False does) is to not register.
    resource_tracker.register = lambda name, rtype: None
    resource_tracker.unregister = lambda name, rtype: None
    name = "sct-bench-%d-pyattach" % os.getpid()
    shm = shared_memory.SharedMemory(name=name, create=True, size=4096)
    return {"shm": shm, "name": name}


def w_attach(st, n):
    name = st["name"]
    for _ in range(n):
        shared_memory.SharedMemory(name=name).close()


CASES = {
    # name: (make, work, units per op, counter to check)
    "lockinc": (make_value, w_lockinc, 1, "v"),
    "acqrel": (make_value, w_acqrel, 1, "v"),
    "lock": (lambda: {"lock": ctx.Lock()}, w_lock, 1, None),
    "rlock": (lambda: {"lock": ctx.RLock()}, w_lock, 1, None),
    "syncarr": (make_syncarr, w_syncarr, 4, None),
    "incloop": (make_small_raw, w_incloop, SMALL_N, None),
    "set": (make_big, w_set, BIG_N * 8, None),
    "fill": (make_big, w_fill, BIG_N * 8, None),
    "writeloop": (make_big, w_writeloop, BIG_N * 8, None),
    "sumloop": (make_big, w_sumloop, BIG_N * 8, None),
    "create-value": (dict, w_create_value, 1, None),
    "create-rawvalue": (dict, w_create_rawvalue, 1, None),
    "create-rawarray-small": (dict, w_create_rawarray_small, 1, None),
    "create-rawarray-big": (dict, w_create_rawarray_big, 1, None),
    "attach": (make_attach, w_attach, 1, None),
}


# ---- harness ----

def child(work, st, n, idx, gen, ctl, times):
    ctl[2 + idx] = gen  # ready
    deadline = time.monotonic() + 30
    while ctl[0] != gen:
        if time.monotonic() > deadline:
            os._exit(3)
    times[2 * idx] = now()
    work(st, n)
    times[2 * idx + 1] = now()


class Runner:
    def __init__(self, work, st, procs):
        self.work, self.st, self.procs = work, st, procs
        self.ctl = sharedctypes.RawArray("i", 2 + procs)  # [0] go generation, [2+i] ready
        self.times = sharedctypes.RawArray("q", 2 * procs)
        self.gen = 0
        self.min_elapsed = 0

    def run(self, n):
        """n ops in each of procs processes started together; returns wall ns."""
        if self.procs == 1:
            t0 = now()
            self.work(self.st, n)
            self.min_elapsed = now() - t0
            return self.min_elapsed
        self.gen += 1
        ps = [ctx.Process(target=child, args=(self.work, self.st, n, i, self.gen, self.ctl, self.times))
              for i in range(self.procs)]
        for p in ps:
            p.start()
        while any(self.ctl[2 + i] != self.gen for i in range(self.procs)):
            if not all(p.is_alive() for p in ps):
                break
            time.sleep(0.0002)
        self.ctl[0] = self.gen
        for p in ps:
            p.join()
            if p.exitcode != 0:
                raise RuntimeError("worker exited with %s" % p.exitcode)
        starts = [self.times[2 * i] for i in range(self.procs)]
        ends = [self.times[2 * i + 1] for i in range(self.procs)]
        self.min_elapsed = min(e - s for s, e in zip(starts, ends))
        return max(ends) - min(starts)


def main():
    case, procs, reps, target_ms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    make, work, units, counter = CASES[case]
    st = make()
    try:
        measure(case, procs, reps, target_ms, work, st, units, counter)
    finally:
        if "shm" in st:
            st["shm"].close()
            st["shm"].unlink()


def measure(case, procs, reps, target_ms, work, st, units, counter):
    r = Runner(work, st, procs)
    target = target_ms * 1e6
    total = 0
    n = 1
    # Calibrate on the shortest worker's time (a worker scheduled late stretches a short run's wall time).
    while True:
        r.run(n)
        total += n * procs
        t = r.min_elapsed
        if t >= 20e6:
            break
        n = n * 10 if t < 2e6 else int(n * 30e6 / t) + 1
    n = max(1, int(n * target / t))
    samples = []
    for _ in range(reps):
        t = r.run(n)
        total += n * procs
        samples.append(n * procs * units * 1e9 / t)
    out = {"n": n, "samples": samples}
    if counter is not None and st[counter].value != total:
        out["error"] = "counter %d, expected %d" % (st[counter].value, total)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
