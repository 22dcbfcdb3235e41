// Public entry point of sharedctypes.
export { ERROR_CODES, SharedCtypesError } from './base/errors';
export type { ErrorCode, SharedCtypesErrorOptions } from './base/errors';
export { Lock, RLock, OWNER_DIED_WARNING } from './locks/lock';
export type { AcquireOptions, LockFactory, LockGuard, LockOptions, ProcessLock } from './locks/lock';
export {
  c_bool,
  c_byte,
  c_char,
  c_double,
  c_float,
  c_int,
  c_int16,
  c_int32,
  c_int64,
  c_int8,
  c_long,
  c_longlong,
  c_short,
  c_ubyte,
  c_uint,
  c_uint16,
  c_uint32,
  c_uint64,
  c_uint8,
  c_ulong,
  c_ulonglong,
  c_ushort,
} from './types/scalars';
export type { ScalarType, Typecode } from './types/scalars';
export { Struct } from './types/ctype';
export type { StructType, StructValue, StructInit, TypeSpec, FieldSpec, FieldArray, FieldCharArray, JsOf, ElementOf, InitOf } from './types/ctype';
export { RawValue, RawArray, Value, SharedArray as Array, SharedArray, copy, synchronized } from './objects/factories';
export type { SynchronizedOf } from './objects/factories';
export type { RawOptions, SyncOptions } from './objects/options';
export type {
  ArrayInit,
  ArrayOf,
  AtomicsOf,
  AtomicElementsOf,
  CharArray,
  IntegerCode,
  RawArrayOf,
  RawScalarValue,
  RawValueOf,
  SharedArrayLike,
  SynchronizedArrayLike,
  SynchronizedMethods,
  TypedArrayOf,
  ValueOf,
} from './objects/public-types';
export type { RawMethods } from './objects/raw-methods';
export type { AtomicMethods, AtomicElementMethods } from './objects/atomics';
export type { LockDescriptor, ObjectDescriptor, ObjectKind } from './descriptor/descriptor';
export type { LayoutJSON } from './types/layout-json';
export { attach, attachLock } from './sharing/attach';
export type { AttachExpect, AttachLockOptions, SharedObject } from './sharing/attach';
export { fork, inherited, sharedEnv, SHARED_ENV } from './sharing/fork';
export type { ForkOptions, Shareable } from './sharing/fork';
export { unlink } from './sharing/unlink';
