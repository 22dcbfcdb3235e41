// Unnamed objects and locks share arenas; a block is reused once its creator
// and every process that attached it closed it (or exited), and a descriptor
// of a freed block never binds to the next object in the same bytes. Seen from
// outside, through the public API: descriptors say where objects live, the
// block records and segment sizes are read from /dev/shm. (The allocator's own
// bookkeeping is internal-arena.test.ts's.)
import path from 'path';
import { Worker } from 'worker_threads';
import { attach, attachLock, Lock, RawArray, RawValue, RLock, Value } from '../dist/index';
import type { LockDescriptor, ObjectDescriptor } from '../dist/index';
import { codeOf } from './helpers/errors';
import { killAll } from './helpers/processes';
import { testName } from './helpers/names';
import { peerCode, run, startPeer } from './helpers/peer';
import { Closable, landsOn, ourBytes, ourSegments, placeOf, quit, record } from './helpers/arena';

afterEach(killAll);

const figures: string[] = [];
afterAll(() => console.log(`arena reuse: ${figures.join('; ')}`));

describe('create, share, close in a loop stays bounded', () => {
  test.each([
    ["Value('i', 1) (object + its RLock)", () => Value('i', 1)],
    ["RawArray('d', 8)", () => RawArray('d', 8)],
    ['Lock()', () => new Lock()],
    ['RLock()', () => new RLock()],
  ])('100,000 x (%s, JSON.stringify, close): segment bytes flat after warm-up', (what, make) => {
    const cycle = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const obj = make() as Closable;
        JSON.stringify(obj);
        obj.close();
      }
    };
    cycle(1000);
    const segments = [...ourSegments().keys()].sort();
    const bytes = ourBytes();
    const rss = process.memoryUsage().rss;
    cycle(100000);
    expect([...ourSegments().keys()].sort()).toEqual(segments);
    expect(ourBytes()).toBe(bytes);
    figures.push(`${what}: segments ${(bytes / 2 ** 20).toFixed(2)} -> ${(ourBytes() / 2 ** 20).toFixed(2)} MiB, RSS ${(rss / 2 ** 20).toFixed(0)} -> ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  });

  test('a big array (a segment of its own) shared and closed 200 times leaves no segment behind', () => {
    const before = [...ourSegments().keys()].sort();
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const a = RawArray('d', 10000);
      seen.add(a.toJSON().segment);
      JSON.stringify(a);
      a.close();
    }
    expect([...ourSegments().keys()].sort()).toEqual(before);
    expect(seen.size).toBe(200); // each one a segment of its own, each one gone
  });
});

describe('the block record', () => {
  test('16 bytes before the object: the tag of the descriptor, then the count of references', async () => {
    const v = RawValue('i', 7);
    const d = v.toJSON();
    expect(d.block).toMatch(/^[0-9a-f]{16}$/);
    expect(record(d)).toEqual({ tag: d.block, refs: 1 });
    const peer = await startPeer();
    await run(peer, 'objs.v = lib.attach(arg); return objs.v.value', d);
    expect(record(d)).toEqual({ tag: d.block, refs: 2 });
    await run(peer, 'objs.v.close()');
    expect(record(d)).toEqual({ tag: d.block, refs: 1 });
    v.close();
    // Free: tag cleared, no references.
    expect(record(d)).toEqual({ tag: '0'.repeat(16), refs: 0 });
    await quit(peer);
  });

  test("a Value's own RLock is a second block with a record of its own", () => {
    const v = Value('i', 1);
    const d = v.toJSON();
    const l = d.lock as LockDescriptor;
    expect(l.block).toMatch(/^[0-9a-f]{16}$/);
    expect(l.block).not.toBe(d.block);
    expect(record(l)).toEqual({ tag: l.block, refs: 1 });
    v.close();
    expect(record(l).refs).toBe(0);
  });

  test('a descriptor without its block tag, or with a malformed one, is refused: ERR_INVALID_ARG_VALUE', () => {
    const v = RawValue('i', 1);
    const l = new Lock();
    const d = v.toJSON();
    const { block: _b, ...legacy } = d;
    expect(codeOf(() => attach(legacy))).toBe('ERR_INVALID_ARG_VALUE');
    for (const block of ['0000000000000000', 'xyz', 12, '0123456789ABCDEF', '0123456789abcdef0']) {
      expect(codeOf(() => attach({ ...d, block } as unknown as ObjectDescriptor))).toBe('ERR_INVALID_ARG_VALUE');
    }
    const { block: _l, ...legacyLock } = l.toJSON();
    expect(codeOf(() => attachLock(legacyLock))).toBe('ERR_INVALID_ARG_VALUE');
    // A named object's descriptor has none, and may not claim one.
    const named = RawValue('i', 1, { name: testName('arena-named'), unlinkOnExit: true });
    const nd = named.toJSON();
    expect(nd.block).toBeUndefined();
    expect(codeOf(() => attach({ ...nd, block: d.block }))).toBe('ERR_INVALID_ARG_VALUE');
    named.unlink();
    named.close();
    v.close();
    l.close();
  });
});

describe('a block is reused once every process closed it', () => {
  test('a child attaches and closes, the creator closes: the block is reused (either order)', async () => {
    const peer = await startPeer();
    for (const creatorFirst of [false, true]) {
      const v = RawValue('i', 11);
      const place = placeOf(v);
      expect(await run(peer, 'objs.v = lib.attach(arg); return objs.v.value', v.toJSON())).toBe(11);
      if (creatorFirst) {
        const d = v.toJSON();
        v.close();
        expect(record(d)).toEqual({ tag: d.block, refs: 1 }); // the child's reference
        expect(landsOn(place, () => RawValue('i'))).toBe(false); // still the child's
        await run(peer, 'objs.v.close()');
      } else {
        await run(peer, 'objs.v.close()');
        v.close();
      }
      expect(landsOn(place, () => RawValue('i'))).toBe(true);
    }
    await quit(peer);
  });

  test('a child that attaches a Value and exits without close() gives both blocks back', async () => {
    const v = Value('i', 5);
    const d = v.toJSON();
    const [obj, lock] = [placeOf(v), `${d.lock!.segment}@${d.lock!.offset}`];
    const peer = await startPeer();
    expect(await run(peer, 'objs.v = lib.attach(arg); return objs.v.value', d)).toBe(5);
    v.close();
    expect([record(d).refs, record(d.lock!).refs]).toEqual([1, 1]); // the child's references
    await quit(peer); // exits with the Value still open
    expect([record(d).refs, record(d.lock!).refs]).toEqual([0, 0]);
    expect(landsOn(obj, () => RawValue('i'))).toBe(true);
    expect(landsOn(lock, () => new Lock())).toBe(true);
  });

  test('a worker thread that attaches and ends without close() gives the block back', async () => {
    const v = RawValue('i', 21);
    const place = placeOf(v);
    const dist = path.join(__dirname, '..', 'dist');
    const worker = new Worker(
      `const { parentPort, workerData } = require('worker_threads');
       const lib = require(workerData.dist);
       parentPort.postMessage(lib.attach(workerData.d).value);`,
      { eval: true, workerData: { dist, d: v.toJSON() } },
    );
    const seen = new Promise((resolve) => worker.once('message', resolve));
    const ended = new Promise((resolve) => worker.once('exit', resolve));
    expect(await seen).toBe(21);
    expect(await ended).toBe(0);
    v.close();
    expect(landsOn(place, () => RawValue('i'))).toBe(true);
  });

  test('while a child holds the object, the creator never reuses it and the child keeps reading its value', async () => {
    const v = RawValue('i', 424242);
    const place = placeOf(v);
    const peer = await startPeer();
    expect(await run(peer, 'objs.v = lib.attach(arg); return objs.v.value', v.toJSON())).toBe(424242);
    v.close();
    // Churn: short-lived objects, then enough kept open to use up every free block of the size.
    for (let i = 0; i < 20000; i++) {
      const w = RawValue('i', -1);
      JSON.stringify(w);
      w.close();
    }
    expect(landsOn(place, () => RawValue('i', -2))).toBe(false);
    expect(await run(peer, 'objs.v.value += 1; return objs.v.value')).toBe(424243);
    await run(peer, 'objs.v.close()');
    expect(landsOn(place, () => RawValue('i'))).toBe(true);
    await quit(peer);
  });

  test('a lock held by a child when its creator closes it is not reused until the child lets go', async () => {
    const lock = new Lock();
    const place = placeOf(lock);
    const peer = await startPeer();
    await run(peer, 'objs.l = lib.attachLock(arg); objs.l.acquire()', lock.toJSON());
    lock.close();
    expect(landsOn(place, () => new Lock())).toBe(false);
    // Still the same lock for the child, and still held.
    expect(await run(peer, 'return [objs.l.locked(), objs.l.acquire({ blocking: false })]')).toEqual([true, false]);
    await run(peer, 'objs.l.release(); objs.l.close()');
    expect(landsOn(place, () => new Lock())).toBe(true);
    await quit(peer);
  });
});

describe('a descriptor of a freed block never binds to a later object', () => {
  test('an object closed everywhere: attach fails with ERR_SHM_NOT_FOUND, before and after its bytes are reused', async () => {
    const peer = await startPeer();
    const v = RawValue('i', 1);
    const d = v.toJSON();
    v.close();
    expect(await peerCode(peer, 'lib.attach(arg)', d)).toBe('ERR_SHM_NOT_FOUND');
    // Reused: the same bytes now hold another object with a reference count of 1.
    const w = RawValue('i', 999);
    expect(placeOf(w)).toBe(`${d.segment}@${d.offset}`);
    expect(await peerCode(peer, 'objs.stale = lib.attach(arg); return objs.stale.value', d)).toBe('ERR_SHM_NOT_FOUND');
    // The new object's own descriptor works, and the failed attach left its count alone.
    expect(await run(peer, 'return lib.attach(arg).value', w.toJSON())).toBe(999);
    expect(record(w.toJSON()).refs).toBe(2);
    w.close();
    await quit(peer);
  });

  test('the same for a Value (its lock too) and for Lock and RLock descriptors', async () => {
    const peer = await startPeer();
    const v = Value('d', 1.5);
    const vd = v.toJSON();
    v.close();
    const again = Value('d', 2.5);
    expect(placeOf(again)).toBe(`${vd.segment}@${vd.offset}`);
    expect(await peerCode(peer, 'lib.attach(arg)', vd)).toBe('ERR_SHM_NOT_FOUND');
    // Its lock alone, too: the new Value's RLock sits in the old one's bytes.
    expect(await peerCode(peer, 'lib.attachLock(arg)', vd.lock)).toBe('ERR_SHM_NOT_FOUND');
    for (const make of [() => new Lock(), () => new RLock()]) {
      const l = make();
      const ld = l.toJSON();
      l.close();
      expect(await peerCode(peer, 'lib.attachLock(arg)', ld)).toBe('ERR_SHM_NOT_FOUND');
      const l2 = make();
      expect(placeOf(l2)).toBe(`${ld.segment}@${ld.offset}`);
      expect(await peerCode(peer, 'lib.attach(arg)', ld)).toBe('ERR_SHM_NOT_FOUND');
      l2.close();
    }
    again.close();
    await quit(peer);
  });

  test('attaching in the creating process follows the same rule', () => {
    const v = RawValue('i', 3);
    const d = v.toJSON();
    const mine = attach<{ value: number; close(): void }>(d);
    expect(record(d).refs).toBe(2);
    v.close();
    expect(mine.value).toBe(3);
    expect(record(d)).toEqual({ tag: d.block, refs: 1 });
    const second = attach<{ value: number; close(): void }>(d); // still referenced by `mine`
    expect(record(d).refs).toBe(2);
    second.close();
    mine.close();
    // No reference left (the tag is cleared when the creator next polls its released blocks).
    expect(record(d).refs).toBe(0);
    expect(codeOf(() => attach(d))).toBe('ERR_SHM_NOT_FOUND');
  });
});
