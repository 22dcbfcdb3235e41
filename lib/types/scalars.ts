// Scalar C types: Python's array typecodes and the ctypes-named type objects,
// with their sizes, alignment, JS representation and exact C store rules.
import { rangeError, typeError } from '../base/errors';

/** Python `array` typecodes. */
export type Typecode = 'c' | 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd' | '?';

/** The JS type a typecode reads as. */
export type JsOfCode<C extends Typecode> = C extends 'q' | 'Q' | 'l' | 'L'
  ? bigint
  : C extends '?'
    ? boolean
    : C extends 'c'
      ? string
      : number;

/** The JS type of an element of an array of this typecode (`c` arrays hold bytes). */
export type ElementOfCode<C extends Typecode> = C extends 'c' ? number : JsOfCode<C>;

type TypedArrayCtor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** How values of a scalar are represented in JS. */
export type ScalarRepr = 'int' | 'bigint' | 'float' | 'bool' | 'char';

const SCALAR = Symbol.for('sharedctypes.scalar');

/** A scalar C type. `T` is the JS type `.value` reads as. */
export interface ScalarType<C extends Typecode = Typecode, T = JsOfCode<C>> {
  readonly [SCALAR]: true;
  readonly kind: 'scalar';
  readonly code: C;
  /** ctypes name, e.g. `c_int`. */
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly repr: ScalarRepr;
  /** Typed array over the same bytes (Uint8Array for `c` and `?`). */
  readonly TypedArray: TypedArrayCtor;
  /** Phantom: carries the JS type for generics. */
  readonly __value?: T;
}

export function isScalarType(value: unknown): value is ScalarType {
  return typeof value === 'object' && value !== null && (value as { [SCALAR]?: unknown })[SCALAR] === true;
}

// C long is 4 bytes on Windows (LLP64) and 8 elsewhere (LP64).
const LONG_SIZE = process.platform === 'win32' ? 4 : 8;

function scalar<C extends Typecode>(code: C, name: string, size: number, repr: ScalarRepr, TypedArray: TypedArrayCtor): ScalarType<C> {
  return Object.freeze({ [SCALAR]: true as const, kind: 'scalar' as const, code, name, size, align: size, repr, TypedArray });
}

export const c_char = scalar('c', 'c_char', 1, 'char', Uint8Array);
export const c_byte = scalar('b', 'c_byte', 1, 'int', Int8Array);
export const c_ubyte = scalar('B', 'c_ubyte', 1, 'int', Uint8Array);
export const c_short = scalar('h', 'c_short', 2, 'int', Int16Array);
export const c_ushort = scalar('H', 'c_ushort', 2, 'int', Uint16Array);
export const c_int = scalar('i', 'c_int', 4, 'int', Int32Array);
export const c_uint = scalar('I', 'c_uint', 4, 'int', Uint32Array);
export const c_long = scalar('l', 'c_long', LONG_SIZE, 'bigint', LONG_SIZE === 8 ? BigInt64Array : Int32Array);
export const c_ulong = scalar('L', 'c_ulong', LONG_SIZE, 'bigint', LONG_SIZE === 8 ? BigUint64Array : Uint32Array);
export const c_longlong = scalar('q', 'c_longlong', 8, 'bigint', BigInt64Array);
export const c_ulonglong = scalar('Q', 'c_ulonglong', 8, 'bigint', BigUint64Array);
export const c_float = scalar('f', 'c_float', 4, 'float', Float32Array);
export const c_double = scalar('d', 'c_double', 8, 'float', Float64Array);
export const c_bool = scalar('?', 'c_bool', 1, 'bool', Uint8Array);

// Fixed-width aliases, as in ctypes.
export const c_int8 = c_byte;
export const c_uint8 = c_ubyte;
export const c_int16 = c_short;
export const c_uint16 = c_ushort;
export const c_int32 = c_int;
export const c_uint32 = c_uint;
export const c_int64 = c_longlong;
export const c_uint64 = c_ulonglong;

export const SCALARS: Readonly<Record<Typecode, ScalarType>> = Object.freeze({
  c: c_char,
  b: c_byte,
  B: c_ubyte,
  h: c_short,
  H: c_ushort,
  i: c_int,
  I: c_uint,
  l: c_long,
  L: c_ulong,
  q: c_longlong,
  Q: c_ulonglong,
  f: c_float,
  d: c_double,
  '?': c_bool,
});

