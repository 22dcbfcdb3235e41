// A raw scalar in shared memory: an object with `.value`. It reads through a
// one-element TypedArray into the segment, the cheapest access V8 has.
import util = require('util');
import { fromStored, ScalarType, toStored } from '../types/scalars';
import { atomicValueMethods } from './atomics';
import { closedError, ObjectMemory } from './memory';
import { rawMethodDescriptors } from './raw-methods';
import { INFO, ObjectInfo } from './registry';
import { MEM, SCALAR_TYPE, SLOT } from './symbols';

export type Slot = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** One scalar's slot, shared by the raw object and its synchronized wrapper. */
export function scalarSlot(mem: ObjectMemory, type: ScalarType): Slot {
  return new type.TypedArray(mem.buffer, mem.offset, 1) as Slot;
}

/** The methods of `source` as non-enumerable property descriptors. */
export function methodDescriptors(source: object): PropertyDescriptorMap {
  const map: PropertyDescriptorMap = {};
  for (const [key, fn] of Object.entries(source)) map[key] = { value: fn, writable: true, configurable: true, enumerable: false };
  return map;
}

export class RawScalar<T> {
  // Symbol-keyed, not #private: the atomic methods installed below read them.
  readonly [MEM]: ObjectMemory;
  readonly [SLOT]: Slot;
  readonly [SCALAR_TYPE]: ScalarType;
  [INFO]: ObjectInfo | undefined = undefined;

  constructor(mem: ObjectMemory, type: ScalarType) {
    this[MEM] = mem;
    this[SCALAR_TYPE] = type;
    this[SLOT] = scalarSlot(mem, type);
  }

  get value(): T {
    if (this[MEM].closed) throw closedError('value');
    return fromStored(this[SCALAR_TYPE], this[SLOT][0]) as T;
  }

  set value(v: T) {
    if (this[MEM].closed) throw closedError('value');
    this[SLOT][0] = toStored(this[SCALAR_TYPE], v);
  }

  [util.inspect.custom](depth: number, options: util.InspectOptionsStylized, inspect: typeof util.inspect): string {
    const name = this[SCALAR_TYPE].name;
    if (this[MEM].closed) return `RawValue<${name}> <closed>`;
    return `RawValue<${name}> ${inspect(this.value, options)}`;
  }
}
Object.defineProperties(RawScalar.prototype, { ...rawMethodDescriptors(), ...methodDescriptors(atomicValueMethods) });
