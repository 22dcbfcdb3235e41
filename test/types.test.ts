// The C type system, through the public API: the bytes C stores for a value,
// TypeErrors for values of the wrong JS type, Struct layout, and type layouts
// carried by descriptors (round trip; a lying or malformed layout is refused).
// A layout in a segment header is the header fuzzer's (fuzz-headers.test.ts).
import { attach, c_bool, c_byte, c_char, c_double, c_float, c_int, c_longlong, RawValue, Struct } from '../dist/index';
import type { ObjectDescriptor, ScalarType } from '../dist/index';
import { codeOf } from './helpers/errors';
import { bytesOf } from './helpers/objects';

/** What a one-element object of `type` holds after storing `v`: its value, and its bytes as C sees them. */
function store(type: ScalarType, v: unknown): { value: unknown; bytes: number[] } {
  const obj = RawValue(type as never, v as never) as unknown as { value: unknown; toJSON(): ObjectDescriptor; close(): void };
  try {
    return { value: obj.value, bytes: [...bytesOf(obj, type.size)] };
  } finally {
    obj.close();
  }
}

test('stores wrap and round exactly as C does, in the shared bytes', () => {
  expect(store(c_byte, 200)).toEqual({ value: -56, bytes: [200] });
  expect(store(c_int, 2 ** 31).value).toBe(-(2 ** 31));
  expect(store(c_float, 0.1).value).toBe(Math.fround(0.1));
  expect(store(c_double, 0.1).value).toBe(0.1);
  expect(store(c_longlong, 2n ** 63n).value).toBe(-(2n ** 63n));
  expect(store(c_bool, true)).toEqual({ value: true, bytes: [1] });
  expect(store(c_char, 'A')).toEqual({ value: 'A', bytes: [65] });
});

test('wrong JS types are TypeErrors, as in ctypes', () => {
  expect(codeOf(() => store(c_int, 1.5))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => store(c_int, true))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => store(c_int, 1n))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => store(c_longlong, 1))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => store(c_bool, 1))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => store(c_char, 'ab'))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => store(c_char, '\u0100'))).toBe('ERR_INVALID_ARG_TYPE');
});

test('Struct lays fields out with natural C alignment', () => {
  const Point = Struct({ x: c_double, y: c_double });
  expect(Point.size).toBe(16);
  const Mixed = Struct({ a: 'b', b: c_double, c: [c_char, 3], d: 'i', p: Point });
  expect(Mixed.fields.map((f) => [f.name, f.offset])).toEqual([
    ['a', 0],
    ['b', 8],
    ['c', 16],
    ['d', 20],
    ['p', 24],
  ]);
  expect(Mixed.size).toBe(40);
  expect(Mixed.align).toBe(8);
  expect(codeOf(() => Struct({}))).toBe('ERR_INVALID_TYPE');
  expect(codeOf(() => Struct({ x: 'z' as never }))).toBe('ERR_INVALID_TYPE');
  expect(codeOf(() => Struct({ toJSON: 'i' }))).toBe('ERR_INVALID_TYPE');
});

test('layouts round-trip through descriptors, and lying or malformed layouts are refused', () => {
  const T = Struct({ a: 'b', b: [c_double, 4], n: Struct({ q: 'q' }) });
  const obj = RawValue(T, { a: -3, n: { q: 5n } });
  try {
    const d = JSON.parse(JSON.stringify(obj.toJSON())) as ObjectDescriptor & { type: { struct: Array<{ offset: number }> } };
    const again = attach<{ a: number; n: { q: bigint }; toJSON(): ObjectDescriptor; close(): void }>(d);
    expect([again.a, again.n.q]).toEqual([-3, 5n]);
    expect(again.toJSON().type).toEqual(obj.toJSON().type);
    again.close();

    const lie = JSON.parse(JSON.stringify(d));
    lie.type.struct[1].offset = 1;
    expect(codeOf(() => attach(lie))).toBe('ERR_INVALID_TYPE');
    expect(codeOf(() => attach({ ...d, type: { array: 'i', length: -1 } }))).toBe('ERR_INVALID_TYPE');
    expect(codeOf(() => attach({ ...d, type: 'x' }))).toBe('ERR_INVALID_TYPE');
    let deep: unknown = 'i';
    for (let i = 0; i < 100; i++) deep = { array: deep, length: 1 };
    expect(codeOf(() => attach({ ...d, type: deep as never }))).toBe('ERR_INVALID_TYPE');
  } finally {
    obj.close();
  }
});
