// Turns placed memory into the user-facing object of the right shape, for
// new objects and attached ones alike.
import type { ObjectKind } from '../descriptor/descriptor';
import { ProcessLock } from '../locks/lock';
import { c_ubyte, ScalarType } from '../types/scalars';
import { StructType } from '../types/ctype';
import { ObjectMemory } from './memory';
import { register } from './registry';
import { RawScalar } from './scalar';
import { SynchronizedArray, SynchronizedCharArray, SynchronizedStruct, SynchronizedValue } from './synchronized';
import { sharedCharBuffer, sharedTypedArray } from './typed-arrays';
import { arrayView, indexed, structView } from './views';

/** A numeric array whose TypedArray reads the right JS type (a 4-byte C long on Windows does not). */
function hasTypedArray(type: ScalarType): boolean {
  if (type.repr === 'bigint') return type.size === 8;
  return type.repr === 'int' || type.repr === 'float';
}

/** The raw object over `mem`: RawScalar, struct view, TypedArray, Buffer or array-like. */
export function buildRaw(mem: ObjectMemory, type: ScalarType | StructType, length: number | null): object {
  let obj: object;
  if (length === null) {
    obj = type.kind === 'struct' ? structView(mem, mem.offset, type) : new RawScalar(mem, type);
  } else if (type.kind === 'scalar' && type.code === 'c') {
    obj = sharedCharBuffer(mem, length);
  } else if (type.kind === 'scalar' && hasTypedArray(type)) {
    obj = sharedTypedArray(mem, type, length);
  } else {
    obj = arrayView(mem, mem.offset, type, length);
  }
  return register(obj, { kind: length === null ? 'RawValue' : 'RawArray', mem, type, length, lock: null, ownLock: false, raw: null });
}

/** A synchronized wrapper around a raw object (registered by buildRaw). */
export function buildSync(
  raw: object,
  mem: ObjectMemory,
  type: ScalarType | StructType,
  length: number | null,
  lock: ProcessLock,
  ownLock: boolean,
): object {
  let obj: object;
  if (length === null) {
    if (type.kind === 'struct') {
      obj = structView(mem, mem.offset, type, lock, SynchronizedStruct.prototype, raw);
    } else {
      obj = new SynchronizedValue(mem, type, lock, raw);
    }
  } else {
    // TypedArrays coerce silently: check each stored element ourselves. Array-likes check for us.
    const check = type.kind === 'scalar' && type.code !== 'c' && hasTypedArray(type) ? type : null;
    const elementsOf = raw as { readonly length: number; [index: number]: unknown };
    obj = indexed(
      type.kind === 'scalar' && type.code === 'c'
        ? new SynchronizedCharArray(mem, lock, raw as Buffer, c_ubyte)
        : new SynchronizedArray(mem, lock, elementsOf, check),
    );
  }
  return register(obj, { kind: length === null ? 'Value' : 'Array', mem, type, length, lock, ownLock, raw });
}

/** Either shape, by descriptor kind. */
export function buildObject(
  kind: ObjectKind,
  mem: ObjectMemory,
  type: ScalarType | StructType,
  length: number | null,
  lock: ProcessLock | null,
  ownLock: boolean,
): object {
  const raw = buildRaw(mem, type, length);
  if (kind === 'RawValue' || kind === 'RawArray' || lock === null) return raw;
  return buildSync(raw, mem, type, length, lock, ownLock);
}
