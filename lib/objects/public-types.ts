// The TypeScript shapes of shared objects: each type spec (typecode, c_*
// type or Struct) maps to the JS type of `.value`, `arr[i]` and struct fields.
import type { AcquireOptions, Lock, LockGuard, RLock } from '../locks/lock';
import type { ElementInit, ElementOf, InitOf, JsOf, StructType, StructValue } from '../types/ctype';
import type { ScalarType, Typecode } from '../types/scalars';
import type { AtomicElementMethods, AtomicMethods } from './atomics';
import type { RawMethods } from './raw-methods';
import type { ObjectDescriptor } from '../descriptor/descriptor';

/** The typecode of a scalar type spec. */
export type CodeOf<T> = T extends Typecode ? T : T extends ScalarType<infer C, unknown> ? C : never;

/** The TypedArray a numeric RawArray of this typecode is. */
export type TypedArrayOf<C> = C extends 'b'
  ? Int8Array
  : C extends 'B'
    ? Uint8Array
    : C extends 'h'
      ? Int16Array
      : C extends 'H'
        ? Uint16Array
        : C extends 'i'
          ? Int32Array
          : C extends 'I'
            ? Uint32Array
            : C extends 'l' | 'q'
              ? BigInt64Array
              : C extends 'L' | 'Q'
                ? BigUint64Array
                : C extends 'f'
                  ? Float32Array
                  : C extends 'd'
                    ? Float64Array
                    : never;

/** A raw scalar: `.value` reads and writes shared memory directly. */
export interface RawScalarValue<T> extends RawMethods {
  value: T;
}

/** An array-like over shared elements (`?` and struct arrays). */
export interface SharedArrayLike<E> extends Iterable<E> {
  readonly length: number;
  [index: number]: E;
  /** Negative indices count from the end; out of range gives undefined. */
  at(index: number): E | undefined;
  toArray(): E[];
  slice(start?: number, end?: number): E[];
}

/** A raw `c` array: a Buffer over the shared bytes, plus `.value` (string up to the first NUL) and `.raw`. */
export type CharArray = Omit<Buffer, 'toJSON'> &
  RawMethods & {
    /** The latin1 string up to the first NUL; storing one NUL-terminates it if there is room. */
    value: string;
    /** A copy of all bytes; storing bytes writes them as they are. */
    raw: Uint8Array;
  };

/** Integer typecodes: their values and arrays have lock-free atomics. */
export type IntegerCode = 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q';

/** add/sub/…/compareExchange for integer types, nothing for others. */
export type AtomicsOf<T> = T extends StructType ? unknown : CodeOf<T> extends IntegerCode ? AtomicMethods<JsOf<T>> : unknown;
export type AtomicElementsOf<T> = T extends StructType ? unknown : CodeOf<T> extends IntegerCode ? AtomicElementMethods<JsOf<T>> : unknown;

export type RawValueOf<T> = T extends StructType<infer F> ? StructValue<F> & RawMethods : RawScalarValue<JsOf<T>> & AtomicsOf<T>;

export type RawArrayOf<T> =
  T extends StructType<infer F>
    ? SharedArrayLike<StructValue<F>> & RawMethods
    : CodeOf<T> extends 'c'
      ? CharArray
      : CodeOf<T> extends '?'
        ? SharedArrayLike<boolean> & RawMethods
        : TypedArrayOf<CodeOf<T>> & RawMethods & AtomicElementsOf<T>;

/** What a sequence initialiser of an array of T holds (`c` arrays also take a string). */
export type ArrayInit<T> =
  T extends StructType
    ? ArrayLike<ElementInit<T>> | Iterable<ElementInit<T>>
    : CodeOf<T> extends 'c'
      ? string | ArrayLike<number> | Iterable<number>
      : ArrayLike<ElementInit<T>> | Iterable<ElementInit<T>>;

/** The methods of every synchronized object. */
export interface SynchronizedMethods<Raw> {
  /** The lock taken on each access. */
  getLock(): Lock | RLock;
  /** The raw object: no locking (use it inside withLock for bulk work). */
  getObj(): Raw;
  acquire(options?: AcquireOptions): boolean;
  release(): void;
  withLock<R>(fn: () => R, options?: { timeout?: number | null }): R;
  hold(options?: { timeout?: number | null }): LockGuard;
  toJSON(): ObjectDescriptor;
  close(): void;
  unlink(): void;
  /** close(), for `using`. */
  [Symbol.dispose](): void;
}

export type ValueOf<T> =
  T extends StructType<infer F>
    ? StructValue<F> & SynchronizedMethods<RawValueOf<T>>
    : { value: JsOf<T> } & SynchronizedMethods<RawValueOf<T>> & AtomicsOf<T>;

/** A synchronized array: `arr[i]` under the lock per access, as in Python. */
export interface SynchronizedArrayLike<E, Raw> extends SynchronizedMethods<Raw>, Iterable<E> {
  readonly length: number;
  [index: number]: E;
  at(index: number): E | undefined;
  /** All elements, read under one acquisition of the lock. */
  toArray(): E[];
  slice(start?: number, end?: number): E[];
}

// Structs are tested first: CodeOf of a struct is never, and `never extends 'c'` holds.
export type ArrayOf<T> =
  T extends StructType
    ? SynchronizedArrayLike<ElementOf<T>, RawArrayOf<T>>
    : CodeOf<T> extends 'c'
    ? SynchronizedArrayLike<number, RawArrayOf<T>> & { value: string; raw: Uint8Array }
    : SynchronizedArrayLike<ElementOf<T>, RawArrayOf<T>>;

export type { InitOf };
