// A lock held when its holder ends is never wedged, whatever way the holder
// ends: every way a process or a worker thread can end leaves each lock it
// held acquirable by the others at once, with ownerDied and the
// SHAREDCTYPES_OWNER_DIED warning, then clean after one release. Each case
// takes, in a real child process or worker thread (fixtures/thread-end.js),
// the lock kind by the blocking path (handle), the timed and the try path, a
// named lock, and the lock inline in a named Value's segment (an RLock); an
// RLock is taken twice each time. Also: terminate() of a worker blocked in
// acquire() ends it promptly, and the lock keeps working.
import path from 'path';
import { Worker } from 'worker_threads';
import { Lock, LockDescriptor, OWNER_DIED_WARNING, RLock, Value } from '../dist';
import { testName } from './helpers/names';
import { Exit, exitOf, forkFixture, killAll, Peer } from './helpers/processes';

afterEach(killAll);

const FIXTURE = path.join(__dirname, 'fixtures', 'thread-end.js');
type Kind = 'Lock' | 'RLock';

/** The locks one case hands to its holder; close() frees them all. */
function makeLocks(kind: Kind): {
  all: Array<Lock | RLock>;
  cmd: { locks: Array<{ desc: LockDescriptor; path: string; times: number }>; value: string };
  close(): void;
} {
  const make = kind === 'Lock' ? Lock : RLock;
  const times = kind === 'RLock' ? 2 : 1;
  const handle = make();
  const timed = make();
  const tried = make();
  const named = make({ name: testName('te-lock') });
  const valueName = testName('te-value');
  const value = Value('i', 0, { name: valueName });
  const locks = [
    { desc: handle.toJSON(), path: 'handle', times },
    { desc: timed.toJSON(), path: 'timed', times },
    { desc: tried.toJSON(), path: 'try', times },
    { desc: named.toJSON(), path: 'handle', times },
  ];
  return {
    all: [handle, timed, tried, named, value.getLock()],
    cmd: { locks, value: valueName },
    close() {
      named.unlink();
      value.unlink();
      for (const l of [handle, timed, tried, named]) l.close();
      value.close();
    },
  };
}

const warnings = (): { count(): number; restore(): void } => {
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  return {
    count: () => spy.mock.calls.filter((args) => (args[1] as { code?: string } | undefined)?.code === OWNER_DIED_WARNING).length,
    restore: () => spy.mockRestore(),
  };
};

/** Every lock is free at once, reported as recovered from a dead holder; then clean. */
function expectRecovered(all: Array<Lock | RLock>): void {
  const warn = warnings();
  try {
    const rows = all.map((lock) => {
      const started = performance.now();
      const acquired = lock.acquire({ timeout: 1000 });
      const ms = performance.now() - started;
      const row = { kind: lock.kind, acquired, fast: ms < 500, ownerDied: lock.ownerDied, again: false, clean: false };
      if (acquired) {
        lock.release();
        row.again = lock.acquire({ timeout: 1000 });
        row.clean = !lock.ownerDied;
        if (row.again) lock.release();
      }
      return row;
    });
    const want = all.map((lock) => ({ kind: lock.kind, acquired: true, fast: true, ownerDied: true, again: true, clean: true }));
    expect(rows).toEqual(want);
    expect(warn.count()).toBe(all.length);
  } finally {
    warn.restore();
  }
}

