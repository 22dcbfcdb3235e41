// Raw numeric arrays are real TypedArrays over the object's own detachable
// view, and `c` arrays real Buffers; only their prototype is ours, adding
// toJSON/close/unlink (and .value/.raw for `c`). Derived arrays (subarray,
// map, slice) are plain TypedArrays: the prototype keeps the built-in
// constructor, so species lookups give Int32Array, not ours.
import { binding } from '../base/native';
import { ScalarType } from '../types/scalars';
import { charRaw, charValue, setCharRaw, setCharValue } from './char-bytes';
import { atomicElementMethods, hasAtomics } from './atomics';
import { closedError, ObjectMemory } from './memory';
import { infoOf } from './registry';
import { methodDescriptors } from './scalar';
import { rawMethodDescriptors } from './raw-methods';

type AnyTypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

type TypedArrayCtor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => AnyTypedArray;

const protos = new Map<ScalarType, object>();

/** Below this many elements the built-in fill is as fast as anything. */
const BULK_FILL = 1 << 14;

function relativeIndex(v: number | undefined, length: number, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Math.trunc(Number(v)) || 0;
  return n < 0 ? Math.max(length + n, 0) : Math.min(n, length);
}

/**
 * fill() at memcpy speed: V8's TypedArray fill stores element by element
 * (about half of the store bandwidth here), so big ranges are filled by the
 * addon (native/typed_array_fill.cc). Same results, errors and return value
 * as the built-in.
 */
function bulkFill(type: ScalarType, nativeFill: (this: AnyTypedArray, value: never, start?: number, end?: number) => AnyTypedArray) {
  const Ctor = type.TypedArray as TypedArrayCtor & (new (length: number) => AnyTypedArray);
  // Converts the value exactly as fill() would (ToNumber or ToBigInt, and the
  // element type's wrapping or rounding) into the bytes to repeat.
  const pattern = new Ctor(1);
  return function fill(this: AnyTypedArray, value: never, start?: number, end?: number): AnyTypedArray {
    const from = relativeIndex(start, this.length, 0);
    const to = relativeIndex(end, this.length, this.length);
    if (to - from <= BULK_FILL || !(this instanceof Ctor)) return nativeFill.call(this, value, from, to);
    pattern[0] = value;
    // false: the range no longer fits (the value's conversion closed the
    // array, say): the built-in reports that as it would have.
    if (!binding.fillRange(this, from, to, pattern)) nativeFill.call(this, pattern[0] as never, from, to);
    return this;
  };
}

function protoFor(type: ScalarType): object {
  let proto = protos.get(type);
  if (proto === undefined) {
    const atomics = hasAtomics(type) ? methodDescriptors(atomicElementMethods(type)) : {};
    const fill = bulkFill(type, type.TypedArray.prototype.fill as unknown as Parameters<typeof bulkFill>[1]);
    proto = Object.create(type.TypedArray.prototype as object, { ...rawMethodDescriptors(), ...atomics, ...methodDescriptors({ fill }) }) as object;
    protos.set(type, proto);
  }
  return proto;
}

/** A TypedArray of the scalar's kind over the object's bytes. */
export function sharedTypedArray(mem: ObjectMemory, type: ScalarType, length: number): AnyTypedArray {
  const ta = new (type.TypedArray as TypedArrayCtor)(mem.detachableView(), 0, length);
  return Object.setPrototypeOf(ta, protoFor(type)) as AnyTypedArray;
}

/** A closed `c` array's Buffer is detached: say so rather than let V8 or a 0-length copy answer. */
function open(buf: Buffer): Buffer {
  if (infoOf(buf)?.mem.closed === true) throw closedError('RawArray');
  return buf;
}

const charProto: object = Object.create(Buffer.prototype, {
  ...rawMethodDescriptors(),
  value: {
    get(this: Buffer) {
      return charValue(open(this));
    },
    set(this: Buffer, s: unknown) {
      setCharValue(open(this), s);
    },
  },
  raw: {
    get(this: Buffer) {
      return charRaw(open(this));
    },
    set(this: Buffer, raw: unknown) {
      setCharRaw(open(this), raw);
    },
  },
}) as object;

/** A Buffer over a `c` array's bytes, with .value and .raw. */
export function sharedCharBuffer(mem: ObjectMemory, length: number): Buffer {
  const buf = Buffer.from(mem.detachableView(), 0, length);
  return Object.setPrototypeOf(buf, charProto) as Buffer;
}
