// What the objects-*.test.ts files share: the factories with their generics
// erased (for tables of typecodes and values), error assertions by class
// name, and a second view of an object's bytes.
import { Array as SharedArray, attach, RawArray, RawValue, Value } from '../../dist/index';
import type { ObjectDescriptor } from '../../dist/index';
import { thrown } from './shm';

/** What the dynamic (table-driven) tests need of any scalar object. */
export interface Scalar {
  value: unknown;
  close(): void;
}
export type Make = (type: unknown, init?: unknown, options?: unknown) => Scalar;
// The factories with their generics erased, for tables of typecodes and values.
export const rawValue = RawValue as unknown as Make;
export const value = Value as unknown as Make;
export const rawArray = RawArray as unknown as (type: unknown, sizeOrInit: unknown, options?: unknown) => object;
export const sharedArray = SharedArray as unknown as (type: unknown, sizeOrInit: unknown, options?: unknown) => object;

/** Asserts that `fn` throws a `name` error (TypeError, RangeError, …), with `code` if given. */
export function expectThrow(fn: () => unknown, name: string, code?: string): void {
  const t = thrown(fn);
  expect(t?.name).toBe(name);
  if (code !== undefined) expect(t?.code).toBe(code);
}

/** Bytes as a latin1 string (what a C char array holds). */
export const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

/** The bytes of a shared object, seen through a second view of the same memory. */
export function bytesOf(obj: { toJSON(): ObjectDescriptor }, length: number): Uint8Array {
  const d = obj.toJSON();
  return attach<Uint8Array>({ $sharedctypes: 1, kind: 'RawArray', segment: d.segment, incarnation: d.incarnation, offset: d.offset, block: d.block, type: 'B', length });
}
