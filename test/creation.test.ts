// Creating and attaching the way services race each other: attachers see a
// whole object or none, open-or-create works from many processes at once, a
// recreated name is a new segment everywhere, a creator killed mid-creation
// leaves nothing (or a segment attach names as such), and big segments give
// an answer, never an abort.
import { spawnSync } from 'child_process';
import { constants as bufferConstants } from 'buffer';
import fs from 'fs';
import path from 'path';
import { attach, attachLock, Lock, RawArray, RawValue, unlink, Value, type ObjectDescriptor } from '../dist';
import { exitOf, forkFixture, Peer } from './helpers/processes';
import { GENERATED, testName } from './helpers/names';
import { run, startPeer } from './helpers/peer';
import { leftoverNamesCleanedAfterEach, thrown } from './helpers/shm';

// Named segments a failed test leaves are removed after it (fixtures killed first).
const made = leftoverNamesCleanedAfterEach();
const fresh = (tag: string): string => {
  const name = testName(tag);
  made.add(name);
  return name;
};

async function racers(n: number): Promise<Peer[]> {
  const peers = Array.from({ length: n }, () => forkFixture('open-or-create.js'));
  for (const p of peers) expect(await p.next()).toEqual({ ready: true });
  return peers;
}

async function dismiss(peers: Peer[]): Promise<void> {
  for (const p of peers) p.send({ op: 'exit' });
  for (const p of peers) expect(await exitOf(p)).toEqual({ code: 0, signal: null });
}

