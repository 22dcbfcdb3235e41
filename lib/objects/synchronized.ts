// Synchronized wrappers, as Python's sharedctypes makes them: every access to
// .value, a field or an element takes the object's lock; getLock()/getObj()
// and acquire/release/withLock/hold give explicit control for bulk work.
import type { ObjectDescriptor } from '../descriptor/descriptor';
import util = require('util');
import { rangeError, typeError } from '../base/errors';
import { AcquireOptions, HELD, LockGuard, ProcessLock } from '../locks/lock';
import { fromStored, ScalarType, toStored } from '../types/scalars';
import { charRaw, charValue, setCharRaw, setCharValue } from './char-bytes';
import { closedError, ObjectMemory } from './memory';
import { closeObject, describe, INFO, infoOf, ObjectInfo, unlinkObject } from './registry';
import { atomicValueMethods } from './atomics';
import { methodDescriptors, scalarSlot, Slot } from './scalar';
import { LOCK, MEM, RAW, SCALAR_TYPE, SLOT } from './symbols';
import { Indexed } from './views';

function infoFor(obj: object): ObjectInfo {
  const info = infoOf(obj);
  if (info === undefined) throw typeError('ERR_INVALID_ARG_TYPE', 'not a synchronized shared object');
  return info;
}

/** What every synchronized object has besides its data. */
export class SynchronizedBase<Raw> {
  declare [MEM]: ObjectMemory;
  declare [LOCK]: ProcessLock;
  declare [RAW]: Raw;

  /** The lock guarding this object (shared with any object created with the same lock). */
  getLock(): ProcessLock {
    return this[LOCK];
  }

  /** The raw object: no locking, full speed (use it inside withLock for bulk work). */
  getObj(): Raw {
    if (this[MEM].closed) throw closedError('synchronized object');
    return this[RAW];
  }

  acquire(options?: AcquireOptions): boolean {
    return this[LOCK].acquire(options);
  }

  release(): void {
    this[LOCK].release();
  }

  withLock<R>(fn: () => R, options?: { timeout?: number | null }): R {
    return this[LOCK].withLock(fn, options);
  }

  hold(options?: { timeout?: number | null }): LockGuard {
    return this[LOCK].hold(options);
  }

  /** Plain-JSON descriptor (memory, layout and lock); `attach()` rebuilds it elsewhere. */
  toJSON(): ObjectDescriptor {
    return describe(infoFor(this));
  }

  /** Stops using the object (and a lock made for it) in this process. Idempotent. */
  close(): void {
    closeObject(infoFor(this));
  }

  /** Removes a named object's segment name (idempotent). */
  unlink(): void {
    unlinkObject(infoFor(this));
  }

  /** close(), for `using v = Value('i')`. */
  [Symbol.dispose](): void {
    closeObject(infoFor(this));
  }

  [util.inspect.custom](depth: number, options: util.InspectOptionsStylized, inspect: typeof util.inspect): string {
    if (this[MEM].closed) return 'Synchronized <closed>';
    return `Synchronized ${inspect(this[RAW], options)}`;
  }
}

/** A synchronized scalar: `.value` reads and writes under the lock. */
export class SynchronizedValue<T, Raw> extends SynchronizedBase<Raw> {
  readonly [SLOT]: Slot;
  readonly [SCALAR_TYPE]: ScalarType;
  [INFO]: ObjectInfo | undefined = undefined;

  constructor(mem: ObjectMemory, type: ScalarType, lock: ProcessLock, raw: Raw) {
    super();
    this[MEM] = mem;
    this[LOCK] = lock;
    this[RAW] = raw;
    this[SCALAR_TYPE] = type;
    this[SLOT] = scalarSlot(mem, type);
  }

  // Inside withLock (the lock already held by this thread) an access is a
  // plain read or write; the rest is out of line, so that these stay small
  // enough for V8 to inline into the caller's loop together with withLock.
  get value(): T {
    if (this[LOCK][HELD] > 0 && !this[MEM].closed) return fromStored(this[SCALAR_TYPE], this[SLOT][0]) as T;
    return this.#lockedRead();
  }

  set value(v: T) {
    if (this[LOCK][HELD] > 0 && !this[MEM].closed) {
      this[SLOT][0] = toStored(this[SCALAR_TYPE], v);
      return;
    }
    this.#lockedWrite(v);
  }

  #lockedRead(): T {
    if (this[MEM].closed) throw closedError('Value');
    const lock = this[LOCK];
    lock.acquire();
    const stored = this[SLOT][0];
    lock.release();
    return fromStored(this[SCALAR_TYPE], stored) as T;
  }

  #lockedWrite(v: T): void {
    if (this[MEM].closed) throw closedError('Value');
    const stored = toStored(this[SCALAR_TYPE], v);
    const lock = this[LOCK];
    lock.acquire();
    this[SLOT][0] = stored;
    lock.release();
  }
}

// Atomics take no lock: they are atomic by themselves.
Object.defineProperties(SynchronizedValue.prototype, methodDescriptors(atomicValueMethods));

