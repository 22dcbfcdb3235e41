// Lock and RLock across processes: sharing by descriptor and by name, try and
// timed acquire, withLock/hold, ownership errors and owner-death recovery.
import { attachLock, Lock, OWNER_DIED_WARNING, RLock } from '../dist/index';
import { exitOf, forkFixture, killAll } from './helpers/processes';
import { testName } from './helpers/names';
import { codeOf } from './helpers/errors';

afterEach(killAll);

function peer(source: unknown) {
  return forkFixture('lock-peer.js', [JSON.stringify(source)]);
}

test.each([
  ['Lock', () => new Lock()],
  ['RLock', () => new RLock()],
])('an unnamed %s shared by descriptor excludes the other process', async (kind, make) => {
  const lock = make();
  const child = peer(lock.toJSON());
  expect(await child.next()).toEqual({ type: 'ready', kind });
  child.send({ type: 'acquire' });
  expect(await child.next()).toEqual({ type: 'acquired', kind });
  expect(lock.locked()).toBe(true);
  expect(lock.acquire({ blocking: false })).toBe(false);
  const started = Date.now();
  expect(lock.acquire({ timeout: 100 })).toBe(false);
  expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  expect(codeOf(() => lock.withLock(() => 1, { timeout: 20 }))).toBe('ERR_LOCK_TIMEOUT');
  expect(codeOf(() => lock.release())).toBe('ERR_LOCK_NOT_OWNER');
  child.send({ type: 'release' });
  expect(await child.next()).toEqual({ type: 'released' });
  expect(lock.acquire({ timeout: 1000 })).toBe(true);
  lock.release();
  child.send({ type: 'exit' });
  expect(await exitOf(child)).toEqual({ code: 0, signal: null });
  lock.close();
});

test('a named lock is attached by name, is exclusive, and unlinks idempotently', async () => {
  const name = testName('named-lock');
  const lock = new RLock({ name });
  try {
    expect(codeOf(() => new Lock({ name }))).toBe('ERR_SHM_EXISTS');
    const child = peer(name);
    expect(await child.next()).toEqual({ type: 'ready', kind: 'RLock' });
    child.send({ type: 'acquire', depth: 2 });
    await child.next();
    expect(lock.acquire({ blocking: false })).toBe(false);
    child.send({ type: 'release' });
    await child.next();
    expect(lock.acquire({ blocking: false })).toBe(false); // still held once
    child.send({ type: 'release' });
    await child.next();
    expect(lock.acquire({ blocking: false })).toBe(true);
    lock.release();
    child.send({ type: 'exit' });
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
  } finally {
    lock.close();
    lock.unlink();
    lock.unlink();
  }
  expect(codeOf(() => attachLock(name))).toBe('ERR_SHM_NOT_FOUND');
});

// Timed acquires and blocking ones take different native calls (lock() and the boxed lockAcquire()), by the same handle.
const timedAcquire = (l: Lock | RLock): boolean => l.acquire({ timeout: 1000 });
const blockingAcquire = (l: Lock | RLock): boolean => l.acquire();
test.each([
  ['Lock', 'timed', () => new Lock(), 1, timedAcquire],
  ['RLock', 'timed', () => new RLock(), 3, timedAcquire],
  ['Lock', 'blocking', () => new Lock(), 1, blockingAcquire],
  ['RLock', 'blocking', () => new RLock(), 2, blockingAcquire],
])('a %s whose holder is SIGKILLed: the next %s acquire succeeds, is told, and the lock works after', async (_kind, _how, make, depth, acquire) => {
  const lock = make();
  const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    const child = peer(lock.toJSON());
    await child.next();
    child.send({ type: 'acquire', depth });
    await child.next();
    child.child.kill('SIGKILL');
    expect(await exitOf(child)).toEqual({ code: null, signal: 'SIGKILL' });
    const started = Date.now();
    expect(acquire(lock)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(lock.ownerDied).toBe(true);
    expect(emitted).toHaveBeenCalledTimes(1);
    expect(emitted.mock.calls[0][1]).toMatchObject({ code: OWNER_DIED_WARNING });
    lock.release();
    expect(lock.ownerDied).toBe(false);
    expect(lock.acquire({ blocking: false })).toBe(true);
    expect(lock.ownerDied).toBe(false);
    lock.release();
  } finally {
    emitted.mockRestore();
    lock.close();
  }
});

