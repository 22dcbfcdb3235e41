// Views over typed bytes in shared memory: struct objects (one accessor per
// field) and array-likes (for `?` and struct elements, and array fields),
// plus the all-or-nothing encoding of initialisers.
import util = require('util');
import { rangeError, typeError } from '../base/errors';
import { HELD, type ProcessLock } from '../locks/lock';
import { ArrayType, CType, StructField, StructType } from '../types/ctype';
import { c_ubyte } from '../types/scalars';
import { BAD_INDEX, indexOfKey, NOT_INDEX } from './index-key';
import { closedError, ObjectMemory } from './memory';
import { charRaw, charValue, latin1Bytes, setCharRaw, setCharValue } from './char-bytes';
import { rawMethodDescriptors } from './raw-methods';
import { describe, infoOf } from './registry';
import { readScalar, writeScalar } from './scalar-io';

import { BASE, LOCK, MEM, RAW } from './symbols';

const ELEM = Symbol('sharedctypes.element');
const LEN = Symbol('sharedctypes.length');

/** Elements of a `c` array are bytes (numbers), as in a Buffer. */
function elementType(type: CType): CType {
  return type.kind === 'scalar' && type.code === 'c' ? c_ubyte : type;
}

// ---------------------------------------------------------------- encoding

const fieldMaps = new WeakMap<StructType, Map<string, StructField>>();

function fieldsByName(type: StructType): Map<string, StructField> {
  let map = fieldMaps.get(type);
  if (map === undefined) {
    map = new Map(type.fields.map((f) => [f.name, f]));
    fieldMaps.set(type, map);
  }
  return map;
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { length?: unknown }).length === 'number';
}

/** Sequence initialiser as an array-like (strings only for `c` elements). */
export function sequenceOf(v: unknown, element: CType, what: string): ArrayLike<unknown> {
  if (typeof v === 'string') {
    if (element.kind === 'scalar' && element.code === 'c') return latin1Bytes(v, what);
    throw typeError('ERR_INVALID_ARG_TYPE', `${what} takes a sequence of values, not a string`);
  }
  if (isArrayLike(v)) return v;
  if (typeof v === 'object' && v !== null && Symbol.iterator in v) return Array.from(v as Iterable<unknown>);
  throw typeError('ERR_INVALID_ARG_TYPE', `${what} needs a sequence (array, TypedArray or iterable), got ${v === null ? 'null' : typeof v}`);
}

function encodeArray(dv: DataView, at: number, type: ArrayType, v: unknown): void {
  const items = sequenceOf(v, type.element, 'an array field');
  if (items.length > type.length) {
    throw rangeError('ERR_OUT_OF_RANGE', `${items.length} values do not fit an array field of ${type.length}`);
  }
  const elem = elementType(type.element);
  for (let i = 0; i < items.length; i++) encodeInto(dv, at + i * elem.size, elem, items[i]);
}

function encodeStruct(dv: DataView, at: number, type: StructType, v: unknown): void {
  if (isStructView(v)) v = plainOf(v);
  if (Array.isArray(v)) {
    if (v.length > type.fields.length) {
      throw typeError('ERR_INVALID_ARG_VALUE', `${v.length} initialisers for a struct of ${type.fields.length} fields`);
    }
    v.forEach((x, i) => encodeInto(dv, at + type.fields[i].offset, type.fields[i].type, x));
    return;
  }
  if (typeof v !== 'object' || v === null) {
    throw typeError('ERR_INVALID_ARG_TYPE', `a struct is initialised from an object of fields or an array, got ${v === null ? 'null' : typeof v}`);
  }
  const byName = fieldsByName(type);
  for (const key of Object.keys(v)) {
    const f = byName.get(key);
    if (f === undefined) throw typeError('ERR_INVALID_ARG_VALUE', `the struct has no field ${JSON.stringify(key)}`);
    encodeInto(dv, at + f.offset, f.type, (v as Record<string, unknown>)[key]);
  }
}

/** Writes `v` as `type` at `at`; throws TypeError/RangeError on a bad value. */
export function encodeInto(dv: DataView, at: number, type: CType, v: unknown): void {
  switch (type.kind) {
    case 'scalar':
      return writeScalar(dv, at, type, v);
    case 'array':
      return encodeArray(dv, at, type, v);
    case 'struct':
      return encodeStruct(dv, at, type, v);
  }
}

