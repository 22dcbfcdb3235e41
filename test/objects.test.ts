// The object API in one process: scalars with C store semantics, raw arrays
// as TypedArrays/Buffers/array-likes, Structs, synchronized wrappers and their
// options, copy/synchronized, close(), named objects, and 100,000 Values.
import fs from 'fs';
import os from 'os';
import {
  Array as SharedArray,
  attach,
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
  copy,
  Lock,
  RawArray,
  RawValue,
  RLock,
  Struct,
  synchronized,
  unlink,
  Value,
} from '../dist/index';
import type { CharArray, ObjectDescriptor, RawArrayOf, ScalarType, Typecode } from '../dist/index';
import { exitOf, forkFixture, killAll } from './helpers/processes';
import { testName } from './helpers/names';
import { codeOf } from './helpers/errors';
import { post, result, run, startPeer } from './helpers/peer';
import { shmExists, thrown, until } from './helpers/shm';

afterEach(killAll);

/** What the dynamic (table-driven) tests need of any scalar object. */
interface Scalar {
  value: unknown;
  close(): void;
}
type Make = (type: unknown, init?: unknown, options?: unknown) => Scalar;
// The factories with their generics erased, for tables of typecodes and values.
const rawValue = RawValue as unknown as Make;
const value = Value as unknown as Make;
const rawArray = RawArray as unknown as (type: unknown, sizeOrInit: unknown, options?: unknown) => object;
const sharedArray = SharedArray as unknown as (type: unknown, sizeOrInit: unknown, options?: unknown) => object;

const LONG_BITS = BigInt(c_long.size * 8);
const LE = os.endianness() === 'LE';

/** Asserts that `fn` throws a `name` error (TypeError, RangeError, …), with `code` if given. */
function expectThrow(fn: () => unknown, name: string, code?: string): void {
  const t = thrown(fn);
  expect(t?.name).toBe(name);
  if (code !== undefined) expect(t?.code).toBe(code);
}

/** Bytes as a latin1 string (what a C char array holds). */
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

/** The bytes of a shared object, seen through a second view of the same memory. */
function bytesOf(obj: { toJSON(): ObjectDescriptor }, length: number): Uint8Array {
  const d = obj.toJSON();
  return attach<Uint8Array>({ $sharedctypes: 1, kind: 'RawArray', segment: d.segment, incarnation: d.incarnation, offset: d.offset, block: d.block, type: 'B', length });
}

// ------------------------------------------------------------------ scalars

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

// ------------------------------------------------------------------ raw arrays

