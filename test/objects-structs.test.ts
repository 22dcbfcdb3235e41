// Structs in one process: C layout and alignment in the shared bytes, nested
// structs and array fields as live views, init by object or by array in
// field order, sealed objects, and the field lists refused.
import os from 'os';
import {
  Array as SharedArray,
  c_bool,
  c_byte,
  c_char,
  c_double,
  c_float,
  c_int,
  c_longlong,
  c_short,
  RawValue,
  RLock,
  Struct,
  Value,
} from '../dist/index';
import { codeOf } from './helpers/errors';
import { bytesOf, expectThrow } from './helpers/objects';

const LE = os.endianness() === 'LE';

describe('Struct', () => {
  const Point = Struct({ x: c_double, y: c_double });

  test('natural alignment, as a C compiler lays it out, in the shared bytes', () => {
    const S = Struct({ a: c_byte, b: c_double });
    expect(S.size).toBe(16);
    expect(S.align).toBe(8);
    expect(S.fields.map((f) => [f.name, f.offset])).toEqual([
      ['a', 0],
      ['b', 8],
    ]);
    const s = RawValue(S, { a: -2, b: 2.5 });
    const bytes = bytesOf(s, 16);
    expect(bytes[0]).toBe(254);
    expect(new DataView(bytes.buffer, bytes.byteOffset, 16).getFloat64(8, LE)).toBe(2.5);
    const M = Struct({ c: c_char, h: c_short, i: c_int, q: c_longlong, f: c_float });
    expect(M.fields.map((f) => f.offset)).toEqual([0, 2, 4, 8, 16]);
    expect(M.size).toBe(24);
    s.close();
  });

  const Shape = Struct({ id: c_int, origin: Point, corners: [Point, 2], tags: [c_int, 4], label: [c_char, 6], ok: c_bool });

  test('nested structs and array fields', () => {
    expect(Shape.fields.map((f) => [f.name, f.offset])).toEqual([
      ['id', 0],
      ['origin', 8],
      ['corners', 24],
      ['tags', 56],
      ['label', 72],
      ['ok', 78],
    ]);
    expect(Shape.size).toBe(80);
    const s = RawValue(Shape, { id: 7, origin: { x: 1 }, tags: [1, 2] });
    expect(s.id).toBe(7);
    expect([s.origin.x, s.origin.y]).toEqual([1, 0]);
    expect([...s.tags]).toEqual([1, 2, 0, 0]);
    expect(s.tags.length).toBe(4);
    expect([...s.corners].map((p) => [p.x, p.y])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect([...s.label]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(s.ok).toBe(false);
    // Nested views are live.
    const origin = s.origin;
    s.origin = { x: 5, y: 6 };
    expect([origin.x, origin.y]).toEqual([5, 6]);
    origin.x = 10;
    expect(s.origin.x).toBe(10);
    s.corners[1].y = 9;
    expect(s.corners[1].y).toBe(9);
    s.tags[2] = 42;
    expect([...s.tags]).toEqual([1, 2, 42, 0]);
    expectThrow(() => s.tags[4], 'RangeError');
    expectThrow(() => {
      s.tags = [1, 2, 3, 4, 5];
    }, 'RangeError');
    expect([...s.tags]).toEqual([1, 2, 42, 0]);
    // A bad value anywhere in a nested write changes nothing.
    expectThrow(() => {
      s.origin = { x: 100, y: 'bad' as unknown as number };
    }, 'TypeError');
    expect([s.origin.x, s.origin.y]).toEqual([10, 6]);
    const bytes = bytesOf(s, Shape.size);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getInt32(56 + 8, LE)).toBe(42);
    s.close();
  });

  test('init by an array in field order', () => {
    const s = RawValue(Shape, [7, [1.5, 2.5], [[1, 2], { x: 3, y: 4 }], [9, 8, 7, 6], 'abc', true]);
    expect(s.id).toBe(7);
    expect([s.origin.x, s.origin.y]).toEqual([1.5, 2.5]);
    expect([...s.corners].map((p) => [p.x, p.y])).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect([...s.tags]).toEqual([9, 8, 7, 6]);
    expect([...s.label]).toEqual([97, 98, 99, 0, 0, 0]);
    expect(s.ok).toBe(true);
    // Fewer initialisers than fields: the rest are zero.
    const p = RawValue(Point, [3]);
    expect([p.x, p.y]).toEqual([3, 0]);
    expectThrow(() => RawValue(Point, [1, 2, 3]), 'TypeError');
    expectThrow(() => RawValue(Point, { x: 'a' } as never), 'TypeError');
    expectThrow(() => RawValue(Point, { z: 1 } as never), 'TypeError');
    expectThrow(() => RawValue(Point, 5 as never), 'TypeError');
    expectThrow(() => RawValue(Shape, { origin: { z: 1 } } as never), 'TypeError');
    s.close();
    p.close();
  });

  test('Array(Point, [[1.875, -6.25], { x: -5.75, y: 2 }])', () => {
    const arr = SharedArray(Point, [[1.875, -6.25], { x: -5.75, y: 2 }]);
    expect(arr.length).toBe(2);
    expect([arr[0].x, arr[0].y, arr[1].x, arr[1].y]).toEqual([1.875, -6.25, -5.75, 2]);
    expect(arr.toArray().map((p) => ({ x: p.x, y: p.y }))).toEqual([
      { x: 1.875, y: -6.25 },
      { x: -5.75, y: 2 },
    ]);
    arr[1] = [0.5, 0.25] as never;
    expect([arr[1].x, arr[1].y]).toEqual([0.5, 0.25]);
    expect(arr.getLock()).toBeInstanceOf(RLock);
    arr.close();
  });

  test('struct objects are sealed: an unknown field is a TypeError', () => {
    for (const p of [RawValue(Point, { x: 1 }), Value(Point, { x: 1 })]) {
      const loose = p as unknown as Record<string, unknown>;
      expectThrow(() => {
        loose.z = 1;
      }, 'TypeError');
      expectThrow(() => Object.defineProperty(p, 'z', { value: 1 }), 'TypeError');
      expectThrow(() => delete loose.x, 'TypeError');
      expect('z' in p).toBe(false);
      expect(p.x).toBe(1);
      expect(Object.keys(p)).toEqual([]);
      p.close();
    }
  });

  test('reserved and empty field lists are rejected', () => {
    for (const name of ['getLock', 'getObj', 'acquire', 'release', 'withLock', 'hold', 'toJSON', 'close', 'unlink', 'constructor']) {
      expect(codeOf(() => Struct({ [name]: c_int }))).toBe('ERR_INVALID_TYPE');
    }
    expect(codeOf(() => Struct({}))).toBe('ERR_INVALID_TYPE');
    expect(codeOf(() => Struct({ a: [c_int] as never }))).toBe('ERR_INVALID_TYPE');
    expectThrow(() => Struct({ a: [c_int, -1] }), 'RangeError');
  });
});