/**
 * Stores `v` into shared memory. Scalars are checked before the store;
 * structs and arrays are encoded into scratch bytes first, so a bad value
 * changes nothing.
 */
export function writeValue(mem: ObjectMemory, at: number, type: CType, v: unknown): void {
  if (type.kind === 'scalar') return writeScalar(mem.dv, at, type, v);
  const scratch = new ArrayBuffer(type.size);
  encodeInto(new DataView(scratch), 0, type, v);
  new Uint8Array(mem.buffer, at, type.size).set(new Uint8Array(scratch));
}

/** Reads a value: a JS scalar, or a live view for structs and arrays. */
export function readValue(mem: ObjectMemory, at: number, type: CType): unknown {
  // Views of nested structs and arrays are made lazily: refuse them here, not at first use.
  if (type.kind !== 'scalar' && mem.closed) throw closedError(type.kind);
  switch (type.kind) {
    case 'scalar':
      return readScalar(mem.dv, at, type);
    case 'struct':
      return structView(mem, at, type);
    case 'array':
      return arrayView(mem, at, type.element, type.length);
  }
}

/** A snapshot of a value as plain JS data (structs become objects, arrays arrays). */
export function plainOf(v: unknown): unknown {
  if (isStructView(v)) {
    const out: Record<string, unknown> = {};
    for (const f of structTypeOf(v).fields) out[f.name] = plainOf((v as unknown as Record<string, unknown>)[f.name]);
    return out;
  }
  if (v instanceof ArrayView) return v.toArray().map(plainOf);
  return v;
}

// ---------------------------------------------------------------- structs

const STYPE = Symbol('sharedctypes.structType');

/** Base of every struct object. Methods are non-enumerable; fields are accessors on a per-type prototype. */
export class StructView {
  declare [MEM]: ObjectMemory;
  declare [BASE]: number;
  declare [LOCK]: ProcessLock | null;

  toJSON(): unknown {
    const info = infoOf(this);
    return info !== undefined && info.raw === null ? describe(info) : plainOf(this);
  }

  [util.inspect.custom](depth: number, options: util.InspectOptionsStylized, inspect: typeof util.inspect): string {
    if (this[MEM].closed) return 'Struct <closed>';
    return `Struct ${inspect(plainOf(this), options)}`;
  }
}
Object.defineProperties(StructView.prototype, rawMethodDescriptors());
// toJSON above must win over the raw one.
Object.defineProperty(StructView.prototype, 'toJSON', { value: StructView.prototype.toJSON, enumerable: false, writable: true, configurable: true });

/** A struct object, raw or synchronized. */
export function isStructView(v: unknown): v is StructView {
  return typeof v === 'object' && v !== null && STYPE in v;
}

function structTypeOf(v: StructView): StructType {
  return (Object.getPrototypeOf(v) as { [STYPE]: StructType })[STYPE];
}

/** The accessors of a field; `locked` takes the object's lock around each access (Value(Struct)). */
function fieldAccessor(f: StructField, locked: boolean): PropertyDescriptor {
  const { offset, type } = f;
  if (!locked) {
    return {
      enumerable: true,
      get(this: StructView) {
        return readValue(this[MEM], this[BASE] + offset, type);
      },
      set(this: StructView, v: unknown) {
        writeValue(this[MEM], this[BASE] + offset, type, v);
      },
    };
  }
  return {
    enumerable: true,
    get(this: StructView) {
      const mem = this[MEM];
      const lock = this[LOCK] as ProcessLock;
      if (mem.closed) throw closedError('struct'); // before taking the lock
      if (lock[HELD] > 0) return readValue(mem, this[BASE] + offset, type);
      lock.acquire();
      try {
        return readValue(mem, this[BASE] + offset, type);
      } finally {
        lock.release();
      }
    },
    set(this: StructView, v: unknown) {
      const mem = this[MEM];
      const lock = this[LOCK] as ProcessLock;
      if (mem.closed) throw closedError('struct');
      if (lock[HELD] > 0) return writeValue(mem, this[BASE] + offset, type, v);
      lock.acquire();
      try {
        writeValue(mem, this[BASE] + offset, type, v);
      } finally {
        lock.release();
      }
    },
  };
}

