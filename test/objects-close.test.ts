// close() of shared objects: wrappers throw ERR_SHM_CLOSED afterwards, raw
// TypedArrays and Buffers are detached (length 0), close() is idempotent and
// other views of the same memory are unaffected.
import {
  Array as SharedArray,
  attach,
  c_double,
  RawArray,
  RawValue,
  Struct,
  Value,
} from '../dist/index';
import type { RawArrayOf } from '../dist/index';
import { codeOf } from './helpers/errors';

describe('close()', () => {
  const Point = Struct({ x: c_double, y: c_double });

  test('wrappers throw ERR_SHM_CLOSED afterwards; close() is idempotent', () => {
    const v = Value('i', 1);
    const raw = v.getObj();
    v.close();
    expect(codeOf(() => v.value)).toBe('ERR_SHM_CLOSED');
    expect(
      codeOf(() => {
        v.value = 2;
      }),
    ).toBe('ERR_SHM_CLOSED');
    expect(codeOf(() => raw.value)).toBe('ERR_SHM_CLOSED');
    expect(codeOf(() => v.toJSON())).toBe('ERR_SHM_CLOSED');
    expect(codeOf(() => v.acquire())).toBe('ERR_SHM_CLOSED'); // its own lock went with it
    v.close();

    const rv = RawValue('q', 5n);
    rv.close();
    expect(codeOf(() => rv.value)).toBe('ERR_SHM_CLOSED');
    rv.close();

    const arr = SharedArray('d', 3);
    arr.close();
    expect(codeOf(() => arr[0])).toBe('ERR_SHM_CLOSED');
    expect(
      codeOf(() => {
        arr[0] = 1;
      }),
    ).toBe('ERR_SHM_CLOSED');
    expect(codeOf(() => arr.slice())).toBe('ERR_SHM_CLOSED');
    expect(codeOf(() => [...arr])).toBe('ERR_SHM_CLOSED');
    arr.close();

    const chars = SharedArray('c', 3);
    chars.close();
    expect(codeOf(() => chars.value)).toBe('ERR_SHM_CLOSED');
    expect(codeOf(() => chars.raw)).toBe('ERR_SHM_CLOSED');

    for (const s of [RawValue(Point, { x: 1 }), Value(Point, { x: 1 })]) {
      const inner = RawValue(Struct({ p: Point }), { p: { x: 1 } });
      const p = inner.p;
      s.close();
      inner.close();
      expect(codeOf(() => s.x)).toBe('ERR_SHM_CLOSED');
      expect(
        codeOf(() => {
          s.y = 1;
        }),
      ).toBe('ERR_SHM_CLOSED');
      expect(codeOf(() => p.x)).toBe('ERR_SHM_CLOSED');
      s.close();
    }

    const flags = RawArray('?', 2);
    flags.close();
    expect(codeOf(() => flags[0])).toBe('ERR_SHM_CLOSED');
  });

  test('raw TypedArrays and Buffers are detached: length 0, reads undefined', () => {
    const ta = RawArray('i', [1, 2, 3]);
    const sub = ta.subarray(1);
    const other = attach<RawArrayOf<'i'>>(ta.toJSON());
    ta.close();
    expect(ta.length).toBe(0);
    expect(ta[0]).toBeUndefined();
    expect(sub.length).toBe(0);
    ta[0] = 5; // TypedArray semantics: ignored, no throw
    expect(ta[0]).toBeUndefined();
    // Another view of the same memory is unaffected.
    expect([...other]).toEqual([1, 2, 3]);
    other.close();
    ta.close();

    const big = RawArray('Q', 2);
    big.close();
    expect(big.length).toBe(0);
    expect(big[1]).toBeUndefined();

    const buf = RawArray('c', 'abc');
    buf.close();
    expect(buf.length).toBe(0);
    expect(buf[0]).toBeUndefined();
    buf.close();

    // Closing the raw object of a synchronized one closes both.
    const sync = SharedArray('d', [1]);
    const raw = sync.getObj();
    raw.close();
    expect(raw.length).toBe(0);
    expect(codeOf(() => sync[0])).toBe('ERR_SHM_CLOSED');
    expect(codeOf(() => sync.getObj())).toBe('ERR_SHM_CLOSED');
  });
});