test.each([
  ['Lock', () => new Lock()],
  ['RLock', () => new RLock()],
])('a %s holder SIGKILLed while another process is blocked in acquire(): the waiter gets it and is told', async (_kind, make) => {
  const lock = make();
  try {
    const holder = peer(lock.toJSON());
    const waiter = peer(lock.toJSON());
    await holder.next();
    await waiter.next();
    holder.send({ type: 'acquire' });
    expect((await holder.next()).type).toBe('acquired');
    waiter.send({ type: 'acquire' });
    // The waiter spins, then sleeps in the kernel; give it time to get there.
    await new Promise((resolve) => setTimeout(resolve, 200));
    holder.child.kill('SIGKILL');
    expect(await exitOf(holder)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await waiter.next()).toEqual({ type: 'acquired', kind: lock.kind, ownerDied: true });
    waiter.send({ type: 'release' });
    expect(await waiter.next()).toEqual({ type: 'released' });
    waiter.send({ type: 'exit' });
    expect(await exitOf(waiter)).toEqual({ code: 0, signal: null });
    expect(lock.acquire({ blocking: false })).toBe(true);
    expect(lock.ownerDied).toBe(false);
    lock.release();
  } finally {
    lock.close();
  }
});

test('withLock returns the result and releases on throw; hold() works with using', () => {
  const lock = new Lock();
  expect(lock.withLock(() => 42)).toBe(42);
  expect(lock.locked()).toBe(false);
  expect(() =>
    lock.withLock(() => {
      throw new Error('boom');
    }),
  ).toThrow('boom');
  expect(lock.locked()).toBe(false);
  {
    using guard = lock.hold();
    expect(lock.locked()).toBe(true);
    void guard;
  }
  expect(lock.locked()).toBe(false);
  lock.close();
});

test('ownership rules: Lock refuses re-entry, RLock counts, double release is an error', () => {
  const lock = new Lock();
  const rlock = new RLock();
  expect(lock.acquire()).toBe(true);
  expect(lock.acquire({ blocking: false })).toBe(false);
  expect(codeOf(() => lock.acquire())).toBe('ERR_LOCK_DEADLOCK');
  lock.release();
  expect(codeOf(() => lock.release())).toBe('ERR_LOCK_NOT_OWNER');
  expect(rlock.acquire()).toBe(true);
  expect(rlock.acquire()).toBe(true);
  rlock.release();
  expect(rlock.locked()).toBe(true);
  rlock.release();
  expect(rlock.locked()).toBe(false);
  expect(codeOf(() => rlock.release())).toBe('ERR_LOCK_NOT_OWNER');
  lock.close();
  rlock.close();
  expect(codeOf(() => lock.acquire())).toBe('ERR_SHM_CLOSED');
  expect(codeOf(() => lock.toJSON())).toBe('ERR_SHM_CLOSED');
  lock.close();
});

test('bad acquire options are clear errors', () => {
  const lock = new Lock();
  const L = lock as unknown as { acquire(o: unknown): boolean };
  expect(codeOf(() => L.acquire({ blocking: 'yes' }))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => L.acquire({ timeout: '10' }))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => L.acquire({ timeout: NaN }))).toBe('ERR_OUT_OF_RANGE');
  expect(codeOf(() => L.acquire({ blocking: false, timeout: 5 }))).toBe('ERR_INVALID_ARG_VALUE');
  expect(codeOf(() => L.acquire(5))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => new Lock({ name: 'a/b' }))).toBe('ERR_SHM_INVALID_NAME');
  expect(codeOf(() => new Lock({ mode: 0o1000 }))).toBe('ERR_OUT_OF_RANGE');
  expect(codeOf(() => attachLock({} as never))).toBe('ERR_INVALID_ARG_TYPE');
  lock.close();
});