/** Base for synchronized structs: fields are added per struct type by views.structView. */
export class SynchronizedStruct<Raw> extends SynchronizedBase<Raw> {}

type RawElements = { [index: number]: unknown; readonly length: number };

/** A synchronized array: `arr[i]` reads and writes the element under the lock. */
// Arrays are served through an index Proxy, so their methods run with `this`
// being the Proxy: their state lives in symbol-keyed fields, not #private ones.
const CHECK = Symbol('sharedctypes.check');
const LENGTH = Symbol('sharedctypes.length');

function checkIndex(arr: SynchronizedArray<RawElements>, i: number): void {
  if (arr[MEM].closed) throw closedError('Array');
  if (i >= arr[LENGTH]) throw rangeError('ERR_OUT_OF_RANGE', `index ${i} is out of range for length ${arr[LENGTH]}`);
}

// Elements the raw array checks (structs, bools) may throw under the lock.
// Functions, not #private methods: `this` may be the array's Proxy.
function lockedGet(arr: SynchronizedArray<RawElements>, i: number): unknown {
  const lock = arr[LOCK];
  lock.acquire();
  try {
    return arr[RAW][i];
  } finally {
    lock.release();
  }
}

function lockedSet(arr: SynchronizedArray<RawElements>, i: number, v: unknown): void {
  const lock = arr[LOCK];
  if (lock[HELD] > 0) {
    arr[RAW][i] = v;
    return;
  }
  lock.acquire();
  try {
    arr[RAW][i] = v;
  } finally {
    lock.release();
  }
}

export class SynchronizedArray<Raw extends RawElements> extends SynchronizedBase<Raw> implements Indexed {
  /** Element check for TypedArray-backed arrays (they would coerce silently); null when the raw array checks. */
  declare [CHECK]: ScalarType | null;
  declare [LENGTH]: number;

  constructor(mem: ObjectMemory, lock: ProcessLock, raw: Raw, check: ScalarType | null) {
    super();
    this[MEM] = mem;
    this[LOCK] = lock;
    this[RAW] = raw;
    this[CHECK] = check;
    this[LENGTH] = raw.length;
  }

  get length(): number {
    if (this[MEM].closed) throw closedError('Array');
    return this[LENGTH];
  }

  // TypedArray-backed elements (a check type) are read and written without
  // try/finally: such accesses cannot throw, and the smaller body lets V8
  // inline the lock calls into the Proxy trap.
  get(i: number): unknown {
    checkIndex(this, i);
    const lock = this[LOCK];
    if (lock[HELD] > 0) return this[RAW][i];
    if (this[CHECK] === null) return lockedGet(this, i);
    lock.acquire();
    const v = this[RAW][i];
    lock.release();
    return v;
  }

  set(i: number, v: unknown): void {
    checkIndex(this, i);
    const check = this[CHECK];
    if (check === null) return lockedSet(this, i, v);
    const stored = toStored(check, v);
    const lock = this[LOCK];
    if (lock[HELD] > 0) {
      this[RAW][i] = stored;
      return;
    }
    lock.acquire();
    this[RAW][i] = stored;
    lock.release();
  }

  at(index: number): unknown {
    const n = Math.trunc(index);
    const i = n < 0 ? n + this[LENGTH] : n;
    return i >= 0 && i < this[LENGTH] ? this.get(i) : undefined;
  }

  /** All elements, read under one acquisition of the lock. */
  toArray(): unknown[] {
    return this.slice();
  }

  /** Elements [start, end) as a plain array, read under one acquisition of the lock. */
  slice(start?: number, end?: number): unknown[] {
    if (this[MEM].closed) throw closedError('Array');
    return this[LOCK].withLock(() => Array.prototype.slice.call(this[RAW], start, end));
  }

  /** Iterates over a snapshot taken under the lock. */
  [Symbol.iterator](): IterableIterator<unknown> {
    return this.toArray()[Symbol.iterator]();
  }

  override [util.inspect.custom](depth: number, options: util.InspectOptionsStylized, inspect: typeof util.inspect): string {
    if (this[MEM].closed) return 'SynchronizedArray <closed>';
    return `SynchronizedArray(${this[LENGTH]}) ${inspect(this.toArray(), options)}`;
  }
}

/** A synchronized `c` array: also `.value` and `.raw`, under the lock. */
export class SynchronizedCharArray<Raw extends Buffer> extends SynchronizedArray<Raw> {
  get value(): string {
    if (this[MEM].closed) throw closedError('Array');
    return this[LOCK].withLock(() => charValue(this[RAW]));
  }

  set value(s: string) {
    if (this[MEM].closed) throw closedError('Array');
    this[LOCK].withLock(() => setCharValue(this[RAW], s));
  }

  get raw(): Buffer {
    if (this[MEM].closed) throw closedError('Array');
    return this[LOCK].withLock(() => charRaw(this[RAW]));
  }

  set raw(bytes: Uint8Array) {
    if (this[MEM].closed) throw closedError('Array');
    this[LOCK].withLock(() => setCharRaw(this[RAW], bytes));
  }
}
