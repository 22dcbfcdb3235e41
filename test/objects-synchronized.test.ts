// Synchronized objects (Value, Array): every access under the object's lock
// (a read waits for the lock a child holds), getLock()/getObj(), acquire,
// release, withLock, hold and `using`, the lock option, and synchronized
// arrays' checked elements.
import {
  Array as SharedArray,
  c_int,
  Lock,
  RawArray,
  RLock,
  Struct,
  Value,
} from '../dist/index';
import { exitOf, killAll } from './helpers/processes';
import { codeOf } from './helpers/errors';
import { post, result, startPeer } from './helpers/peer';
import { thrown } from './helpers/shm';
import { expectThrow, rawArray, rawValue, sharedArray, value } from './helpers/objects';

afterEach(killAll);

describe('synchronized objects', () => {
  test('inside withLock, element and value access reuse the held lock (even a plain Lock)', () => {
    const lock = new Lock();
    const v = Value('i', 1, { lock });
    const arr = SharedArray('i', 2, { lock });
    const P = Struct({ x: c_int });
    const p = Value(P, { x: 3 }, { lock });
    // A plain Lock cannot be taken twice by one thread: these accesses must not try to.
    lock.withLock(() => {
      v.value += 1;
      arr[1] = v.value;
      p.x = arr[1] * 2;
    });
    expect([v.value, arr[1], p.x]).toEqual([2, 2, 4]);
    expect(lock.locked()).toBe(false);
    // Outside, each access takes and releases it again.
    expect(() => lock.withLock(() => lock.acquire())).toThrow(expect.objectContaining({ code: 'ERR_LOCK_DEADLOCK' }));
    for (const o of [v, arr, p]) o.close();
    lock.close();
  });

  test('getLock(): a new RLock each by default, or the given Lock/RLock, which objects may share', () => {
    const a = Value('i');
    const b = Value('i');
    expect(a.getLock()).toBeInstanceOf(RLock);
    expect(a.getLock()).not.toBe(b.getLock());
    const lock = new RLock();
    const v = Value('d', 1.5, { lock });
    const arr = SharedArray('i', 3, { lock });
    expect(v.getLock()).toBe(lock);
    expect(arr.getLock()).toBe(lock);
    // One lock: taken through one object, released through the other.
    v.acquire();
    expect(lock.locked()).toBe(true);
    expect(a.getLock().locked()).toBe(false);
    arr.release();
    expect(lock.locked()).toBe(false);
    const plain = new Lock();
    const w = Value('i', 1, { lock: plain });
    expect(w.getLock()).toBe(plain);
    expect(w.getLock()).toBeInstanceOf(Lock);
    for (const o of [a, b, v, arr, w]) o.close();
    lock.close();
    plain.close();
  });

  test('getObj() is the raw object over the same memory', () => {
    const v = Value('i', 5);
    const raw = v.getObj();
    expect(raw.value).toBe(5);
    raw.value = 9;
    expect(v.value).toBe(9);
    expect(codeOf(() => raw.getLock())).toBe('ERR_NO_LOCK');
    const arr = SharedArray('d', [1, 2, 3]);
    const ta = arr.getObj();
    expect(ta).toBeInstanceOf(Float64Array);
    ta[2] = 30;
    expect(arr[2]).toBe(30);
    const P = Struct({ x: c_int, y: c_int });
    const s = Value(P, { x: 1 });
    s.getObj().y = 4;
    expect([s.x, s.y]).toEqual([1, 4]);
    expect(codeOf(() => s.getObj().getLock())).toBe('ERR_NO_LOCK');
    for (const o of [v, arr, s]) o.close();
  });

  test('acquire/release/withLock/hold, with `using`', () => {
    const v = Value('i', 1);
    const lock = v.getLock();
    expect(v.acquire()).toBe(true);
    expect(lock.locked()).toBe(true);
    v.release();
    expect(lock.locked()).toBe(false);
    expect(v.withLock(() => v.value + 1)).toBe(2);
    expect(() =>
      v.withLock(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(lock.locked()).toBe(false);
    {
      using held = v.hold();
      expect(lock.locked()).toBe(true);
      v.value = 7; // an RLock: the per-access lock nests inside the hold
      expect(typeof held.release).toBe('function');
    }
    expect(lock.locked()).toBe(false);
    expect(v.value).toBe(7);
    expect(codeOf(() => v.release())).toBe('ERR_LOCK_NOT_OWNER');
    v.close();
  });

  test('each access takes the lock: a .value read waits for the lock a child holds', async () => {
    const v = Value('i', 0);
    const arr = SharedArray('i', 2);
    const flag = RawArray('i', 1);
    const peer = await startPeer();
    // The child holds the lock until we set the flag, then writes and releases:
    // a read that takes the lock can only see what it wrote.
    const holdThenWrite = `
      const obj = lib.attach(arg.obj), flag = lib.attach(arg.flag);
      obj.acquire();
      send({ type: 'held' });
      while (Atomics.load(flag, 0) === 0);
      const raw = obj.getObj();
      if (ArrayBuffer.isView(raw)) raw[1] = arg.write; else raw.value = arg.write;
      Atomics.store(flag, 0, 0);
      obj.release();
      obj.close(); flag.close();
    `;
    try {
      post(peer, holdThenWrite, { obj: v.toJSON(), flag: flag.toJSON(), write: 42 });
      expect(await peer.next()).toEqual({ type: 'held' });
      expect(v.acquire({ blocking: false })).toBe(false);
      Atomics.store(flag, 0, 1);
      expect(v.value).toBe(42);
      await result(peer);

      post(peer, holdThenWrite, { obj: arr.toJSON(), flag: flag.toJSON(), write: -7 });
      expect(await peer.next()).toEqual({ type: 'held' });
      Atomics.store(flag, 0, 1);
      expect(arr[1]).toBe(-7);
      await result(peer);
      peer.send({ type: 'exit' });
      expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
    } finally {
      v.close();
      arr.close();
      flag.close();
    }
  });

  test('lock: false gives the raw object, which has no lock', () => {
    const v = Value('i', 3, { lock: false });
    expect(v.value).toBe(3);
    expect('getObj' in v).toBe(false);
    const err = thrown(() => v.getLock());
    expect(err?.code).toBe('ERR_NO_LOCK');
    const arr = SharedArray('i', [1, 2], { lock: false });
    expect(arr).toBeInstanceOf(Int32Array);
    expect(codeOf(() => arr.getLock())).toBe('ERR_NO_LOCK');
    const P = Struct({ x: c_int });
    const s = Value(P, { x: 2 }, { lock: false });
    expect(s.x).toBe(2);
    expect(codeOf(() => s.getLock())).toBe('ERR_NO_LOCK');
    for (const o of [v, arr, s]) o.close();
  });

  test('bad lock values and unknown options are TypeErrors; undefined/null/true mean a new RLock', () => {
    for (const bad of ['x', 1, 0, {}, [], () => undefined, new Int32Array(1), new Date()]) {
      expectThrow(() => value('i', 0, { lock: bad }), 'TypeError');
      expectThrow(() => sharedArray('i', 2, { lock: bad }), 'TypeError');
    }
    expectThrow(() => value('i', 0, { lokc: true }), 'TypeError', 'ERR_INVALID_ARG_VALUE');
    expectThrow(() => sharedArray('i', 2, { size: 2 }), 'TypeError', 'ERR_INVALID_ARG_VALUE');
    expectThrow(() => rawValue('i', 0, { lock: true }), 'TypeError');
    expectThrow(() => rawArray('i', 2, { lock: false }), 'TypeError');
    expectThrow(() => value('i', 0, 'opts'), 'TypeError');
    expectThrow(() => value('i', 0, null), 'TypeError');
    expectThrow(() => value('i', 0, { name: 5 }), 'TypeError');
    // Options are never guessed from the init value.
    expectThrow(() => value('i', { lock: false }), 'TypeError');
    for (const lock of [undefined, null, true]) {
      const v = Value('i', undefined, { lock });
      expect(v.value).toBe(0);
      expect(v.getLock()).toBeInstanceOf(RLock);
      v.close();
    }
    const raw = Value('i', undefined, { lock: false });
    expect(raw.value).toBe(0);
    raw.close();
  });

  test('synchronized arrays: per-item access, range checks, slices and C element semantics', () => {
    const arr = SharedArray('i', [1, 2, 3]);
    expect(arr.length).toBe(3);
    arr[1] = 5;
    expect(arr[1]).toBe(5);
    expect([...arr]).toEqual([1, 5, 3]);
    expect(arr.slice(1)).toEqual([5, 3]);
    expect(arr.toArray()).toEqual([1, 5, 3]);
    expect(arr.at(-1)).toBe(3);
    expectThrow(() => arr[3], 'RangeError');
    expectThrow(() => {
      arr[3] = 1;
    }, 'RangeError');
    expectThrow(() => (arr as unknown as Record<string, unknown>)['-1'], 'RangeError');
    // Unlike the raw TypedArray, elements are checked: TypeError for wrong types, C wrap for ints.
    expectThrow(() => {
      arr[0] = 1.5;
    }, 'TypeError');
    expectThrow(() => {
      (arr as unknown as unknown[])[0] = 1n;
    }, 'TypeError');
    arr[0] = 2 ** 31;
    expect(arr[0]).toBe(-(2 ** 31));
    expectThrow(() => {
      (arr as unknown as Record<string, unknown>).extra = 1;
    }, 'TypeError');
    const big = SharedArray('Q', [1n]);
    expectThrow(() => {
      (big as unknown as unknown[])[0] = 1;
    }, 'TypeError');
    big[0] = -1n;
    expect(big[0]).toBe(2n ** 64n - 1n);
    const chars = SharedArray('c', 5);
    chars.value = 'abc';
    expect(chars.value).toBe('abc');
    expect([...chars.raw]).toEqual([97, 98, 99, 0, 0]);
    expect(chars[0]).toBe(97);
    expectThrow(() => {
      chars.value = 'abcdef';
    }, 'RangeError');
    expect(chars.value).toBe('abc');
    const flags = SharedArray('?', 2);
    flags[1] = true;
    expect([...flags]).toEqual([false, true]);
    expectThrow(() => {
      (flags as unknown as unknown[])[0] = 1;
    }, 'TypeError');
    // The same through the methods, whose `this` is then the array's Proxy.
    const methods = flags as unknown as { get(i: number): unknown; set(i: number, v: unknown): void };
    methods.set(0, true);
    expect(methods.get(0)).toBe(true);
    expectThrow(() => methods.set(1, 'yes'), 'TypeError');
    expect([...flags]).toEqual([true, true]);
    for (const o of [arr, big, chars, flags]) o.close();
  });
});
