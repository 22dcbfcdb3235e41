// Public entry point of sharedctypes.
export { SharedCtypesError } from './errors';
export type { ErrorCode } from './errors';
export { Lock, RLock, OWNER_DIED_WARNING } from './locks/lock';
export type { AcquireOptions, LockDescriptor, LockGuard, LockOptions } from './locks/lock';
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
export type { StructType, StructValue, TypeSpec, FieldSpec } from './types/ctype';
export { attachLock } from './sharing/attach';
