// The C type system: sizes, C store semantics, Struct layout, layout JSON.
import { SCALARS, toStored, c_byte, c_float, c_int, c_double, c_char, c_bool, c_longlong } from '../dist/types/scalars';
import { Struct } from '../dist/types/ctype';
import { decodeType, encodeType, typeKey } from '../dist/types/layout-json';
import { codeOf } from './helpers/errors';

function store(type: (typeof SCALARS)[keyof typeof SCALARS], v: unknown): unknown {
  const a = new type.TypedArray(1) as unknown as { [i: number]: number | bigint };
  a[0] = toStored(type, v);
  return a[0];
}

test('stores wrap and round exactly as C does', () => {
  expect(store(c_byte, 200)).toBe(-56);
  expect(store(c_int, 2 ** 31)).toBe(-(2 ** 31));
  expect(store(c_float, 0.1)).toBe(Math.fround(0.1));
  expect(store(c_double, 0.1)).toBe(0.1);
  expect(store(c_longlong, 2n ** 63n)).toBe(-(2n ** 63n));
  expect(store(c_bool, true)).toBe(1);
  expect(store(c_char, 'A')).toBe(65);
});

test('wrong JS types are TypeErrors, as in ctypes', () => {
  expect(codeOf(() => toStored(c_int, 1.5))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => toStored(c_int, true))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => toStored(c_int, 1n))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => toStored(c_longlong, 1))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => toStored(c_bool, 1))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => toStored(c_char, 'ab'))).toBe('ERR_INVALID_ARG_TYPE');
  expect(codeOf(() => toStored(c_char, '\u0100'))).toBe('ERR_INVALID_ARG_TYPE');
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

test('layouts round-trip through JSON and lying layouts are refused', () => {
  const T = Struct({ a: 'b', b: [c_double, 4], n: Struct({ q: 'q' }) });
  const json = encodeType(T);
  expect(typeKey(decodeType(JSON.parse(JSON.stringify(json))))).toBe(typeKey(T));
  const lie = JSON.parse(JSON.stringify(json));
  lie.struct[1].offset = 1;
  expect(codeOf(() => decodeType(lie))).toBe('ERR_SHM_BAD_HEADER');
  expect(codeOf(() => decodeType({ array: 'i', length: -1 }))).toBe('ERR_SHM_BAD_HEADER');
  expect(codeOf(() => decodeType('x'))).toBe('ERR_SHM_BAD_HEADER');
  let deep: unknown = 'i';
  for (let i = 0; i < 100; i++) deep = { array: deep, length: 1 };
  expect(codeOf(() => decodeType(deep))).toBe('ERR_SHM_BAD_HEADER');
});