// How the holder ends, what the parent does to end it, and the exit it must show.
interface Way {
  how: string;
  signal?: NodeJS.Signals;
  exit: Exit;
}
const processWays: Array<[string, Way]> = [
  ['natural end (loop drains)', { how: 'natural', exit: { code: 0, signal: null } }],
  ['process.exit(5)', { how: 'exit', exit: { code: 5, signal: null } }],
  ['process.exitCode = 3, then drains', { how: 'exitCode', exit: { code: 3, signal: null } }],
  ['uncaught exception', { how: 'uncaught', exit: { code: 1, signal: null } }],
  ['unhandled rejection', { how: 'unhandled', exit: { code: 1, signal: null } }],
  ['SIGTERM, no handler', { how: 'signal', signal: 'SIGTERM', exit: { code: null, signal: 'SIGTERM' } }],
  ['SIGINT, no handler', { how: 'signal', signal: 'SIGINT', exit: { code: null, signal: 'SIGINT' } }],
  ['SIGTERM, handler calls process.exit(7)', { how: 'handler-exit', signal: 'SIGTERM', exit: { code: 7, signal: null } }],
  ['SIGINT, handler calls process.exit(7)', { how: 'handler-exit', signal: 'SIGINT', exit: { code: 7, signal: null } }],
  ['SIGTERM, handler lets the loop drain', { how: 'handler-drain', signal: 'SIGTERM', exit: { code: 0, signal: null } }],
  ['SIGINT, handler lets the loop drain', { how: 'handler-drain', signal: 'SIGINT', exit: { code: 0, signal: null } }],
  ['SIGKILL', { how: 'kill', signal: 'SIGKILL', exit: { code: null, signal: 'SIGKILL' } }],
];
const kinds: Kind[] = ['Lock', 'RLock'];
const cross = <T>(rows: Array<[string, T]>): Array<[string, Kind, T]> => rows.flatMap(([label, row]) => kinds.map((k): [string, Kind, T] => [label, k, row]));

describe('a process that ends holding locks', () => {
  test.each(cross(processWays))('%s: every %s it held is recovered at once', async (_label, kind, way) => {
    const locks = makeLocks(kind);
    try {
      const child = forkFixture('thread-end.js', [JSON.stringify({ ...locks.cmd, how: way.how, where: 'process' })]);
      expect(await child.next()).toEqual({ type: 'held' });
      if (way.signal !== undefined) child.child.kill(way.signal);
      expect(await exitOf(child)).toEqual(way.exit);
      expectRecovered(locks.all);
    } finally {
      locks.close();
    }
  });
});

// The worker ends while its process lives on: only the thread's end can free the locks.
const workerWays: Array<[string, Way]> = [
  ['natural end (loop drains)', { how: 'natural', exit: { code: 0, signal: null } }],
  ['process.exit(5) in the worker', { how: 'exit', exit: { code: 5, signal: null } }],
  ['uncaught exception in the worker', { how: 'uncaught', exit: { code: 1, signal: null } }],
  ['worker.terminate()', { how: 'terminate', exit: { code: 1, signal: null } }],
];

/** A worker of the test process itself running the fixture; resolves with its exit code. */
function workerHere(data: unknown, onHeld?: (w: Worker) => void): { held: Promise<void>; exit: Promise<number> } {
  const worker = new Worker(FIXTURE, { workerData: data });
  worker.on('error', () => {}); // the uncaught case: reported by the exit code
  const held = new Promise<void>((resolve) =>
    worker.on('message', (m: { type: string }) => {
      if (m.type === 'held') {
        onHeld?.(worker);
        resolve();
      }
    }),
  );
  const exit = new Promise<number>((resolve) => worker.on('exit', resolve));
  return { held, exit };
}

describe('a worker thread that ends holding locks', () => {
  test.each(cross(workerWays))('%s, in a child process: every %s it held is recovered at once', async (_label, kind, way) => {
    const locks = makeLocks(kind);
    let child: Peer | undefined;
    try {
      child = forkFixture('thread-end.js', [JSON.stringify({ ...locks.cmd, how: way.how, where: 'worker' })]);
      expect(await child.next()).toEqual({ type: 'held' });
      expect(await child.next()).toEqual({ type: 'worker-exit', code: way.exit.code });
      expectRecovered(locks.all);
      child.send('bye');
      expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    } finally {
      locks.close();
    }
  });

  test.each(cross(workerWays))('%s, in this process: every %s it held is recovered at once', async (_label, kind, way) => {
    const locks = makeLocks(kind);
    try {
      const w = workerHere({ ...locks.cmd, how: way.how, where: 'worker' }, (worker) => {
        if (way.how === 'terminate') void worker.terminate();
      });
      await w.held;
      expect(await w.exit).toBe(way.exit.code);
      expectRecovered(locks.all);
    } finally {
      locks.close();
    }
  });
});

