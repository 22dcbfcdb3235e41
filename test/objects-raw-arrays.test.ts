// Raw arrays in one process: TypedArrays over shared memory for the numeric
// typecodes (TypedArray methods, the addon's big fill()), Buffers with
// .value/.raw for 'c', range-checked array-likes for '?' and for structs, and
// the errors of bad sizes and sequences.
import {
  attach,
  c_double,
  c_long,
  c_ulong,
  RawArray,
  Struct,
} from '../dist/index';
import type { CharArray, ObjectDescriptor, RawArrayOf, Typecode } from '../dist/index';
import { bytesOf, expectThrow, latin1, rawArray } from './helpers/objects';

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