describe('open-or-create', () => {
  test('8 processes racing on one name, 1,000 rounds: one creation, every process sees the initial value, none a half-built object', async () => {
    const peers = await racers(8);
    const ROUNDS = 1000;
    let failures = 0;
    const started = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      const name = fresh('ooc');
      for (const p of peers) p.send({ op: 'round', round, name });
      const replies = await Promise.all(peers.map((p) => p.next<{ seen?: number; error?: string }>()));
      const seen = replies.map((r) => r.seen ?? r.error).sort((x, y) => String(x).localeCompare(String(y), 'en', { numeric: true }));
      // Each racer read the value under the lock before adding one: 7 (the
      // creator's init, written once) up to 14, each exactly once.
      if (JSON.stringify(seen) !== JSON.stringify([7, 8, 9, 10, 11, 12, 13, 14])) {
        failures++;
        expect(seen).toEqual([7, 8, 9, 10, 11, 12, 13, 14]);
      }
      const v = attach<{ value: number; close(): void }>(name, { type: 'i' });
      expect(v.value).toBe(15);
      v.close();
      unlink(name);
      made.delete(name);
    }
    console.log(`open-or-create: ${ROUNDS} rounds x 8 processes in ${((Date.now() - started) / 1000).toFixed(1)} s, ${failures} bad rounds`);
    await dismiss(peers);
  });

  test('an attacher of a name being created gets the whole object or ERR_SHM_NOT_FOUND, never a half-built one (400 rounds)', async () => {
    const creator = await startPeer();
    const spinners = await racers(3);
    const tally = new Map<string, number>();
    for (let round = 0; round < 400; round++) {
      const name = fresh('window');
      for (const s of spinners) s.send({ op: 'spin', round, name });
      await run(creator, 'objs.v = lib.Value("i", 42, { name: arg })', name);
      for (const s of spinners) {
        const r = await s.next<{ value?: number; error?: string }>();
        const key = r.error ?? `value ${r.value}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
      }
      await run(creator, 'objs.v.unlink(); objs.v.close()');
      made.delete(name);
    }
    console.log(`attach while creating: ${[...tally].map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    expect([...tally.keys()]).toEqual(['value 42']);
    creator.send({ type: 'exit' });
    expect(await exitOf(creator)).toEqual({ code: 0, signal: null });
    await dismiss(spinners);
  });

  test('attaches with the layout and kind checked; ifExists is validated', () => {
    const name = fresh('ooc-layout');
    const a = RawArray('d', [1.5, 2.5], { name, ifExists: 'attach' });
    const b = RawArray('d', [9, 9], { name, ifExists: 'attach' });
    expect([...b]).toEqual([1.5, 2.5]); // the creator's init stands
    b[0] = 3;
    expect(a[0]).toBe(3);
    expect(thrown(() => RawArray('d', 3, { name, ifExists: 'attach' }))).toEqual({ name: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH' });
    expect(thrown(() => RawArray('i', 2, { name, ifExists: 'attach' }))).toEqual({ name: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH' });
    expect(thrown(() => RawArray('d', 2, { name }))).toMatchObject({ code: 'ERR_SHM_EXISTS' });
    expect(thrown(() => RawArray('d', 2, { ifExists: 'attach' }))).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    expect(thrown(() => RawArray('d', 2, { name, ifExists: 'open' as never }))).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    b.close();
    a.close();
    unlink(name);

    const vname = fresh('ooc-kind');
    const v = Value('i', 1, { name: vname });
    expect(thrown(() => RawValue('i', 0, { name: vname, ifExists: 'attach' }))).toEqual({ name: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH' });
    const other = new Lock();
    expect(thrown(() => Value('i', 0, { name: vname, ifExists: 'attach', lock: other }))).toEqual({ name: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH' });
    const same = Value('i', 0, { name: vname, ifExists: 'attach' });
    same.withLock(() => same.value++);
    expect(v.value).toBe(2);
    for (const o of [same, v, other]) o.close();
    unlink(vname);

    const lname = fresh('ooc-lock');
    const l1 = new Lock({ name: lname, ifExists: 'attach' });
    const l2 = Lock({ name: lname, ifExists: 'attach' });
    expect(l1.acquire()).toBe(true);
    expect(l2.acquire({ blocking: false })).toBe(false); // the same lock
    l1.release();
    expect(thrown(() => new (require('../dist').RLock)({ name: lname, ifExists: 'attach' }))).toEqual({ name: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH' });
    l2.close();
    l1.unlink();
    l1.close();
  });
});

describe('a recreated name is a new segment in every process', () => {
  test('attach(name) in a process that still maps the old segment gets the new one; an old descriptor never binds to it', async () => {
    const name = fresh('recreate');
    const old = RawValue('i', 1, { name });
    const oldDesc = old.toJSON() as ObjectDescriptor;
    const first = attach<{ value: number; close(): void }>(name); // cached mapping of the old one
    const peer = await startPeer();
    // Another process removes the name and makes a segment of another layout under it.
    await run(peer, 'lib.unlink(arg); objs.a = lib.RawArray("d", [1.25, 2.5, 3.75], { name: arg })', name);
    const now = attach<Float64Array>(name);
    expect([...now]).toEqual([1.25, 2.5, 3.75]);
    now[0] = 9;
    expect(await run(peer, 'return objs.a[0]')).toBe(9);
    expect(thrown(() => attach(oldDesc))).toEqual({ name: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH' });
    // ... and once more with the old layout: the old descriptor is of a removed object.
    await run(peer, 'lib.unlink(arg); objs.a.close(); objs.b = lib.RawValue("i", 5, { name: arg })', name);
    expect(thrown(() => attach(oldDesc))).toEqual({ name: 'SharedCtypesError', code: 'ERR_SHM_NOT_FOUND' });
    const again = attach<{ value: number; close(): void }>(name, { type: 'i' });
    expect(again.value).toBe(5);
    // The old objects still work on the old, orphaned memory.
    expect(first.value).toBe(1);
    expect(old.value).toBe(1);

    // Locks too.
    const lname = fresh('recreate-lock');
    const lock = new Lock({ name: lname });
    const lockDesc = lock.toJSON();
    await run(peer, 'lib.unlink(arg); objs.l = new lib.Lock({ name: arg }); objs.l.acquire()', lname);
    expect(thrown(() => attachLock(lockDesc))).toEqual({ name: 'SharedCtypesError', code: 'ERR_SHM_NOT_FOUND' });
    const current = attachLock(lname);
    expect(current.acquire({ blocking: false })).toBe(false); // the peer holds the new one
    expect(lock.acquire({ blocking: false })).toBe(true); // the old one is another lock
    lock.release();
    await run(peer, 'objs.l.release(); objs.l.unlink(); objs.l.close(); objs.b.unlink(); objs.b.close()');
    for (const o of [current, lock, again, now, first, old]) (o as { close(): void }).close();
    peer.send({ type: 'exit' });
    expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
  });
});

/** Reads a segment's magic word and creator pid straight from /dev/shm (Linux). */
function headOf(name: string): { size: number; magic: number; pid: number } | undefined {
  try {
    const fd = fs.openSync(`/dev/shm/${name}`, 'r');
    try {
      const head = Buffer.alloc(52);
      const size = fs.fstatSync(fd).size;
      fs.readSync(fd, head, 0, 52, 0);
      return { size, magic: head.readUInt32LE(0), pid: head.readUInt32LE(48) };
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Generated segments of this run made since `before` and not yet published (others' arenas publish at once). */
function newUnpublished(before: Set<string>): string[] {
  return fs.readdirSync('/dev/shm').filter((n) => !before.has(n) && GENERATED.test(n) && headOf(n)?.magic === 0);
}

/** Generated segments since `before` made by `pid` (or never finished): other jest workers share the run prefix. */
function newGeneratedBy(before: Set<string>, pid: number): string[] {
  return fs.readdirSync('/dev/shm').filter((n) => {
    if (before.has(n) || !GENERATED.test(n)) return false;
    const h = headOf(n);
    return h !== undefined && (h.pid === pid || h.magic === 0);
  });
}

describe('a creator killed mid-creation', () => {
  test.each([
    ['an unnamed 2 GiB array', { named: false, unlinkOnExit: false }],
    ['a named 2 GiB array with unlinkOnExit', { named: true, unlinkOnExit: true }],
  ])('%s: SIGKILL while its memory is committed leaves nothing behind', async (_what, how) => {
    const name = how.named ? fresh('midcreate') : undefined;
    const before = new Set(fs.readdirSync('/dev/shm'));
    const child = forkFixture('slow-creator.js', [JSON.stringify({ kind: 'reserve', name, unlinkOnExit: how.unlinkOnExit })]);
    await child.next();
    // Kill it as soon as its segment exists, while the kernel is still committing it.
    const appeared = (): string | undefined => (name !== undefined ? (fs.existsSync(`/dev/shm/${name}`) ? name : undefined) : newUnpublished(before)[0]);
    let target: string | undefined;
    const end = Date.now() + 10000;
    while ((target = appeared()) === undefined && Date.now() < end) await new Promise((r) => setImmediate(r));
    expect(target).toBeDefined();
    const state = headOf(target as string);
    child.child.kill('SIGKILL');
    expect(await exitOf(child)).toEqual({ code: null, signal: 'SIGKILL' });
    const gone = async (): Promise<boolean> => {
      for (let i = 0; i < 300; i++) {
        if (!fs.existsSync(`/dev/shm/${target}`)) return true;
        await new Promise((r) => setTimeout(r, 10));
      }
      return false;
    };
    expect(await gone()).toBe(true);
    console.log(`killed mid-creation (${_what}): the segment was ${state?.magic === 0 ? 'unpublished' : 'published'} at the kill; removed by the watchdog`);
  });

  test('a named segment whose creator died before publishing it is ERR_SHM_INCOMPLETE, naming the creator, and can be unlinked', async () => {
    const name = fresh('halfbuilt');
    let victim: number | undefined;
    for (let attempt = 0; attempt < 5 && victim === undefined; attempt++) {
      const child = forkFixture('slow-creator.js', [JSON.stringify({ kind: 'init', name })]);
      await child.next();
      const end = Date.now() + 10000;
      // Synchronous polling: the window (the initial values being written) is short.
      for (;;) {
        const h = headOf(name);
        if (h !== undefined && h.magic === 0 && h.pid === child.child.pid) {
          child.child.kill('SIGKILL');
          break;
        }
        if (Date.now() > end) break;
      }
      await exitOf(child);
      const h = headOf(name);
      if (h !== undefined && h.magic === 0 && h.pid === child.child.pid) victim = h.pid;
      else fs.rmSync(`/dev/shm/${name}`, { force: true });
    }
    expect(victim).toBeDefined();
    const started = Date.now();
    const t = thrown(() => attach(name));
    expect(t).toEqual({ name: 'SharedCtypesError', code: 'ERR_SHM_INCOMPLETE' });
    expect(Date.now() - started).toBeLessThan(1000); // a dead builder is not waited for
    try {
      attach(name);
    } catch (err) {
      expect((err as Error).message).toContain(`pid ${victim}`);
    }
    expect(thrown(() => RawArray('d', 4, { name, ifExists: 'attach' }))).toEqual({ name: 'SharedCtypesError', code: 'ERR_SHM_INCOMPLETE' });
    unlink(name);
    expect(fs.existsSync(`/dev/shm/${name}`)).toBe(false);
  });
});

describe('big segments', () => {
  const fixture = path.join(__dirname, 'fixtures', 'big-segments.js');
  let childPid = 0;
  const inChild = (cmd: Record<string, unknown>): Record<string, unknown> => {
    const r = spawnSync(process.execPath, [fixture, JSON.stringify(cmd)], { encoding: 'utf8', env: process.env });
    childPid = r.pid;
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null });
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  // Node 20 refuses ArrayBuffers over 2^32 bytes over external memory; Node 22 and later take 2^53 - 1.
  const nodeCanMap = bufferConstants.MAX_LENGTH > 2 ** 32 + 8192;

  test(`RawArray('B', 2 ** 32 + 4096): ${nodeCanMap ? 'works' : 'a RangeError with a code before anything is created'}, never an abort`, () => {
    const before = new Set(fs.readdirSync('/dev/shm'));
    const r = inChild({ op: 'create', length: 2 ** 32 + 4096 });
    if (nodeCanMap) {
      expect(r).toMatchObject({ ok: true, length: 2 ** 32 + 4096, last: 7, after: 5 });
    } else {
      expect(r).toMatchObject({ error: { name: 'RangeError', code: 'ERR_SHM_TOO_LARGE' }, after: 5 });
      expect(String((r.error as { message: string }).message)).toContain(`Node ${process.version}`);
    }
    expect(newGeneratedBy(before, childPid)).toEqual([]);
  });

  test('a segment a peer made larger than 4 GiB (sparse) is refused cleanly, or attached where Node can map it', () => {
    const name = fresh('big-attach');
    const a = RawArray('B', 16, { name });
    a[0] = 3;
    fs.truncateSync(`/dev/shm/${name}`, 5 * 2 ** 30); // sparse: no memory is used
    const r = inChild({ op: 'attach', name });
    if (nodeCanMap) expect(r).toMatchObject({ ok: true, length: 16, first: 3, after: 5 });
    else expect(r).toMatchObject({ error: { name: 'RangeError', code: 'ERR_SHM_TOO_LARGE' }, after: 5 });
    a.close();
    unlink(name);
  });
});
