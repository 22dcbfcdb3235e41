// What each shared object handed to users is: its memory, type, length and
// lock. Keyed weakly by the user-facing object (a TypedArray, a Proxy, a
// wrapper), so nothing needs a hidden property on a TypedArray.
import { SharedCtypesError } from '../base/errors';
import type { ObjectDescriptor, ObjectKind } from '../descriptor/descriptor';
import { ProcessLock } from '../locks/lock';
import { ScalarType } from '../types/scalars';
import { StructType } from '../types/ctype';
import { encodeType } from '../types/layout-json';
import { ObjectMemory } from './memory';
import { forgetName } from '../segment/open-segments';

export interface ObjectInfo {
  readonly kind: ObjectKind;
  readonly mem: ObjectMemory;
  readonly type: ScalarType | StructType;
  /** Element count for arrays, null for values. */
  readonly length: number | null;
  /** The lock of a synchronized object. */
  readonly lock: ProcessLock | null;
  /** The lock was made for this object alone (closed with it). */
  readonly ownLock: boolean;
  /** The raw object a synchronized wrapper wraps. */
  readonly raw: object | null;
}

/**
 * Our own classes (RawScalar, SynchronizedValue) carry their info in this
 * slot: a WeakMap entry per object would dominate creating a Value (ephemeron
 * tables are costly to insert into and to collect). TypedArrays, Buffers and
 * Proxies are looked up in the WeakMap.
 */
export const INFO = Symbol('sharedctypes.info');

const infos = new WeakMap<object, ObjectInfo>();

export function register<T extends object>(obj: T, info: ObjectInfo): T {
  if (INFO in obj) (obj as { [INFO]: ObjectInfo })[INFO] = info;
  else infos.set(obj, info);
  return obj;
}

export function infoOf(obj: unknown): ObjectInfo | undefined {
  if (typeof obj !== 'object' || obj === null) return undefined;
  return (obj as { [INFO]?: ObjectInfo })[INFO] ?? infos.get(obj);
}

/**
 * The descriptor of a registered object. It holds no reference: the object
 * stays attachable while this process (or another that attached it) has it open.
 */
export function describe(info: ObjectInfo): ObjectDescriptor {
  if (info.mem.closed) throw new SharedCtypesError('ERR_SHM_CLOSED', 'this shared object was closed in this process');
  const d: { -readonly [K in keyof ObjectDescriptor]: ObjectDescriptor[K] } = {
    $sharedctypes: 1,
    kind: info.kind,
    segment: info.mem.segment.name,
    incarnation: info.mem.segment.header.incarnation,
    offset: info.mem.offset,
    type: encodeType(info.type),
  };
  const block = info.mem.blockTag;
  if (block !== null) d.block = block;
  if (info.length !== null) d.length = info.length;
  if (info.lock !== null) d.lock = info.lock.toJSON();
  return d;
}

/** close() of any shared object: its views stop working in this process. */
export function closeObject(info: ObjectInfo): void {
  info.mem.close();
  if (info.ownLock && info.lock !== null) info.lock.close();
}

/** unlink() of any shared object: removes the name of a named object's segment (its inline lock goes with it). */
export function unlinkObject(info: ObjectInfo): void {
  if (info.mem.ownSegment) {
    const { segment } = info.mem;
    segment.unlink();
    // The name is gone: attach(name) in this process must not find this mapping again.
    forgetName(segment.name, segment);
  }
}

export function noLockError(): SharedCtypesError {
  return new SharedCtypesError(
    'ERR_NO_LOCK',
    'this is a raw shared object (created with lock: false or by RawValue/RawArray): it has no lock; use synchronized(obj) or a Lock',
  );
}