describe('RawArray', () => {
  const TYPED: Array<[string, string, unknown[]]> = [
    ['b', 'Int8Array', [-1, 2, -128]],
    ['B', 'Uint8Array', [255, 0, 7]],
    ['h', 'Int16Array', [-32768, 1, 2]],
    ['H', 'Uint16Array', [65535, 1, 2]],
    ['i', 'Int32Array', [-(2 ** 31), 5, 6]],
    ['I', 'Uint32Array', [2 ** 32 - 1, 5, 6]],
    ['l', c_long.size === 8 ? 'BigInt64Array' : 'Int32Array', [-1n, 2n, 3n]],
    ['L', c_ulong.size === 8 ? 'BigUint64Array' : 'Uint32Array', [1n, 2n, 3n]],
    ['q', 'BigInt64Array', [-(2n ** 63n), 0n, 1n]],
    ['Q', 'BigUint64Array', [2n ** 64n - 1n, 0n, 1n]],
    ['f', 'Float32Array', [0.5, -1.25, 3]],
    ['d', 'Float64Array', [Math.E, -0.1, 1e300]],
  ];
  const ctors: Record<string, unknown> = {
    Int8Array,
    Uint8Array,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    BigInt64Array,
    BigUint64Array,
    Float32Array,
    Float64Array,
  };

  test.each(TYPED)("RawArray('%s') is a %s over shared memory", (code, ctorName, items) => {
    const Ctor = ctors[ctorName] as new (n: number) => ArrayLike<unknown>;
    const zeros = rawArray(code, 3) as ArrayLike<unknown> & { toJSON(): ObjectDescriptor; close(): void };
    const filled = rawArray(code, items) as ArrayLike<unknown> & { toJSON(): ObjectDescriptor; close(): void };
    try {
      expect(zeros).toBeInstanceOf(Ctor);
      expect(filled).toBeInstanceOf(Ctor);
      expect(Object.getPrototypeOf(Object.getPrototypeOf(filled))).toBe((Ctor as unknown as { prototype: object }).prototype);
      expect(zeros.length).toBe(3);
      expect(Array.from(zeros)).toEqual(Array.from(new Ctor(3)));
      expect(Array.from(filled)).toEqual(items);
      // A second view of the same memory sees every store.
      const other = attach<ArrayLike<unknown> & { [i: number]: unknown; close(): void }>(filled.toJSON());
      (filled as unknown as { [i: number]: unknown })[1] = items[0];
      expect(other[1]).toBe(items[0]);
      other.close();
    } finally {
      zeros.close();
      filled.close();
    }
  });

  test('subarray, fill, set, iteration and TypedArray methods work on the shared bytes', () => {
    const arr = RawArray('i', 6);
    const other = attach<RawArrayOf<'i'>>(arr.toJSON());
    try {
      arr.subarray(2, 4).fill(7);
      arr.set([1, 2], 0);
      arr[5] = -1;
      expect(Array.from(other)).toEqual([1, 2, 7, 7, 0, -1]);
      other.set([9], 4);
      expect([...arr]).toEqual([1, 2, 7, 7, 9, -1]);
      let sum = 0;
      for (const x of arr) sum += x;
      expect(sum).toBe(25);
      expect(arr.indexOf(9)).toBe(4);
      arr.sort();
      expect(Array.from(other)).toEqual([-1, 1, 2, 7, 7, 9]);
      // Derived arrays are ordinary copies (species is the built-in constructor).
      const mapped = arr.map((x) => x * 2);
      expect(mapped).toBeInstanceOf(Int32Array);
      mapped[0] = 100;
      expect(arr[0]).toBe(-1);
      // TypedArray semantics: no throw, C wrap-around.
      arr[0] = 2 ** 31;
      expect(other[0]).toBe(-(2 ** 31));
      const big = RawArray('q', [1n, 2n]);
      big[1] = 2n ** 63n;
      expect(big[1]).toBe(-(2n ** 63n));
      big.close();
    } finally {
      other.close();
      arr.close();
    }
  });

  test('fill() of a big range (done by the addon) stores exactly what TypedArray fill stores, for every numeric type', () => {
    const n = 70000; // above the 16,384 elements where the addon takes over
    const cases: Array<[Typecode, unknown[]]> = [
      ['b', [-1, 300, 1.9, '7']],
      ['B', [255, -1, 3.7]],
      ['h', [70000, -2]],
      ['H', [65541]],
      ['i', [2 ** 31, -7, null]],
      ['I', [-1, 2 ** 32 + 3]],
      ['f', [0.1, NaN, -0, 1e40]],
      ['d', [1.5, Infinity, NaN, -0]],
      ['q', [-3n, 2n ** 63n]],
      ['Q', [-1n, 5n]],
    ];
    const ranges: Array<[number | undefined, number | undefined]> = [
      [undefined, undefined],
      [5, undefined],
      [-20000, -3],
      [1000, 1000 + 20000],
      [n - 1, n + 5],
      [30000.7, 50000.2],
    ];
    const bytes = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const caught = (fn: () => unknown): Error | undefined => {
      try {
        fn();
      } catch (err) {
        return err as Error;
      }
      return undefined;
    };
    for (const [code, values] of cases) {
      const arr = RawArray(code, n) as unknown as Float64Array;
      const Plain = Object.getPrototypeOf(Object.getPrototypeOf(arr)).constructor as new (n: number) => Float64Array;
      const ref = new Plain(n);
      try {
        for (const v of values) {
          for (const [start, end] of ranges) {
            expect(arr.fill(v as number, start, end)).toBe(arr);
            ref.fill(v as number, start, end);
            expect(bytes(arr).equals(bytes(ref))).toBe(true);
          }
        }
        // The wrong kind of value is the built-in's TypeError, and nothing is written.
        // (Names and messages compared: jest runs tests in a realm of their own.)
        const wrong = code === 'q' || code === 'Q' ? 1 : 1n;
        const ours = caught(() => arr.fill(wrong as number));
        const builtIn = caught(() => ref.fill(wrong as number));
        expect([ours?.name, ours?.message]).toEqual(['TypeError', builtIn?.message]);
        expect(bytes(arr).equals(bytes(ref))).toBe(true);
      } finally {
        (arr as unknown as { close(): void }).close();
      }
    }
    // A value whose conversion closes the array: the built-in's TypeError, no write anywhere.
    const arr = RawArray('d', n);
    expect(caught(() => arr.fill({ valueOf: () => (arr.close(), 1) } as unknown as number))?.name).toBe('TypeError');
    expect(arr.length).toBe(0);
  });

  test("'c' arrays are Buffers with .value (up to the first NUL) and .raw", () => {
    const c = RawArray('c', 8);
    const view = attach<CharArray>(c.toJSON());
    try {
      expect(c).toBeInstanceOf(Buffer);
      expect(c.length).toBe(8);
      expect(c.value).toBe('');
      c.value = 'hello';
      expect(c.value).toBe('hello');
      expect(view.value).toBe('hello');
      expect([...c]).toEqual([104, 101, 108, 108, 111, 0, 0, 0]);
      // The setter NUL-terminates and leaves the bytes after the NUL alone.
      c.value = 'hi';
      expect(c.value).toBe('hi');
      expect([...c.raw]).toEqual([104, 105, 0, 108, 111, 0, 0, 0]);
      // Exactly filling: stored without a NUL.
      c.value = 'exactly8';
      expect(c.value).toBe('exactly8');
      expect(latin1(c.raw)).toBe('exactly8');
      // One byte too long: RangeError, nothing changed.
      expectThrow(() => {
        c.value = 'ninechars';
      }, 'RangeError');
      expect(latin1(c.raw)).toBe('exactly8');
      // Latin1: é is one byte, € is a TypeError that changes nothing.
      c.value = 'é';
      expect(c[0]).toBe(0xe9);
      expect(c.value).toBe('é');
      expectThrow(() => {
        c.value = 'a€';
      }, 'TypeError');
      expect(c.value).toBe('é');
      expectThrow(() => {
        (c as unknown as { value: unknown }).value = 5;
      }, 'TypeError');
      // .raw is a copy of all bytes...
      const raw = c.raw;
      expect(raw).toBeInstanceOf(Buffer);
      expect(raw.length).toBe(8);
      raw[0] = 0x41;
      expect(c[0]).toBe(0xe9);
      // ...and takes bytes as they are: UTF-8 goes through it.
      c.raw = Buffer.from('€ab', 'utf8');
      expect(c.subarray(0, 5).toString('utf8')).toBe('€ab');
      c.raw = Buffer.from([65, 66, 0, 67]);
      expect(c.value).toBe('AB');
      expect(view.raw[3]).toBe(67);
      expectThrow(() => {
        c.raw = Buffer.alloc(9, 1);
      }, 'RangeError');
      expect(c.value).toBe('AB');
      // Elements are bytes, as in a Buffer.
      c[0] = 0x61;
      expect(view.value).toBe('aB');
    } finally {
      view.close();
      c.close();
    }
    const init = RawArray('c', 'abc');
    expect(init.length).toBe(3);
    expect(init.value).toBe('abc');
    init.close();
    expectThrow(() => RawArray('c', 'a€'), 'TypeError');
  });

  test("'?' arrays are array-likes of booleans with range-checked indices", () => {
    const flags = RawArray('?', [true, false, true]);
    expect(ArrayBuffer.isView(flags)).toBe(false);
    expect(flags.length).toBe(3);
    expect(flags[0]).toBe(true);
    expect(flags[1]).toBe(false);
    flags[1] = true;
    expect([...flags]).toEqual([true, true, true]);
    flags[2] = false;
    expect(flags.toArray()).toEqual([true, true, false]);
    expect(flags.slice(1)).toEqual([true, false]);
    expect(flags.at(-1)).toBe(false);
    expect(Array.from(flags)).toEqual([true, true, false]);
    expect(Object.keys(flags)).toEqual(['0', '1', '2']);
    expect(2 in flags).toBe(true);
    expect(3 in flags).toBe(false);
    expectThrow(() => flags[3], 'RangeError');
    expectThrow(() => {
      flags[3] = true;
    }, 'RangeError');
    expectThrow(() => (flags as unknown as Record<string, unknown>)['-1'], 'RangeError');
    expectThrow(() => {
      (flags as unknown as boolean[])[0] = 1 as unknown as boolean;
    }, 'TypeError');
    expect(flags[0]).toBe(true);
    expectThrow(() => {
      (flags as unknown as Record<string, unknown>).extra = 1;
    }, 'TypeError');
    // The bytes are C bools.
    expect([...bytesOf(flags, 3)]).toEqual([1, 1, 0]);
    flags.close();
  });

  test('struct arrays are array-likes of live struct views', () => {
    const Point = Struct({ x: c_double, y: c_double });
    const arr = RawArray(Point, 3);
    expect(arr.length).toBe(3);
    arr[0].x = 1.5;
    arr[1] = { x: 2, y: 3 };
    arr[2] = [4, 5] as never; // an array in field order
    expect([...arr].map((p) => [p.x, p.y])).toEqual([
      [1.5, 0],
      [2, 3],
      [4, 5],
    ]);
    const view = arr[1];
    arr[1] = { y: -1 } as never; // missing fields are zero
    expect([view.x, view.y]).toEqual([0, -1]);
    expectThrow(() => arr[3], 'RangeError');
    expectThrow(() => {
      arr[3] = { x: 1, y: 1 };
    }, 'RangeError');
    expectThrow(() => {
      arr[0] = { x: 1, z: 2 } as never;
    }, 'TypeError');
    expect(arr[0].x).toBe(1.5);
    arr.close();
  });

  test('sizes are RangeErrors, sequences TypeErrors when wrong', () => {
    expectThrow(() => rawArray('i', -1), 'RangeError');
    expectThrow(() => rawArray('i', 1.5), 'RangeError');
    expectThrow(() => rawArray('i', 3n), 'TypeError');
    expectThrow(() => rawArray('i', 'abc'), 'TypeError');
    expectThrow(() => rawArray('i', [1, 1.5]), 'TypeError');
    expectThrow(() => rawArray('q', [1]), 'TypeError');
    expectThrow(() => rawArray('?', [1]), 'TypeError');
    const empty = RawArray('d', 0);
    expect(empty.length).toBe(0);
    empty.close();
    // Any iterable gives length and contents.
    const fromSet = RawArray('h', new Set([3, 1, 2]));
    expect([...fromSet]).toEqual([3, 1, 2]);
    fromSet.close();
  });
});