interface StructKit {
  proto: object;
  handler: ProxyHandler<StructView>;
}

const kits = new WeakMap<object, WeakMap<StructType, StructKit>>();

/**
 * Prototype and Proxy handler for struct objects of a type, built once.
 * `base` is StructView.prototype or a synchronized base's prototype.
 */
function structKit(type: StructType, base: object, locked: boolean): StructKit {
  let perBase = kits.get(base);
  if (perBase === undefined) {
    perBase = new WeakMap();
    kits.set(base, perBase);
  }
  let kit = perBase.get(type);
  if (kit !== undefined) return kit;
  const props: PropertyDescriptorMap = { [STYPE]: { value: type } };
  for (const f of type.fields) props[f.name] = fieldAccessor(f, locked);
  const proto = Object.create(base, props) as object;
  const names = fieldsByName(type);
  // The Proxy only guards writes: an unknown field is a TypeError even in sloppy-mode code.
  const handler: ProxyHandler<StructView> = {
    set(target, key, value) {
      if (typeof key === 'string' && names.has(key)) return Reflect.set(target, key, value, target);
      throw typeError('ERR_INVALID_ARG_VALUE', `the struct has no field ${String(key)}`);
    },
    defineProperty(_target, key) {
      throw typeError('ERR_INVALID_ARG_VALUE', `cannot define ${String(key)} on a shared struct`);
    },
    deleteProperty(_target, key) {
      throw typeError('ERR_INVALID_ARG_VALUE', `cannot delete ${String(key)} from a shared struct`);
    },
  };
  kit = { proto, handler };
  perBase.set(type, kit);
  return kit;
}

/**
 * A struct object over `type` at `at`. With `lock` (a synchronized struct,
 * built on `base` with `raw` as its getObj()), every field access takes it.
 */
export function structView(
  mem: ObjectMemory,
  at: number,
  type: StructType,
  lock: ProcessLock | null = null,
  base: object = StructView.prototype,
  raw: object | null = null,
): StructView {
  const kit = structKit(type, base, lock !== null);
  const target = Object.create(kit.proto) as StructView & { [RAW]: object | null };
  target[MEM] = mem;
  target[BASE] = at;
  target[LOCK] = lock;
  target[RAW] = raw;
  return new Proxy(target, kit.handler);
}

// ---------------------------------------------------------------- arrays

/** Common shape of array-likes served through an index Proxy. */
export interface Indexed {
  readonly length: number;
  get(index: number): unknown;
  set(index: number, value: unknown): void;
}

function checkIndex(i: number, length: number): void {
  if (i < 0 || i >= length) throw rangeError('ERR_OUT_OF_RANGE', `index ${i} is out of range for length ${length}`);
}

const indexHandler: ProxyHandler<Indexed> = {
  get(target, key) {
    const i = indexOfKey(key);
    if (i === NOT_INDEX) return Reflect.get(target, key, target);
    if (i === BAD_INDEX) throw rangeError('ERR_OUT_OF_RANGE', `invalid index ${String(key)}`);
    return target.get(i);
  },
  set(target, key, value) {
    const i = indexOfKey(key);
    if (i === NOT_INDEX) {
      if (key in target) return Reflect.set(target, key, value, target);
      throw typeError('ERR_INVALID_ARG_VALUE', `cannot add property ${String(key)} to a shared array`);
    }
    if (i === BAD_INDEX) throw rangeError('ERR_OUT_OF_RANGE', `invalid index ${String(key)}`);
    target.set(i, value);
    return true;
  },
  has(target, key) {
    const i = indexOfKey(key);
    if (i === NOT_INDEX) return Reflect.has(target, key);
    return i >= 0 && i < target.length;
  },
  ownKeys(target) {
    const keys: Array<string | symbol> = [];
    for (let i = 0; i < target.length; i++) keys.push(String(i));
    return keys.concat(Reflect.ownKeys(target));
  },
  getOwnPropertyDescriptor(target, key) {
    const i = indexOfKey(key);
    if (i === NOT_INDEX) return Reflect.getOwnPropertyDescriptor(target, key);
    if (i < 0 || i >= target.length) return undefined;
    return { value: target.get(i), writable: true, enumerable: true, configurable: true };
  },
  defineProperty(_target, key) {
    throw typeError('ERR_INVALID_ARG_VALUE', `cannot define ${String(key)} on a shared array`);
  },
  deleteProperty(_target, key) {
    throw typeError('ERR_INVALID_ARG_VALUE', `cannot delete ${String(key)} from a shared array`);
  },
};

