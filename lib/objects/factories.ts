// The sharedctypes factories: RawValue, RawArray, Value, Array, copy and
// synchronized, with Python's semantics and Node's conventions.
import type { ObjectKind } from '../descriptor/descriptor';
import { rangeError, SharedCtypesError, typeError } from '../base/errors';
import { ProcessLock, RLock } from '../locks/lock';
import { resolveType, StructType, TypeSpec, InitOf } from '../types/ctype';
import { byteOf, ScalarType, toStored } from '../types/scalars';
import { buildRaw, buildSync } from './build';
import { CheckedOptions, checkOptions, RawOptions, SyncOptions } from './options';
import { createOrAttach } from '../segment/segment';
import { placeNew, Placed } from './placement';
import type { ArrayInit, ArrayOf, RawArrayOf, RawScalarValue, RawValueOf, SynchronizedArrayLike, SynchronizedMethods, ValueOf } from './public-types';
import type { RawMethods } from './raw-methods';
import { attachName } from './rebuild';
import { closeObject, infoOf, ObjectInfo, unlinkObject } from './registry';
import { sequenceOf, writeValue } from './views';
// Open-or-create attaches by name: the one use of the sharing layer from here.

type ObjType = ScalarType | StructType;

/** A size, or a sequence that gives both the length and the contents. */
function lengthOf(type: ObjType, sizeOrInit: unknown, fn: string): { length: number; items: ArrayLike<unknown> | null } {
  if (typeof sizeOrInit === 'number') {
    if (!Number.isSafeInteger(sizeOrInit) || sizeOrInit < 0) {
      throw rangeError('ERR_OUT_OF_RANGE', `${fn}() size must be a non-negative integer, got ${sizeOrInit}`);
    }
    return { length: sizeOrInit, items: null };
  }
  if (typeof sizeOrInit === 'bigint') throw typeError('ERR_INVALID_ARG_TYPE', `${fn}() size is a number, not a bigint`);
  const items = sequenceOf(sizeOrInit, type, `${fn}()`);
  if (!Number.isSafeInteger(items.length) || items.length < 0) throw rangeError('ERR_OUT_OF_RANGE', `${fn}() initialiser has an invalid length`);
  return { length: items.length, items };
}

/** Writes the initial elements into a freshly made raw array. */
function fillArray(raw: object, type: ObjType, items: ArrayLike<unknown>): void {
  if (ArrayBuffer.isView(raw) && type.kind === 'scalar') {
    const ta = raw as unknown as { [i: number]: number | bigint; set(a: ArrayLike<number | bigint>): void };
    // Same element type: a straight copy, nothing to check.
    if (ArrayBuffer.isView(items) && Object.getPrototypeOf(items) === type.TypedArray.prototype) {
      ta.set(items as unknown as ArrayLike<number>);
      return;
    }
    // Elements of `c` arrays are bytes: 0-255, nothing wraps (as with .raw).
    if (type.code === 'c') {
      for (let i = 0; i < items.length; i++) ta[i] = byteOf(items[i]);
      return;
    }
    for (let i = 0; i < items.length; i++) ta[i] = toStored(type, items[i]);
    return;
  }
  const arr = raw as { [i: number]: unknown };
  for (let i = 0; i < items.length; i++) arr[i] = items[i];
}

/** Undoes a creation whose initialisation failed: nothing may be left behind. */
function abandon(info: Omit<ObjectInfo, 'raw' | 'kind'>): void {
  unlinkObject(info as ObjectInfo);
  closeObject(info as ObjectInfo);
}

function create(kind: ObjectKind, fn: string, type: ObjType, length: number | null, options: unknown, init: (raw: object, placed: Placed) => void): object {
  const synchronized = kind === 'Value' || kind === 'Array';
  const opts = checkOptions(options, fn, synchronized);
  const rawKind: ObjectKind = length === null ? 'RawValue' : 'RawArray';
  const storedKind = opts.lock === null ? rawKind : kind;
  if (!opts.attachIfExists) return createNew(storedKind, type, length, opts, init);
  return createOrAttach(
    () => createNew(storedKind, type, length, opts, init),
    () => {
      const obj = attachName(opts.name as string, { type, length }, false);
      checkAttached(obj, storedKind, opts, fn);
      return obj;
    },
  );
}

/** The object open-or-create attached to must be what the caller would have created. */
function checkAttached(obj: object, kind: ObjectKind, opts: CheckedOptions, fn: string): void {
  const info = infoOf(obj) as ObjectInfo;
  let why: string | undefined;
  if (info.kind !== kind) why = `holds a ${info.kind}, not a ${kind}`;
  else if (opts.lock instanceof ProcessLock && info.lock !== null) {
    const [want, got] = [opts.lock.toJSON(), info.lock.toJSON()];
    if (want.segment !== got.segment || want.offset !== got.offset || want.incarnation !== got.incarnation) why = 'is guarded by another lock than the one given';
  }
  if (why === undefined) return;
  closeObject(info);
  throw new SharedCtypesError('ERR_SHM_LAYOUT_MISMATCH', `${fn}(): the existing segment '${String(opts.name)}' ${why}`);
}

function createNew(storedKind: ObjectKind, type: ObjType, length: number | null, opts: CheckedOptions, init: (raw: object, placed: Placed) => void): object {
  const placed = placeNew(storedKind, type, length, opts);
  const partial = { mem: placed.mem, type, length, lock: placed.lock, ownLock: placed.ownLock };
  try {
    const raw = buildRaw(placed.mem, type, length);
    init(raw, placed);
    // A named object's segment becomes visible now, complete.
    if (placed.mem.ownSegment) placed.mem.segment.publish();
    if (placed.lock === null) return raw;
    return buildSync(raw, placed.mem, type, length, placed.lock, placed.ownLock);
  } catch (err) {
    abandon(partial);
    throw err;
  }
}