// A waiter asleep in acquire() cannot be woken by the OS: terminate() must still end it soon.
const WAITER = path.join(__dirname, 'fixtures', 'blocked-waiter.js');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A lock held by this process's main thread or by another process, released on demand. */
async function holdLock(lock: Lock | RLock, by: 'this thread' | 'another process'): Promise<() => Promise<void>> {
  if (by === 'this thread') {
    expect(lock.acquire({ blocking: false })).toBe(true);
    return async () => lock.release();
  }
  const peer = forkFixture('lock-peer.js', [JSON.stringify(lock.toJSON())]);
  expect(await peer.next()).toEqual({ type: 'ready', kind: lock.kind });
  peer.send({ type: 'acquire' });
  expect(await peer.next()).toEqual({ type: 'acquired', kind: lock.kind });
  return async () => {
    peer.send({ type: 'release' });
    expect(await peer.next()).toEqual({ type: 'released' });
    peer.send({ type: 'exit' });
    expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
  };
}

function startWaiter(lock: Lock | RLock, how: string): { worker: Worker; messages: string[]; next: () => Promise<string>; exit: Promise<number> } {
  const worker = new Worker(WAITER, { workerData: { lock: lock.toJSON(), path: how } });
  const messages: string[] = [];
  const queued: string[] = [];
  const waiting: Array<(m: string) => void> = [];
  worker.on('message', (m: string) => {
    messages.push(m);
    const w = waiting.shift();
    if (w) w(m);
    else queued.push(m);
  });
  const exit = new Promise<number>((resolve) => worker.on('exit', resolve));
  const next = (): Promise<string> => (queued.length > 0 ? Promise.resolve(queued.shift() as string) : new Promise((resolve) => waiting.push(resolve)));
  return { worker, messages, next, exit };
}

const terminateMs: string[] = [];
afterAll(() => {
  if (terminateMs.length > 0) console.log(`terminate() of a worker blocked in acquire(): ${terminateMs.join(', ')} (terminate() to 'exit')`);
});

describe('worker.terminate() of a worker blocked in acquire()', () => {
  const paths: Array<[string, string]> = [
    ['acquire()', 'handle'],
    ['acquire({ timeout: 10000 })', 'timed'],
  ];
  const holders: Array<'this thread' | 'another process'> = ['this thread', 'another process'];
  const rows = paths.flatMap(([label, how]) => holders.flatMap((by) => kinds.map((kind): [string, Kind, typeof by, string] => [label, kind, by, how])));
  test.each(rows)('%s on a %s held by %s: the worker ends at once and the lock keeps working', async (label, kind, by, how) => {
    const lock = kind === 'Lock' ? Lock() : RLock();
    try {
      const release = await holdLock(lock, by);
      const blocked = startWaiter(lock, how);
      expect(await blocked.next()).toBe('waiting');
      await sleep(200); // long past the spinning: asleep in the kernel
      const started = performance.now();
      void blocked.worker.terminate();
      const code = await blocked.exit;
      const ms = performance.now() - started;
      terminateMs.push(`${label} ${kind} held by ${by}: ${ms.toFixed(1)} ms`);
      expect({ code, messages: blocked.messages }).toEqual({ code: 1, messages: ['waiting'] });
      expect(ms).toBeLessThan(1000);

      // The lock still works: a new waiter gets it as soon as the holder lets go...
      const second = startWaiter(lock, 'handle');
      expect(await second.next()).toBe('waiting');
      await release();
      expect(await second.next()).toBe('acquired');
      expect(await second.exit).toBe(0);
      // ... and nobody holds it: the terminated waiter took nothing with it.
      expect(lock.locked()).toBe(false);
      expect(lock.acquire({ timeout: 1000 })).toBe(true);
      expect(lock.ownerDied).toBe(false);
      lock.release();
    } finally {
      lock.close();
    }
  }, 20000);
});