/** Serves `obj[i]` through `obj.get(i)` / `obj.set(i, v)`. */
export function indexed<T extends Indexed>(obj: T): T {
  return new Proxy(obj, indexHandler as ProxyHandler<T>);
}

/** An array-like over shared elements (raw `?` and struct arrays, array fields of structs). */
export class ArrayView implements Indexed {
  declare [MEM]: ObjectMemory;
  declare [BASE]: number;
  declare [ELEM]: CType;
  declare [LEN]: number;

  get length(): number {
    if (this[MEM].closed) throw closedError('array');
    return this[LEN];
  }

  get(i: number): unknown {
    checkIndex(i, this[LEN]);
    const elem = this[ELEM];
    return readValue(this[MEM], this[BASE] + i * elem.size, elem);
  }

  set(i: number, v: unknown): void {
    checkIndex(i, this[LEN]);
    const elem = this[ELEM];
    writeValue(this[MEM], this[BASE] + i * elem.size, elem, v);
  }

  /** Like Array.prototype.at: negative indices count from the end; out of range is undefined. */
  at(index: number): unknown {
    const n = Math.trunc(index);
    const i = n < 0 ? n + this[LEN] : n;
    return i >= 0 && i < this[LEN] ? this.get(i) : undefined;
  }

  toArray(): unknown[] {
    const out = new Array<unknown>(this[LEN]);
    for (let i = 0; i < out.length; i++) out[i] = this.get(i);
    return out;
  }

  slice(start?: number, end?: number): unknown[] {
    return this.toArray().slice(start, end);
  }

  *[Symbol.iterator](): IterableIterator<unknown> {
    for (let i = 0; i < this[LEN]; i++) yield this.get(i);
  }

  toJSON(): unknown {
    const info = infoOf(this);
    return info !== undefined && info.raw === null ? describe(info) : this.toArray().map(plainOf);
  }

  [util.inspect.custom](depth: number, options: util.InspectOptionsStylized, inspect: typeof util.inspect): string {
    if (this[MEM].closed) return 'SharedArray <closed>';
    return `SharedArray(${this[LEN]}) ${inspect(this.toArray().map(plainOf), options)}`;
  }
}
{
  const raw = rawMethodDescriptors() as Record<PropertyKey, PropertyDescriptor>;
  Object.defineProperties(ArrayView.prototype, { close: raw.close, unlink: raw.unlink, getLock: raw.getLock, [Symbol.dispose]: raw[Symbol.dispose] });
}

/** A `c` array inside a struct (or an array): its bytes, plus .value and .raw as RawArray('c') has them. */
export class CharArrayView extends ArrayView {
  #bytes(): Uint8Array {
    const mem = this[MEM];
    if (mem.closed) throw closedError('array');
    return new Uint8Array(mem.buffer, this[BASE], this[LEN]);
  }

  get value(): string {
    return charValue(this.#bytes());
  }

  set value(s: string) {
    setCharValue(this.#bytes(), s);
  }

  get raw(): Buffer {
    return charRaw(this.#bytes());
  }

  set raw(bytes: Uint8Array) {
    setCharRaw(this.#bytes(), bytes);
  }
}

/** An array-like over `length` elements of `element` at `at`. */
export function arrayView(mem: ObjectMemory, at: number, element: CType, length: number): ArrayView {
  const target = element.kind === 'scalar' && element.code === 'c' ? new CharArrayView() : new ArrayView();
  target[MEM] = mem;
  target[BASE] = at;
  target[ELEM] = elementType(element);
  target[LEN] = length;
  return indexed(target);
}

