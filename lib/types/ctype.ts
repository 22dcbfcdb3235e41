// C types beyond scalars: fixed-length arrays and structs with natural C
// alignment, plus the TypeScript machinery that maps each type to its JS value.
import { typeError, rangeError } from '../base/errors';
import { alignUp } from '../base/align';
import { ElementOfCode, isScalarType, isTypecode, JsOfCode, ScalarType, SCALARS, Typecode } from './scalars';

const STRUCT = Symbol.for('sharedctypes.struct');

/** A fixed-length array used as a struct field (`[type, length]`). */
export interface ArrayType {
  readonly kind: 'array';
  readonly element: CType;
  readonly length: number;
  readonly size: number;
  readonly align: number;
}

export interface StructField {
  readonly name: string;
  readonly type: CType;
  readonly offset: number;
}

/** Anything that names a type: a typecode, a scalar type object or a struct. */
export type TypeSpec = Typecode | ScalarType<Typecode, unknown> | StructType<FieldSpecs>;
/** A struct field: a type, or `[type, length]` for a fixed-length array. */
export type FieldSpec = TypeSpec | readonly [TypeSpec, number];
export type FieldSpecs = { readonly [name: string]: FieldSpec };

/** A C struct type. `F` carries the field specs for typing. */
export interface StructType<F extends FieldSpecs = FieldSpecs> {
  readonly kind: 'struct';
  readonly fields: readonly StructField[];
  readonly size: number;
  readonly align: number;
  /** Phantom: the field specs, for generics. */
  readonly __fields?: F;
}

export type CType = ScalarType | ArrayType | StructType;

/** The JS value of a type spec: number, bigint, boolean, string or a struct object. */
export type JsOf<T> = T extends Typecode
  ? JsOfCode<T>
  : T extends ScalarType<Typecode, infer J>
    ? J
    : T extends StructType<infer F>
      ? StructValue<F>
      : never;

/** The JS value of an array element of a type spec (`c` arrays hold bytes). */
export type ElementOf<T> = T extends Typecode
  ? ElementOfCode<T>
  : T extends ScalarType<infer C, unknown>
    ? ElementOfCode<C>
    : T extends StructType<infer F>
      ? StructValue<F>
      : never;

/** What an array-valued field reads as: a live view over the shared bytes. */
export interface FieldArray<E> extends Iterable<E> {
  readonly length: number;
  [index: number]: E;
}

/** A `c_char` array field, as Python reads `c_char * n`: bytes, plus the string up to the first NUL. */
export interface FieldCharArray extends FieldArray<number> {
  /** The latin1 string up to the first NUL; storing one NUL-terminates it if there is room (too long: RangeError). */
  value: string;
  /** A copy of all the bytes; storing bytes writes them as they are. */
  raw: Uint8Array;
}

export type FieldValue<S> = S extends readonly ['c' | ScalarType<'c', unknown>, number]
  ? FieldCharArray
  : S extends readonly [infer E, number]
    ? FieldArray<ElementOf<E>>
    : JsOf<S>;

/** A struct object: one property per field, reading and writing shared memory. */
export type StructValue<F extends FieldSpecs> = { -readonly [K in keyof F]: FieldValue<F[K]> };

/** Struct initialiser: fields by name (missing ones are zero) or all in order. */
export type StructInit<F extends FieldSpecs> = { [K in keyof F]?: FieldInit<F[K]> } | readonly unknown[];
export type FieldInit<S> = S extends readonly ['c' | ScalarType<'c', unknown>, number]
  ? string | ArrayLike<number> | Iterable<number> // a c_char array field also takes a string
  : S extends readonly [infer E, number]
    ? ArrayLike<ElementInit<E>> | Iterable<ElementInit<E>>
    : InitOf<S>;
export type InitOf<T> = T extends StructType<infer F> ? StructInit<F> : JsOf<T>;
export type ElementInit<T> = T extends StructType<infer F> ? StructInit<F> : ElementOf<T>;

