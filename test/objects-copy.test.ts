// copy() and synchronized(): a copy is raw, independent memory with equal
// contents (read under the source's lock); synchronized(raw, lock?) wraps the
// same memory, and refuses anything but a raw shared object.
import {
  Array as SharedArray,
  c_double,
  copy,
  Lock,
  RawArray,
  RawValue,
  RLock,
  Struct,
  synchronized,
  Value,
} from '../dist/index';
import { codeOf } from './helpers/errors';
import { expectThrow } from './helpers/objects';

describe('copy() and synchronized()', () => {
  const Point = Struct({ x: c_double, y: c_double });

  test('copy() of raw objects: equal contents, independent memory, raw', () => {
    const v = RawValue('i', 5);
    const cv = copy(v);
    expect(cv.value).toBe(5);
    cv.value = 6;
    expect(v.value).toBe(5);
    expect(cv.toJSON().offset === v.toJSON().offset && cv.toJSON().segment === v.toJSON().segment).toBe(false);

    const arr = RawArray('d', [1, 2, 3]);
    const ca = copy(arr);
    expect(ca).toBeInstanceOf(Float64Array);
    expect([...ca]).toEqual([1, 2, 3]);
    ca[0] = 100;
    expect(arr[0]).toBe(1);

    const chars = RawArray('c', 'hey');
    const cc = copy(chars);
    expect(cc).toBeInstanceOf(Buffer);
    expect(cc.value).toBe('hey');
    cc.value = 'no';
    expect(chars.value).toBe('hey');

    const flags = RawArray('?', [true, false]);
    const cf = copy(flags);
    expect([...cf]).toEqual([true, false]);
    cf[0] = false;
    expect(flags[0]).toBe(true);

    const p = RawValue(Point, { x: 1, y: 2 });
    const cp = copy(p);
    expect([cp.x, cp.y]).toEqual([1, 2]);
    cp.x = 9;
    expect(p.x).toBe(1);

    const pts = RawArray(Point, [[1, 2]]);
    const cpts = copy(pts);
    expect(cpts[0].y).toBe(2);
    cpts[0].y = 0;
    expect(pts[0].y).toBe(2);
    for (const o of [v, cv, arr, ca, chars, cc, flags, cf, p, cp, pts, cpts]) o.close();
  });

  test('copy() of synchronized objects gives raw copies, read under the lock', () => {
    const v = Value('i', 5);
    const cv = copy(v);
    expect(cv.value).toBe(5);
    expect(codeOf(() => cv.getLock())).toBe('ERR_NO_LOCK');
    cv.value = 1;
    expect(v.value).toBe(5);
    const arr = SharedArray('i', [4, 5]);
    const ca = copy(arr);
    expect(ca).toBeInstanceOf(Int32Array);
    expect([...ca]).toEqual([4, 5]);
    const s = Value(Point, { x: 3 });
    const cs = copy(s);
    expect([cs.x, cs.y]).toEqual([3, 0]);
    expect(codeOf(() => cs.getLock())).toBe('ERR_NO_LOCK');
    // The source's lock is taken: a non-recursive Lock this thread holds refuses.
    const lock = new Lock();
    const guarded = Value('i', 8, { lock });
    lock.acquire();
    expect(codeOf(() => copy(guarded))).toBe('ERR_LOCK_DEADLOCK');
    lock.release();
    const cg = copy(guarded);
    expect(cg.value).toBe(8);
    expectThrow(() => copy({}), 'TypeError');
    expectThrow(() => copy(new Int32Array(2)), 'TypeError');
    for (const o of [v, cv, arr, ca, s, cs, guarded, cg]) o.close();
    lock.close();
  });

  test('synchronized(raw, lock?) wraps the same memory; anything else is a TypeError', () => {
    const raw = RawArray('i', 3);
    const s = synchronized(raw);
    s[0] = 4;
    expect(raw[0]).toBe(4);
    raw[1] = 7;
    expect(s[1]).toBe(7);
    expect(s.getObj()).toBe(raw);
    expect(s.getLock()).toBeInstanceOf(RLock);
    const lock = new Lock();
    const rv = RawValue('d', 0.5);
    const sv = synchronized(rv, lock);
    expect(sv.getLock()).toBe(lock);
    expect(sv.value).toBe(0.5);
    sv.value = 1.5;
    expect(rv.value).toBe(1.5);
    const p = RawValue(Point, { x: 1 });
    const sp = synchronized(p);
    sp.y = 2;
    expect([p.x, p.y]).toEqual([1, 2]);
    const chars = synchronized(RawArray('c', 4));
    chars.value = 'ab';
    expect(chars.value).toBe('ab');

    expectThrow(() => synchronized({}), 'TypeError');
    expectThrow(() => synchronized(new Int32Array(3)), 'TypeError');
    expectThrow(() => synchronized(s), 'TypeError');
    expectThrow(() => synchronized(Value('i')), 'TypeError');
    expectThrow(() => synchronized(raw, 'notalock' as never), 'TypeError');
    expectThrow(() => synchronized(raw, {} as never), 'TypeError');
    expectThrow(() => synchronized(raw, true as never), 'TypeError');
    for (const o of [s, sv, sp, chars]) o.close();
    lock.close();
  });
});
