// Scalars in one process: every typecode and its ctypes names, zero by
// default, C store semantics (wrap-around, float rounding), one latin1
// character for 'c', true/false for '?', and TypeErrors for values of the
// wrong JS type.
import {
  c_bool,
  c_byte,
  c_char,
  c_double,
  c_float,
  c_int,
  c_int16,
  c_int32,
  c_int64,
  c_int8,
  c_long,
  c_longlong,
  c_short,
  c_ubyte,
  c_uint,
  c_uint16,
  c_uint32,
  c_uint64,
  c_uint8,
  c_ulong,
  c_ulonglong,
  c_ushort,
  RawValue,
  Value,
} from '../dist/index';
import type { ScalarType } from '../dist/index';
import { codeOf } from './helpers/errors';
import { bytesOf, expectThrow, rawArray, rawValue, value } from './helpers/objects';

const LONG_BITS = BigInt(c_long.size * 8);

// typecode, its ctypes-named objects, zero, a sample value
const SCALARS: Array<[string, ScalarType[], unknown, unknown]> = [
  ['c', [c_char], '\0', 'Z'],
  ['b', [c_byte, c_int8], 0, -5],
  ['B', [c_ubyte, c_uint8], 0, 250],
  ['h', [c_short, c_int16], 0, -30000],
  ['H', [c_ushort, c_uint16], 0, 60000],
  ['i', [c_int, c_int32], 0, -123456],
  ['I', [c_uint, c_uint32], 0, 4000000000],
  ['l', [c_long], 0n, -(2n ** 30n) - 3n],
  ['L', [c_ulong], 0n, 2n ** 31n + 3n],
  ['q', [c_longlong, c_int64], 0n, -(2n ** 62n)],
  ['Q', [c_ulonglong, c_uint64], 0n, 2n ** 63n + 1n],
  ['f', [c_float], 0, 1.5],
  ['d', [c_double], 0, Math.PI],
  ['?', [c_bool], false, true],
];

describe('scalars', () => {
  test.each(SCALARS)("'%s': zero by default, init and stores, the same through its ctypes names", (code, named, zero, sample) => {
    for (const type of [code, ...named]) {
      for (const make of [rawValue, value]) {
        const v = make(type);
        const w = make(type, sample);
        try {
          expect(v.value).toBe(zero);
          v.value = sample;
          expect(v.value).toBe(sample);
          expect(w.value).toBe(sample);
          // Python's None for init: zero.
          expect(make(type, undefined).value).toBe(zero);
        } finally {
          v.close();
          w.close();
        }
      }
    }
  });

  // typecode, stored, read back: what C does with the value
  test.each<[string, unknown, unknown]>([
    ['b', 200, -56],
    ['b', -129, 127],
    ['B', 256, 0],
    ['B', -1, 255],
    ['h', 32768, -32768],
    ['H', 65536 + 7, 7],
    ['i', 2 ** 31, -(2 ** 31)],
    ['i', 2 ** 32 + 5, 5],
    ['I', -1, 2 ** 32 - 1],
    ['q', 2n ** 63n, -(2n ** 63n)],
    ['q', 2n ** 64n + 5n, 5n],
    ['Q', -1n, 2n ** 64n - 1n],
    ['l', 2n ** 63n + 5n, BigInt.asIntN(Number(LONG_BITS), 2n ** 63n + 5n)],
    ['L', -2n, BigInt.asUintN(Number(LONG_BITS), -2n)],
    ['f', 0.1, Math.fround(0.1)],
    ['f', 16777217, 16777216],
    ['d', 0.1, 0.1],
    ['d', -0, -0],
  ])("'%s' stores %p and reads %p, as C does", (code, stored, read) => {
    for (const make of [rawValue, value]) {
      const byInit = make(code, stored);
      const bySet = make(code);
      bySet.value = stored;
      expect(byInit.value).toBe(read);
      expect(bySet.value).toBe(read);
      byInit.close();
      bySet.close();
    }
  });

  test('the spec examples through ctypes names: c_byte 200 reads -56, c_float rounds', () => {
    expect(RawValue(c_byte, 200).value).toBe(-56);
    expect(Value(c_int8, 200).value).toBe(-56);
    expect(Value(c_uint8, 256).value).toBe(0);
    expect(Value(c_float, 0.1).value).toBe(Math.fround(0.1));
    expect(Value(c_float, 0.1).value).not.toBe(0.1);
    expect(Value(c_int64, 2n ** 63n).value).toBe(-(2n ** 63n));
    expect(Value(c_uint64, -1n).value).toBe(2n ** 64n - 1n);
    expect(Value(c_uint32, -1).value).toBe(4294967295);
    expect(Value(c_int16, 40000).value).toBe(40000 - 65536);
    expect(Value(c_uint16, -2).value).toBe(65534);
  });

  test("'c' holds one latin1 character; '?' holds true or false", () => {
    const ch = Value('c', 'é');
    expect(ch.value).toBe('é');
    expectThrow(() => {
      ch.value = '€';
    }, 'TypeError');
    expect(ch.value).toBe('é');
    expectThrow(() => RawValue('c', '€'), 'TypeError');
    expectThrow(() => Value(c_char, 'ab'), 'TypeError');
    ch.value = '\u00ff';
    expect(ch.value).toBe('\u00ff');
    expect(bytesOf(ch, 1)[0]).toBe(0xff);

    const flag = RawValue('?', true);
    expect(flag.value).toBe(true);
    flag.value = false;
    expect(flag.value).toBe(false);
    expect(bytesOf(flag, 1)[0]).toBe(0);
    flag.value = true;
    expect(bytesOf(flag, 1)[0]).toBe(1);
  });

  // typecode, a value of the wrong JS type
  test.each<[string, unknown]>([
    ['i', 1n],
    ['i', true],
    ['i', 1.5],
    ['i', '1'],
    ['i', null],
    ['i', NaN],
    ['B', 2.5],
    ['h', false],
    ['I', {}],
    ['d', 1n],
    ['d', true],
    ['d', '1.5'],
    ['f', null],
    ['q', 1],
    ['Q', 1],
    ['l', 1],
    ['L', 0],
    ['q', 1.5],
    ['q', '1'],
    ['?', 1],
    ['?', 0],
    ['?', 'true'],
    ['?', null],
    ['c', 65],
    ['c', 'ab'],
    ['c', 1n],
  ])("'%s' refuses %p with a TypeError and keeps its value", (code, bad) => {
    const sample = SCALARS.find(([c]) => c === code)![3];
    for (const make of [rawValue, value]) {
      expectThrow(() => make(code, bad), 'TypeError', 'ERR_INVALID_ARG_TYPE');
      const v = make(code, sample);
      expectThrow(() => {
        v.value = bad;
      }, 'TypeError', 'ERR_INVALID_ARG_TYPE');
      expect(v.value).toBe(sample);
      v.close();
    }
  });

  test('an unknown type is ERR_INVALID_TYPE', () => {
    expect(codeOf(() => rawValue('x'))).toBe('ERR_INVALID_TYPE');
    expect(codeOf(() => value('int'))).toBe('ERR_INVALID_TYPE');
    expect(codeOf(() => rawArray(Int32Array, 3))).toBe('ERR_INVALID_TYPE');
  });
});