export function isStructType(value: unknown): value is StructType {
  return typeof value === 'object' && value !== null && (value as { [STRUCT]?: unknown })[STRUCT] === true;
}

/** Resolves a type spec (typecode, scalar or struct) to a CType, or throws ERR_INVALID_TYPE. */
export function resolveType(spec: unknown): ScalarType | StructType {
  if (isTypecode(spec)) return SCALARS[spec];
  if (isScalarType(spec) || isStructType(spec)) return spec;
  const shown = typeof spec === 'string' ? JSON.stringify(spec) : typeof spec;
  throw typeError('ERR_INVALID_TYPE', `unknown type ${shown}: use a typecode (c b B h H i I l L q Q f d ?), a c_* type or a Struct`);
}

// Struct objects carry these methods next to their fields (as Python's
// synchronized structs carry get_lock next to theirs), so fields cannot use them.
const RESERVED_NAMES = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'toJSON',
  'toString',
  'valueOf',
  'close',
  'unlink',
  'getLock',
  'getObj',
  'acquire',
  'release',
  'withLock',
  'hold',
]);

export function checkFieldName(name: string): void {
  if (name.length === 0 || name.length > 256 || RESERVED_NAMES.has(name)) {
    throw typeError('ERR_INVALID_TYPE', `invalid or reserved struct field name ${JSON.stringify(name)}`);
  }
}

export function makeArrayType(element: CType, length: number): ArrayType {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw rangeError('ERR_OUT_OF_RANGE', `array field length must be a non-negative integer, got ${String(length)}`);
  }
  const size = element.size * length;
  if (!Number.isSafeInteger(size)) throw rangeError('ERR_OUT_OF_RANGE', 'array field is too large');
  return Object.freeze({ kind: 'array' as const, element, length, size, align: element.align });
}

/** Lays out fields in order with natural C alignment (as a C compiler does). */
export function layoutStruct(fields: ReadonlyArray<{ name: string; type: CType }>): { fields: StructField[]; size: number; align: number } {
  let offset = 0;
  let align = 1;
  const out: StructField[] = [];
  for (const f of fields) {
    offset = alignUp(offset, f.type.align);
    out.push(Object.freeze({ name: f.name, type: f.type, offset }));
    offset += f.type.size;
    align = Math.max(align, f.type.align);
  }
  const size = alignUp(offset, align);
  if (!Number.isSafeInteger(size)) throw rangeError('ERR_OUT_OF_RANGE', 'struct is too large');
  return { fields: out, size, align };
}

export function makeStructType(fields: ReadonlyArray<{ name: string; type: CType }>): StructType {
  const seen = new Set<string>();
  for (const f of fields) {
    checkFieldName(f.name);
    if (seen.has(f.name)) throw typeError('ERR_INVALID_TYPE', `duplicate struct field ${JSON.stringify(f.name)}`);
    seen.add(f.name);
  }
  const layout = layoutStruct(fields);
  return Object.freeze({ [STRUCT]: true as const, kind: 'struct' as const, fields: Object.freeze(layout.fields), size: layout.size, align: layout.align });
}

/**
 * Defines a C-layout struct, fields in the order written:
 * `Struct({ x: c_double, y: c_double, tags: [c_int, 4] })`.
 */
export function Struct<const F extends FieldSpecs>(fields: F): StructType<F> {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw typeError('ERR_INVALID_ARG_TYPE', 'Struct() takes an object of { fieldName: type }');
  }
  const list = Object.keys(fields).map((name) => {
    const spec: unknown = fields[name];
    if (Array.isArray(spec)) {
      if (spec.length !== 2) throw typeError('ERR_INVALID_TYPE', `array field ${name} must be written [type, length]`);
      return { name, type: makeArrayType(resolveType(spec[0]), spec[1] as number) as CType };
    }
    return { name, type: resolveType(spec) as CType };
  });
  if (list.length === 0) throw typeError('ERR_INVALID_TYPE', 'a Struct needs at least one field');
  return makeStructType(list) as StructType<F>;
}
