// The methods every raw shared object has, whatever its shape (an object with
// .value, a struct view, a TypedArray, a Buffer, an array-like): they look the
// object up in the registry rather than relying on fields of their own.
import type { ObjectDescriptor } from '../descriptor/descriptor';
import { typeError } from '../base/errors';
import { closeObject, describe, infoOf, noLockError, ObjectInfo, unlinkObject } from './registry';

function infoFor(obj: unknown): ObjectInfo {
  const info = infoOf(obj);
  if (info === undefined) throw typeError('ERR_INVALID_ARG_TYPE', 'not a shared object');
  return info;
}

export interface RawMethods {
  /** Plain-JSON descriptor: `attach()` in another process gives the same memory. */
  toJSON(): ObjectDescriptor;
  /** Stops using the object in this process; later access throws ERR_SHM_CLOSED (TypedArrays detach). */
  close(): void;
  /** Removes a named object's segment name (idempotent); no effect on unnamed objects. */
  unlink(): void;
  /** Raw objects have no lock: always throws ERR_NO_LOCK. */
  getLock(): never;
  /** close(), for `using obj = RawValue('i')`. */
  [Symbol.dispose](): void;
}

export const rawMethods: RawMethods = {
  toJSON(this: object): ObjectDescriptor {
    return describe(infoFor(this));
  },
  close(this: object): void {
    closeObject(infoFor(this));
  },
  unlink(this: object): void {
    unlinkObject(infoFor(this));
  },
  getLock(): never {
    throw noLockError();
  },
  [Symbol.dispose](this: object): void {
    closeObject(infoFor(this));
  },
};

/** Property descriptors of rawMethods, non-enumerable, for Object.create / defineProperties. */
export function rawMethodDescriptors(): PropertyDescriptorMap {
  const map: PropertyDescriptorMap = {};
  for (const key of Reflect.ownKeys(rawMethods)) {
    map[key as string] = { value: (rawMethods as unknown as Record<PropertyKey, unknown>)[key], writable: true, configurable: true, enumerable: false };
  }
  return map;
}