// ------------------------------------------------------------------ structs

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

// ------------------------------------------------------------------ synchronized

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

// ------------------------------------------------------------------ copy / synchronized()

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

// ------------------------------------------------------------------ close()

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

// ------------------------------------------------------------------ named objects

describe('named objects', () => {
  const mode = (name: string): number => fs.statSync(`/dev/shm/${name}`).mode & 0o777;

  test('created exclusively with mode 0o600; unlink() is idempotent; unlink(name) of a missing name fails', () => {
    const name = testName('obj-named');
    const v = Value('i', 3, { name });
    try {
      expect(shmExists(name)).toBe(true);
      expect(mode(name)).toBe(0o600);
      expect(v.toJSON().segment).toBe(name);
      expect(codeOf(() => Value('i', 0, { name }))).toBe('ERR_SHM_EXISTS');
      expect(codeOf(() => RawArray('d', 4, { name }))).toBe('ERR_SHM_EXISTS');
      expect(v.value).toBe(3); // the failed creations did not touch it
      const again = attach<{ value: number; close(): void }>(name);
      expect(again.value).toBe(3);
      again.close();
      v.unlink();
      expect(shmExists(name)).toBe(false);
      v.unlink();
      // Unlinking removes the name, not the memory this process mapped.
      v.value = 4;
      expect(v.value).toBe(4);
      expect(codeOf(() => unlink(name))).toBe('ERR_SHM_NOT_FOUND');
      expect(codeOf(() => attach(name))).toBe('ERR_SHM_NOT_FOUND');
    } finally {
      v.close();
      if (shmExists(name)) unlink(name);
    }
  });

  test('a name unlinked while still mapped here can be reused: attach(name) finds the new segment', async () => {
    const name = testName('obj-reuse');
    const made: Array<{ close(): void }> = [];
    const peer = await startPeer();
    try {
      const old = Value('i', 1, { name });
      made.push(old);
      const oldView = attach<{ value: number; close(): void }>(name);
      made.push(oldView);
      old.unlink();
      // Another process takes the name for a new object.
      await run(peer, 'lib.RawArray("d", [2.5, 3.5], { name: arg }).close()', name);
      // attach(name) opens what the name designates now, not the mapping this process still holds.
      const seen = attach<Float64Array & { close(): void }>(name, { type: 'd', length: 2 });
      made.push(seen);
      expect([...seen]).toEqual([2.5, 3.5]);
      expect(old.value).toBe(1);
      expect(oldView.value).toBe(1);
      // The module-level unlink(name) forgets the name the same way.
      unlink(name);
      expect(codeOf(() => attach(name))).toBe('ERR_SHM_NOT_FOUND');
      peer.send({ type: 'exit' });
      expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
    } finally {
      for (const o of made) o.close();
      if (shmExists(name)) unlink(name);
    }
  });

  test('every factory takes name and mode; a leading slash means the same name', () => {
    const names = [testName('obj-raw'), testName('obj-arr'), testName('obj-sarr'), testName('obj-struct'), testName('obj-slash')];
    const made: Array<{ close(): void; unlink(): void }> = [];
    try {
      made.push(RawValue('d', 1.5, { name: names[0], mode: 0o640 }));
      made.push(RawArray('i', [1, 2], { name: names[1] }));
      made.push(SharedArray('c', 'xyz', { name: names[2], mode: 0o604 }));
      made.push(Value(Struct({ a: c_int }), { a: 1 }, { name: names[3] }));
      made.push(Value('i', 0, { name: `/${names[4]}` }));
      expect(names.map(mode)).toEqual([0o640, 0o600, 0o604, 0o600, 0o600]);
      expect(codeOf(() => Value('i', 0, { name: names[4] }))).toBe('ERR_SHM_EXISTS');
      for (const o of made) o.unlink();
      expect(names.filter(shmExists)).toEqual([]);
    } finally {
      for (const o of made) o.close();
      for (const n of names) if (shmExists(n)) unlink(n);
    }
    expect(codeOf(() => unlink(names[0]))).toBe('ERR_SHM_NOT_FOUND');
  });

  test('invalid names are ERR_SHM_INVALID_NAME; 200 bytes is the Linux limit', () => {
    for (const name of ['', 'a/b', 'a\\b', 'a\0b', 'x'.repeat(201)]) {
      expect(codeOf(() => Value('i', 0, { name }))).toBe('ERR_SHM_INVALID_NAME');
      expect(codeOf(() => RawArray('d', 2, { name }))).toBe('ERR_SHM_INVALID_NAME');
      expect(codeOf(() => attach(name))).toBe('ERR_SHM_INVALID_NAME');
      expect(codeOf(() => unlink(name))).toBe('ERR_SHM_INVALID_NAME');
    }
    const base = testName('obj-long');
    const long = base + 'x'.repeat(200 - base.length);
    const v = RawValue('i', 1, { name: long });
    try {
      expect(shmExists(long)).toBe(true);
    } finally {
      v.close();
      unlink(long);
    }
  });

  test('unlinkOnExit needs a name', () => {
    expectThrow(() => value('i', 0, { unlinkOnExit: true }), 'TypeError');
    expectThrow(() => value('i', 0, { unlinkOnExit: 'yes' }), 'TypeError');
  });
});

// ------------------------------------------------------------------ scale

test('100,000 Value("i") in one process: few mappings, few segments, all gone at exit', async () => {
  const child = forkFixture('many-values.js');
  const report = await child.next<{
    correct: number;
    locks: number;
    lockKinds: string[];
    lockable: boolean;
    segments: string[];
    present: number;
    maps: number;
  }>();
  expect(report.correct).toBe(100000);
  expect(report.locks).toBe(100000);
  expect(report.lockKinds).toEqual(['RLock']);
  expect(report.lockable).toBe(true);
  expect(report.maps).toBeLessThan(2000);
  expect(report.segments.length).toBeGreaterThan(0);
  expect(report.segments.length).toBeLessThan(200);
  expect(report.present).toBe(report.segments.length);
  expect(await exitOf(child)).toEqual({ code: 0, signal: null });
  expect(await until(() => !report.segments.some(shmExists))).toBe(true);
});
