// Shared objects across real processes and threads: fork({ shared }) and
// inherited(), descriptors over IPC, attach by name from the header alone,
// worker_threads, cluster, and the lifetime of the segments behind them.
import { ChildProcess } from 'child_process';
import path from 'path';
import { Worker } from 'worker_threads';
import {
  Array as SharedArray,
  attach,
  c_byte,
  c_double,
  c_int,
  fork,
  Lock,
  RawArray,
  RawValue,
  Struct,
  unlink,
  Value,
} from '../dist/index';
import type { ObjectDescriptor } from '../dist/index';
import { Exit, exitOf, forkFixture, killAll, Peer } from './helpers/processes';
import { testName } from './helpers/names';
import { codeOf } from './helpers/errors';
import { peerCode, run, startPeer } from './helpers/peer';
import { shmExists, until } from './helpers/shm';

const fixture = (file: string): string => path.join(__dirname, 'fixtures', file);

// Children made by the library's own fork() are not forkFixture's: track them too.
const forked = new Set<ChildProcess>();
afterEach(async () => {
  await killAll();
  await Promise.all(
    [...forked].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  forked.clear();
});

function messageOf<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve) => child.once('message', (m) => resolve(m as T)));
}

function exitOfChild(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

const Point = Struct({ x: c_double, y: c_double });
const Record3 = Struct({ x: c_double, tags: [c_int, 3], inner: Struct({ k: c_byte }) });

describe('handing objects to child processes', () => {
  test('fork(module, args, { shared }) + inherited(): the child modifies, the parent sees', async () => {
    const counter = Value('i', 5);
    const arr = RawArray('d', [0.5, 1, 2, 4]);
    const s = Value(Record3, { x: 1.25, tags: [1, 2, 3], inner: { k: 7 } });
    const A = SharedArray(Point, [[1, 2], { x: 3 }, [5, 6]]);
    const name = RawArray('c', 16);
    name.value = 'from parent';
    const lock = new Lock();
    lock.acquire();
    const objects = [counter, arr, s, A, name];
    try {
      const child = fork(fixture('fork-child.js'), [], { shared: { counter, arr, s, A, name, lock }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      forked.add(child);
      const exited = exitOfChild(child);
      const seen = await messageOf<Record<string, unknown>>(child);
      expect(seen).toEqual({
        type: 'seen',
        cached: true,
        keys: ['A', 'arr', 'counter', 'lock', 'name', 's'],
        lockKind: 'Lock',
        lockFree: false,
        counter: 5,
        arr: [0.5, 1, 2, 4],
        isFloat64Array: true,
        s: { x: 1.25, tags: [1, 2, 3], inner: 7 },
        A: [
          [1, 2],
          [3, 0],
          [5, 6],
        ],
        name: 'from parent',
      });
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(counter.value).toBe(15);
      expect([...arr]).toEqual([1.5, 1, 2, -2.25]);
      expect([s.x, [...s.tags], s.inner.k]).toEqual([7.5, [1, 5, 3], -3]);
      expect(A.toArray().map((p) => [p.x, p.y])).toEqual([
        [1, 2],
        [3, 9],
        [3, 4],
      ]);
      expect(name.value).toBe('from child');
    } finally {
      lock.release();
      for (const o of objects) o.close();
      lock.close();
    }
  });

  test('child.send({ counter }) + attach(): 2 children x 20,000 locked increments end exact', async () => {
    const counter = Value('i', 0);
    const N = 20000;
    try {
      const kids = [forkFixture('incrementer.js'), forkFixture('incrementer.js')];
      // The descriptor travels as JSON through toJSON().
      for (const kid of kids) kid.send({ type: 'counter', counter });
      for (const kid of kids) expect(await kid.next()).toEqual({ type: 'attached', lock: 'RLock', value: 0 });
      kids[0].send({ type: 'go', n: N, style: 'value' });
      kids[1].send({ type: 'go', n: N, style: 'raw' });
      for (const kid of kids) expect(await kid.next()).toEqual({ type: 'done' });
      for (const kid of kids) expect(await exitOf(kid)).toEqual({ code: 0, signal: null });
      expect(counter.value).toBe(2 * N);
    } finally {
      counter.close();
    }
  });
});

describe('attach() by name, from the segment header alone', () => {
  let peer: Peer;
  beforeEach(async () => {
    peer = await startPeer();
  });
  afterEach(async () => {
    if (peer.child.exitCode === null && peer.child.signalCode === null) {
      peer.send({ type: 'exit' });
      expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
    }
  });

  test('a Value comes back with its inline lock, shared by both processes', async () => {
    const name = testName('share-value');
    const v = Value('i', 5, { name });
    try {
      expect(await run(peer, 'objs.v = lib.attach(arg); return [objs.v.value, objs.v.getLock().kind]', name)).toEqual([5, 'RLock']);
      // Held there: refused here.
      await run(peer, 'return objs.v.acquire()');
      expect(v.acquire({ blocking: false })).toBe(false);
      expect(v.getLock().locked()).toBe(true);
      await run(peer, 'objs.v.release()');
      // Held here: refused there.
      expect(v.acquire({ blocking: false })).toBe(true);
      expect(await run(peer, 'return objs.v.acquire({ blocking: false })')).toBe(false);
      v.release();
      expect(await run(peer, 'objs.v.value = 6; return objs.v.acquire({ blocking: false })')).toBe(true);
      expect(v.acquire({ blocking: false })).toBe(false);
      await run(peer, 'objs.v.release(); objs.v.close()');
      expect(v.value).toBe(6);
    } finally {
      v.close();
      v.unlink();
    }
  });

  test("a RawArray('d', n) comes back as a Float64Array; { type, length } is checked", async () => {
    const name = testName('share-array');
    const arr = RawArray('d', [1, 2, 3, 4, 5], { name });
    try {
      const seen = await run(
        peer,
        `const a = lib.attach(arg);
         const checked = lib.attach(arg, { type: lib.c_double, length: 5 });
         a[2] = 9.5;
         const out = [a instanceof Float64Array, a.length, Array.from(a), checked[2]];
         a.close(); checked.close();
         return out;`,
        name,
      );
      expect(seen).toEqual([true, 5, [1, 2, 9.5, 4, 5], 9.5]);
      expect(arr[2]).toBe(9.5);
      for (const expectLayout of [{ type: 'f' }, { type: 'q' }, { length: 4 }, { type: 'd', length: 6 }, { length: null }]) {
        expect(await peerCode(peer, 'lib.attach(arg.name, arg.expect)', { name, expect: expectLayout })).toBe('ERR_SHM_LAYOUT_MISMATCH');
      }
      // The same checks in this process.
      expect(codeOf(() => attach(name, { type: Point }))).toBe('ERR_SHM_LAYOUT_MISMATCH');
      expect(codeOf(() => attach(name, { type: 'd', length: 50 }))).toBe('ERR_SHM_LAYOUT_MISMATCH');
    } finally {
      arr.close();
      arr.unlink();
    }
  });

  test('a Struct Value comes back with its fields; another struct layout is a mismatch', async () => {
    const name = testName('share-struct');
    const s = Value(Record3, { x: 2.5, tags: [4, 5, 6], inner: { k: -1 } }, { name });
    try {
      const seen = await run(
        peer,
        `const { Struct, c_double, c_int, c_byte, attach } = lib;
         // The peer defines the same layout itself, as a separate program would.
         const Same = Struct({ x: c_double, tags: [c_int, 3], inner: Struct({ k: c_byte }) });
         const r = attach(arg, { type: Same });
         const out = [r.x, Array.from(r.tags), r.inner.k, r.getLock().kind];
         r.tags[0] = 40;
         r.inner.k = 12;
         r.close();
         return out;`,
        name,
      );
      expect(seen).toEqual([2.5, [4, 5, 6], -1, 'RLock']);
      expect([...s.tags]).toEqual([40, 5, 6]);
      expect(s.inner.k).toBe(12);
      const other = 'return lib.attach(arg, { type: lib.Struct({ x: lib.c_double, tags: [lib.c_int, 4], inner: lib.Struct({ k: lib.c_byte }) }) })';
      expect(await peerCode(peer, other, name)).toBe('ERR_SHM_LAYOUT_MISMATCH');
      expect(await peerCode(peer, 'lib.attach(arg, { type: "d" })', name)).toBe('ERR_SHM_LAYOUT_MISMATCH');
    } finally {
      s.close();
      s.unlink();
    }
  });

  test('a missing name is ERR_SHM_NOT_FOUND; a descriptor outside its segment is ERR_SHM_LAYOUT_MISMATCH', async () => {
    expect(await peerCode(peer, 'lib.attach(arg)', testName('share-missing'))).toBe('ERR_SHM_NOT_FOUND');
    const v = Value('i', 1);
    const arr = RawArray('d', 4);
    const d = v.toJSON();
    const a = arr.toJSON();
    try {
      const bad: ObjectDescriptor[] = [
        { ...d, offset: 1e9 },
        { ...d, offset: 0 }, // inside the header
        { ...d, offset: d.offset + 1 }, // misaligned
        { ...a, length: 1e7 }, // runs past the end
      ];
      for (const desc of bad) {
        expect(await peerCode(peer, 'lib.attach(arg)', desc)).toBe('ERR_SHM_LAYOUT_MISMATCH');
        expect(codeOf(() => attach(desc))).toBe('ERR_SHM_LAYOUT_MISMATCH');
      }
      // The untouched descriptors still work there.
      expect(await run(peer, 'const o = lib.attach(arg); const r = o.value; o.close(); return r', d)).toBe(1);
      expect(await peerCode(peer, 'lib.attach(arg, { type: "i", length: 2 })', a)).toBe('ERR_SHM_LAYOUT_MISMATCH');
    } finally {
      v.close();
      arr.close();
    }
  });
});

test('worker_threads: workerData descriptors, attach() in the workers, exact total in main', async () => {
  const counter = Value('q', 0n);
  const flag = RawArray('i', 1);
  const N = 10000;
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      workers.push(new Worker(fixture('worker-counter.js'), { workerData: { counter: counter.toJSON(), flag: flag.toJSON(), n: N } }));
    }
    const messages = workers.map((w) => {
      const queue: unknown[] = [];
      const waiters: Array<(m: unknown) => void> = [];
      w.on('message', (m) => (waiters.length > 0 ? waiters.shift()!(m) : queue.push(m)));
      return (): Promise<unknown> => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r)));
    });
    const exits = workers.map((w) => new Promise<number>((resolve) => w.once('exit', resolve)));
    for (const next of messages) expect(await next()).toEqual({ type: 'ready', lock: 'RLock' });
    // All three threads start together and contend for the one lock.
    Atomics.store(flag, 0, 1);
    for (let i = 0; i < N; i++) counter.withLock(() => counter.value++);
    for (const next of messages) expect(await next()).toEqual({ type: 'done' });
    expect(await Promise.all(exits)).toEqual([0, 0]);
    expect(counter.value).toBe(BigInt(3 * N));
  } finally {
    Atomics.store(flag, 0, 1);
    await Promise.all(workers.map((w) => w.terminate()));
    counter.close();
    flag.close();
  }
});