function makeValue(kind: 'RawValue' | 'Value', spec: unknown, init: unknown, options: unknown): object {
  const type = resolveType(spec);
  return create(kind, kind, type, null, options, (raw, placed) => {
    if (init === undefined) return;
    // Scalars through their own slot (checked like any store); structs via scratch bytes.
    if (type.kind === 'scalar') (raw as { value: unknown }).value = init;
    else writeValue(placed.mem, placed.mem.offset, type, init);
  });
}

function makeArray(kind: 'RawArray' | 'Array', spec: unknown, sizeOrInit: unknown, options: unknown): object {
  const type = resolveType(spec);
  const { length, items } = lengthOf(type, sizeOrInit, kind);
  return create(kind, kind, type, length, options, (raw) => {
    if (items !== null) fillArray(raw, type, items);
  });
}

/**
 * A value in shared memory without a lock: `.value` for scalars, field
 * properties for structs. Zero unless `init` is given.
 */
export function RawValue<const T extends TypeSpec>(type: T, init?: InitOf<T>, options?: RawOptions): RawValueOf<T> {
  return makeValue('RawValue', type, init, options) as RawValueOf<T>;
}

/**
 * An array in shared memory without a lock: a TypedArray for numeric
 * typecodes, a Buffer with .value/.raw for `c`, an array-like for `?` and structs.
 */
export function RawArray<const T extends TypeSpec>(type: T, sizeOrInit: number | ArrayInit<T>, options?: RawOptions): RawArrayOf<T> {
  return makeArray('RawArray', type, sizeOrInit, options) as RawArrayOf<T>;
}

/** A synchronized value (a new RLock unless `lock` says otherwise); `lock: false` gives the raw object. */
export function Value<const T extends TypeSpec>(type: T, init: InitOf<T> | undefined, options: SyncOptions & { lock: false }): RawValueOf<T>;
export function Value<const T extends TypeSpec>(type: T, init?: InitOf<T>, options?: SyncOptions & { lock?: true | null | ProcessLock }): ValueOf<T>;
export function Value<const T extends TypeSpec>(type: T, init?: InitOf<T>, options?: SyncOptions): ValueOf<T> | RawValueOf<T>;
export function Value(type: TypeSpec, init?: unknown, options?: SyncOptions): unknown {
  return makeValue('Value', type, init, options);
}

/** A synchronized array (element access under the lock); `lock: false` gives the raw array. */
export function SharedArray<const T extends TypeSpec>(type: T, sizeOrInit: number | ArrayInit<T>, options: SyncOptions & { lock: false }): RawArrayOf<T>;
export function SharedArray<const T extends TypeSpec>(
  type: T,
  sizeOrInit: number | ArrayInit<T>,
  options?: SyncOptions & { lock?: true | null | ProcessLock },
): ArrayOf<T>;
export function SharedArray<const T extends TypeSpec>(type: T, sizeOrInit: number | ArrayInit<T>, options?: SyncOptions): ArrayOf<T> | RawArrayOf<T>;
export function SharedArray(type: TypeSpec, sizeOrInit: unknown, options?: SyncOptions): unknown {
  return makeArray('Array', type, sizeOrInit, options);
}

function infoFor(obj: unknown, fn: string): ObjectInfo {
  const info = infoOf(obj);
  if (info === undefined) throw typeError('ERR_INVALID_ARG_TYPE', `${fn}() takes a shared object (from RawValue, RawArray, Value or Array)`);
  return info;
}

/** A new raw shared object (unnamed) holding a copy of `obj`'s contents, read under its lock if it has one. */
export function copy<O extends object>(obj: O): O extends { getObj(): infer R } ? R : O {
  const info = infoFor(obj, 'copy');
  const src = info.mem;
  const take = (): object =>
    create(info.length === null ? 'RawValue' : 'RawArray', 'copy', info.type, info.length, undefined, (_raw, placed) => {
      placed.mem.bytes().set(src.bytes());
    });
  return (info.lock === null ? take() : info.lock.withLock(take)) as O extends { getObj(): infer R } ? R : O;
}

/** A synchronized wrapper around a raw shared object; a new RLock when no lock is given. */
export function synchronized<O extends object>(obj: O, lock?: ProcessLock | null): SynchronizedOf<O> {
  const info = infoFor(obj, 'synchronized');
  if (info.kind !== 'RawValue' && info.kind !== 'RawArray') {
    throw typeError('ERR_INVALID_ARG_TYPE', 'synchronized() takes a raw shared object; this one is already synchronized');
  }
  if (lock !== undefined && lock !== null && !(lock instanceof ProcessLock)) {
    throw typeError('ERR_INVALID_ARG_TYPE', 'synchronized() takes a Lock or an RLock as its lock');
  }
  const own = lock === undefined || lock === null;
  return buildSync(obj, info.mem, info.type, info.length, own ? new RLock() : lock, own) as SynchronizedOf<O>;
}

/** The synchronized counterpart of a raw object type. */
export type SynchronizedOf<O> =
  O extends ArrayLike<infer E>
    ? SynchronizedArrayLike<E, O> & (O extends { value: string } ? { value: string; raw: Uint8Array } : unknown)
    : O extends RawScalarValue<infer V>
      ? { value: V } & SynchronizedMethods<O>
      : Omit<O, keyof RawMethods> & SynchronizedMethods<O>;