export function isTypecode(value: unknown): value is Typecode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SCALARS, value);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v)}`;
  if (typeof v === 'bigint') return `bigint ${v}n`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${v}`;
  if (v === null) return 'null';
  return typeof v;
}

/**
 * Checks a value for a scalar slot and returns what to store in the slot's
 * typed array. Integers wrap and floats round exactly as C does (the typed
 * array store does that); wrong JS types are a TypeError, as in ctypes.
 * Small on purpose (errors and rare kinds out of line): it is inlined into
 * every synchronized write, and V8 inlines only so much into one function.
 */
export function toStored(type: ScalarType, v: unknown): number | bigint {
  const repr = type.repr;
  if (repr === 'int') {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
  } else if (repr === 'float') {
    if (typeof v === 'number') return v;
  } else if (repr === 'bigint' && typeof v === 'bigint' && type.size === 8) {
    return v;
  }
  return toStoredSlow(type, v);
}

function toStoredSlow(type: ScalarType, v: unknown): number | bigint {
  switch (type.repr) {
    case 'int':
      throw typeError('ERR_INVALID_ARG_TYPE', `${type.name} needs an integer number, got ${describe(v)}`);
    case 'float':
      throw typeError('ERR_INVALID_ARG_TYPE', `${type.name} needs a number, got ${describe(v)}`);
    case 'bigint':
      if (typeof v !== 'bigint') throw typeError('ERR_INVALID_ARG_TYPE', `${type.name} needs a bigint, got ${describe(v)}`);
      // A 4-byte C long (Windows) lives in an Int32Array: wrap it as C would.
      return Number(type.code === 'l' ? BigInt.asIntN(32, v) : BigInt.asUintN(32, v));
    case 'bool':
      if (typeof v !== 'boolean') throw typeError('ERR_INVALID_ARG_TYPE', `${type.name} needs a boolean, got ${describe(v)}`);
      return v ? 1 : 0;
    case 'char':
      return charCode(v, type.name);
  }
}

/** A one-character latin1 string as its byte ('' is no character, as in Python; NUL is '\0'). */
export function charCode(v: unknown, what = 'c_char'): number {
  if (typeof v !== 'string' || v.length !== 1) {
    throw typeError('ERR_INVALID_ARG_TYPE', `${what} needs a one-character string, got ${describe(v)}`);
  }
  const code = v.charCodeAt(0);
  if (code > 0xff) throw typeError('ERR_INVALID_ARG_TYPE', `${what} holds one byte; ${JSON.stringify(v)} is above U+00FF (use .raw with UTF-8 bytes)`);
  return code;
}

/**
 * One byte of a `c` array given as a number (init lists, .raw, elements of a
 * synchronized one): an integer 0-255; another number is a RangeError, and
 * anything else (a string included: elements are bytes) a TypeError.
 */
export function byteOf(v: unknown, what = 'a c_char array element'): number {
  if (typeof v !== 'number') throw typeError('ERR_INVALID_ARG_TYPE', `${what} must be a byte (an integer from 0 to 255), got ${describe(v)}`);
  if (!Number.isInteger(v) || v < 0 || v > 255) throw rangeError('ERR_OUT_OF_RANGE', `${what} must be a byte (an integer from 0 to 255), got ${v}`);
  return v;
}

/** Converts what a slot's typed array holds back to the scalar's JS value. */
export function fromStored(type: ScalarType, raw: number | bigint): unknown {
  const repr = type.repr;
  // Numbers and 64-bit integers come out as they are (small: see toStored).
  if (repr === 'int' || repr === 'float' || (repr === 'bigint' && typeof raw === 'bigint')) return raw;
  return fromStoredSlow(repr, raw);
}

function fromStoredSlow(repr: ScalarRepr, raw: number | bigint): unknown {
  if (repr === 'bool') return raw !== 0;
  if (repr === 'char') return String.fromCharCode(raw as number);
  return BigInt(raw); // a 4-byte C long (Windows), held in an Int32Array
}
