// A raw scalar in shared memory: an object with `.value`. It reads through a
// one-element TypedArray into the segment, the cheapest access V8 has.
import util = require('util');
import { fromStored, ScalarType, toStored } from '../types/scalars';
import { closedError, ObjectMemory } from './memory';
import { rawMethodDescriptors } from './raw-methods';

type Slot = { [index: number]: number | bigint };

/** One scalar's slot, shared by the raw object and its synchronized wrapper. */
export function scalarSlot(mem: ObjectMemory, type: ScalarType): Slot {
  return new type.TypedArray(mem.buffer, mem.offset, 1) as unknown as Slot;
}

export class RawScalar<T> {
  readonly #mem: ObjectMemory;
  readonly #slot: Slot;
  readonly #type: ScalarType;

  constructor(mem: ObjectMemory, type: ScalarType) {
    this.#mem = mem;
    this.#type = type;
    this.#slot = scalarSlot(mem, type);
  }

  get value(): T {
    if (this.#mem.closed) throw closedError('value');
    return fromStored(this.#type, this.#slot[0]) as T;
  }

  set value(v: T) {
    if (this.#mem.closed) throw closedError('value');
    this.#slot[0] = toStored(this.#type, v);
  }

  [util.inspect.custom](depth: number, options: util.InspectOptionsStylized, inspect: typeof util.inspect): string {
    if (this.#mem.closed) return `RawValue<${this.#type.name}> <closed>`;
    return `RawValue<${this.#type.name}> ${inspect(this.value, options)}`;
  }
}
Object.defineProperties(RawScalar.prototype, rawMethodDescriptors());