test('worker_threads: a worker that loads the addon first and exits, then main and another worker, count exactly', async () => {
  // The hot lock calls find the first environment's state without asking Node;
  // that must hand over cleanly when that environment ends.
  const name = testName('worker-first');
  const peer = forkFixture('worker-first.js', [name, '5000']);
  try {
    expect(await peer.next()).toEqual({ total: 15000 });
    expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
  } finally {
    expect(shmExists(name)).toBe(false);
  }
});

test('cluster: cluster.fork(sharedEnv({ counter })) and inherited() in the workers', async () => {
  const primary = forkFixture('cluster-primary.js', ['20000']);
  expect(await primary.next()).toEqual({ type: 'done', value: 40000, codes: [0, 0] });
  expect(await exitOf(primary)).toEqual({ code: 0, signal: null });
});

describe('lifetime', () => {
  const create = `
    objs.v = lib.Value('i', 42);
    objs.big = lib.RawArray('d', 100000); // above the arena block limit: a segment of its own
    objs.big[99999] = 2.5;
    objs.lock = new lib.Lock();
    return [...new Set([objs.v.toJSON().segment, objs.big.toJSON().segment, objs.lock.toJSON().segment])];
  `;

  test.each(['exit', 'SIGKILL'])("unnamed objects' segments vanish with their creator (%s)", async (how) => {
    const peer = await startPeer();
    const segments = await run<string[]>(peer, create);
    expect(segments.length).toBeGreaterThanOrEqual(2);
    expect(segments.every(shmExists)).toBe(true);
    if (how === 'exit') {
      peer.send({ type: 'exit' });
      expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
      expect(segments.filter(shmExists)).toEqual([]); // the exit handler ran before the exit
    } else {
      peer.child.kill('SIGKILL');
      expect(await exitOf(peer)).toEqual({ code: null, signal: 'SIGKILL' });
      expect(await until(() => !segments.some(shmExists), 3000)).toBe(true);
    }
  });

  test('a named object outlives its creator until unlink()', async () => {
    const name = testName('life-named');
    const peer = await startPeer();
    try {
      await run(peer, 'objs.v = lib.Value("i", 42, { name: arg })', name);
      peer.send({ type: 'exit' });
      expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
      expect(shmExists(name)).toBe(true);
      const v = attach<{ value: number; getLock(): Lock; close(): void }>(name, { type: 'i' });
      expect(v.value).toBe(42);
      expect(v.getLock().acquire({ blocking: false })).toBe(true);
      v.getLock().release();
      v.close();
      unlink(name);
      expect(shmExists(name)).toBe(false);
    } finally {
      if (shmExists(name)) unlink(name);
    }
  });

  test.each(['exit', 'SIGKILL'])('unlinkOnExit: true removes a named object with its creator (%s)', async (how) => {
    const name = testName('life-onexit');
    const kept = testName('life-kept');
    const peer = await startPeer();
    try {
      await run(peer, 'objs.a = lib.RawValue("d", 1, { name: arg.name, unlinkOnExit: true }); objs.b = lib.RawValue("d", 2, { name: arg.kept })', { name, kept });
      expect(shmExists(name)).toBe(true);
      if (how === 'exit') {
        peer.send({ type: 'exit' });
        expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
      } else {
        peer.child.kill('SIGKILL');
        expect(await exitOf(peer)).toEqual({ code: null, signal: 'SIGKILL' });
      }
      expect(await until(() => !shmExists(name), 3000)).toBe(true);
      expect(shmExists(kept)).toBe(true); // without the option it stays
    } finally {
      for (const n of [name, kept]) if (shmExists(n)) unlink(n);
    }
  });

  test('a child that attached keeps reading and writing after the creator is killed', async () => {
    const creator = await startPeer();
    const reader = await startPeer();
    const made = await run<{ v: ObjectDescriptor; a: ObjectDescriptor }>(
      creator,
      `objs.v = lib.Value('i', 42); objs.a = lib.Array('d', [1, 2, 3]);
       return { v: objs.v.toJSON(), a: objs.a.toJSON() };`,
    );
    expect(await run(reader, 'objs.v = lib.attach(arg.v); objs.a = lib.attach(arg.a); return [objs.v.value, objs.a.toArray()]', made)).toEqual([42, [1, 2, 3]]);
    creator.child.kill('SIGKILL');
    expect(await exitOf(creator)).toEqual({ code: null, signal: 'SIGKILL' });
    // The watchdog removes the names; the reader's mappings stay valid.
    expect(await until(() => !shmExists(made.v.segment) && !shmExists(made.a.segment), 3000)).toBe(true);
    expect(
      await run(reader, 'objs.v.withLock(() => objs.v.value++); objs.a[1] = -1; return [objs.v.value, objs.a.toArray(), objs.v.getLock().locked()]'),
    ).toEqual([43, [1, -1, 3], false]);
    reader.send({ type: 'exit' });
    expect(await exitOf(reader)).toEqual({ code: 0, signal: null });
  });
});

test('descriptors are plain JSON and round-trip through JSON.stringify', () => {
  const v = Value('i', 3);
  const r = RawValue('?', true);
  try {
    const text = JSON.stringify({ v, r });
    const parsed = JSON.parse(text) as { v: ObjectDescriptor; r: ObjectDescriptor };
    expect(parsed.v.kind).toBe('Value');
    expect(parsed.r.kind).toBe('RawValue');
    const v2 = attach<{ value: number; close(): void }>(parsed.v);
    const r2 = attach<{ value: boolean; close(): void }>(parsed.r);
    v2.value = 4;
    r2.value = false;
    expect([v.value, r.value]).toEqual([4, false]);
    v2.close();
    r2.close();
  } finally {
    v.close();
    r.close();
  }
});
