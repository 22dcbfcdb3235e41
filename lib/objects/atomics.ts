// Lock-free atomic operations on integer values and array elements, through
// V8's Atomics on the shared bytes. Atomics compile to locked instructions
// (lock xadd, lock cmpxchg) that are atomic across processes too, because the
// memory is the same physical page in every process that maps it.
import { rangeError, typeError } from '../base/errors';
import { ScalarType, toStored } from '../types/scalars';
import { closedError, ObjectMemory } from './memory';
import { MEM, SLOT, SCALAR_TYPE } from './symbols';

type IntArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** Lock-free operations of an integer Value or RawValue; each returns the previous value (store returns nothing). */
export interface AtomicMethods<T> {
  add(n: T): T;
  sub(n: T): T;
  and(n: T): T;
  or(n: T): T;
  xor(n: T): T;
  exchange(v: T): T;
  /** Stores `replacement` if the value is `expected`; returns the value found. */
  compareExchange(expected: T, replacement: T): T;
  load(): T;
  store(v: T): void;
}

/** The same per index, for integer RawArrays. */
export interface AtomicElementMethods<T> {
  add(index: number, n: T): T;
  sub(index: number, n: T): T;
  and(index: number, n: T): T;
  or(index: number, n: T): T;
  xor(index: number, n: T): T;
  exchange(index: number, v: T): T;
  compareExchange(index: number, expected: T, replacement: T): T;
  load(index: number): T;
  store(index: number, v: T): void;
}

/** Integer types whose JS value is what their TypedArray holds (not a 4-byte Windows long, read as bigint). */
export function hasAtomics(type: ScalarType): boolean {
  return (type.repr === 'int' || (type.repr === 'bigint' && type.size === 8)) && type.code !== 'c';
}

interface AtomicHost {
  [MEM]: ObjectMemory;
  [SLOT]: IntArray;
  [SCALAR_TYPE]: ScalarType;
}

function slotOf(host: AtomicHost): IntArray {
  if (host[MEM].closed) throw closedError('value');
  const type = host[SCALAR_TYPE];
  if (!hasAtomics(type)) {
    throw typeError('ERR_INVALID_TYPE', `${type.name} has no lock-free atomics (integer types only)`);
  }
  return host[SLOT];
}

// Atomics' own typings want number for Int32Array and bigint for BigInt64Array;
// toStored has already checked which one the slot takes.
type Op = (ta: IntArray, index: number, value: number | bigint) => number | bigint;
type CasOp = (ta: IntArray, index: number, expected: number | bigint, replacement: number | bigint) => number | bigint;
const A = Atomics as unknown as { add: Op; sub: Op; and: Op; or: Op; xor: Op; exchange: Op; store: Op; compareExchange: CasOp; load: (ta: IntArray, index: number) => number | bigint };

/** Methods for objects with one integer slot (Value, RawValue). */
function valueOp(f: Op) {
  return function (this: AtomicHost, n: number | bigint): number | bigint {
    return f(slotOf(this), 0, toStored(this[SCALAR_TYPE], n));
  };
}

export const atomicValueMethods: AtomicMethods<number | bigint> = {
  add: valueOp(A.add),
  sub: valueOp(A.sub),
  and: valueOp(A.and),
  or: valueOp(A.or),
  xor: valueOp(A.xor),
  exchange: valueOp(A.exchange),
  store(this: AtomicHost, v) {
    A.store(slotOf(this), 0, toStored(this[SCALAR_TYPE], v));
  },
  compareExchange(this: AtomicHost, expected, replacement) {
    const type = this[SCALAR_TYPE];
    return A.compareExchange(slotOf(this), 0, toStored(type, expected), toStored(type, replacement));
  },
  load(this: AtomicHost) {
    return A.load(slotOf(this), 0);
  },
};

function checkIndex(ta: IntArray, index: unknown): number {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= ta.length) {
    throw rangeError('ERR_OUT_OF_RANGE', `index ${String(index)} is out of range for length ${ta.length}`);
  }
  return index;
}

/** Methods for integer RawArrays (installed on their TypedArray prototype; `this` is the array). */
export function atomicElementMethods(type: ScalarType): AtomicElementMethods<number | bigint> {
  const op =
    (f: Op) =>
    function (this: IntArray, index: number, n: number | bigint): number | bigint {
      return f(this, checkIndex(this, index), toStored(type, n));
    };
  return {
    add: op(A.add),
    sub: op(A.sub),
    and: op(A.and),
    or: op(A.or),
    xor: op(A.xor),
    exchange: op(A.exchange),
    store(this: IntArray, index, v) {
      A.store(this, checkIndex(this, index), toStored(type, v));
    },
    compareExchange(this: IntArray, index, expected, replacement) {
      return A.compareExchange(this, checkIndex(this, index), toStored(type, expected), toStored(type, replacement));
    },
    load(this: IntArray, index) {
      return A.load(this, checkIndex(this, index));
    },
  };
}
