// Rebuilding shared objects in another process: from a descriptor (toJSON())
// or from a named segment's own header. Both are untrusted input: every
// offset, size and layout is checked against the real mapping first.
import { codeOf, SharedCtypesError, typeError } from '../base/errors';
import { attachLockInternal, isIncarnation, Lock, LockDescriptor, lockIn, ProcessLock, RLock, successorError } from '../locks/lock';
import { BlockRef, descriptorTag, dropBlock, RECORD_SIZE, retainBlock } from '../memory/arena';
import { buildObject } from '../objects/build';
import { ObjectMemory } from '../objects/memory';
import { byteSize } from '../objects/placement';
import { ObjectDescriptor, ObjectKind } from '../objects/registry';
import { LockKindCode, SegmentKind } from '../segment/header';
import { SharedSegment } from '../segment/segment';
import { CType, resolveType, StructType, TypeSpec } from '../types/ctype';
import type { ArrayOf, RawArrayOf, RawValueOf, ValueOf } from '../objects/public-types';
import { decodeType, typeKey } from '../types/layout-json';
import { ScalarType } from '../types/scalars';
import { releaseSegment, retainSegment } from '../segment/open-segments';

/** attach() options: the layout the caller expects, and whose segments it accepts. */
export interface AttachExpect {
  type?: TypeSpec;
  length?: number | null;
  /** The kind of object expected (`'Value'`, `'Array'`, `'RawValue'`, `'RawArray'`); with `type`, it types the result. */
  kind?: ObjectKind;
  /**
   * Accept segments that another user owns (default `false`: those are
   * `ERR_SHM_PERMISSION`, as a peer who creates a name first could otherwise
   * feed this process its data). Applies to every segment the attach opens,
   * also the one of a lock that a header or descriptor refers to.
   */
  allowOtherOwners?: boolean;
}

/** attachLock() and inherited() options. */
export interface AttachLockOptions {
  /** Accept segments that another user owns (default `false`: ERR_SHM_PERMISSION). */
  allowOtherOwners?: boolean;
}

/** Anything attach() can return: every shared object has these. */
export interface SharedObject {
  toJSON(): ObjectDescriptor | LockDescriptor;
  close(): void;
  unlink(): void;
}

const KINDS: readonly ObjectKind[] = ['RawValue', 'RawArray', 'Value', 'Array'];

function mismatch(what: string): SharedCtypesError {
  return new SharedCtypesError('ERR_SHM_LAYOUT_MISMATCH', what);
}

function isLockDescriptor(v: Record<string, unknown>): v is Record<string, unknown> & LockDescriptor {
  return (v.kind === 'Lock' || v.kind === 'RLock') && typeof v.segment === 'string' && typeof v.offset === 'number';
}

function checkLength(length: unknown, code: 'ERR_SHM_BAD_HEADER' | 'ERR_SHM_LAYOUT_MISMATCH', kind: ObjectKind): number | null {
  const isArray = kind === 'RawArray' || kind === 'Array';
  if (!isArray) {
    if (length !== undefined && length !== null) throw new SharedCtypesError(code, 'a value has no length');
    return null;
  }
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    throw new SharedCtypesError(code, `invalid array length ${String(length)}`);
  }
  return length;
}

function topLevel(type: CType, code: 'ERR_SHM_BAD_HEADER' | 'ERR_SHM_LAYOUT_MISMATCH'): ScalarType | StructType {
  if (type.kind === 'array') throw new SharedCtypesError(code, 'an object type is a scalar or a struct');
  return type;
}

/** Checks an options object's shape; returns allowOtherOwners. */
export function checkAttachOptions(options: unknown, fn: string, keys: readonly string[]): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) throw typeError('ERR_INVALID_ARG_TYPE', `${fn} options must be an object like { ${keys.join(', ')} }`);
  for (const key of Object.keys(options)) {
    if (!keys.includes(key)) throw typeError('ERR_INVALID_ARG_VALUE', `${fn} has no option ${JSON.stringify(key)}`);
  }
  const allow = (options as { allowOtherOwners?: unknown }).allowOtherOwners;
  if (allow !== undefined && typeof allow !== 'boolean') throw typeError('ERR_INVALID_ARG_TYPE', `allowOtherOwners must be a boolean, got ${typeof allow}`);
  return allow === true;
}

const ATTACH_KEYS = ['type', 'length', 'kind', 'allowOtherOwners'] as const;
const TRUST_KEYS = ['allowOtherOwners'] as const;

/** The options ask for a layout (type or length), which no lock has. */
function expectsLayout(expect: AttachExpect | undefined): boolean {
  return expect !== undefined && (expect.type !== undefined || expect.length !== undefined || expect.kind !== undefined);
}

function checkExpect(expect: AttachExpect | undefined, type: CType, length: number | null, where: string, kind: ObjectKind): void {
  if (expect === undefined) return;
  if (expect.kind !== undefined) {
    if (!KINDS.includes(expect.kind)) throw typeError('ERR_INVALID_ARG_VALUE', `kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(String(expect.kind))}`);
    if (expect.kind !== kind) throw mismatch(`${where} holds a ${kind}, not a ${expect.kind}`);
  }
  if (expect.type !== undefined && typeKey(resolveType(expect.type)) !== typeKey(type)) {
    throw mismatch(`${where} holds ${typeKey(type)}, not ${typeKey(resolveType(expect.type))}`);
  }
  if (expect.length !== undefined && expect.length !== length) {
    throw mismatch(`${where} has length ${String(length)}, not ${String(expect.length)}`);
  }
}

/** A named object's segment that holds an object of this kind and layout. */
function sameObjectLayout(segment: SharedSegment, kind: ObjectKind, type: CType, length: number | null): boolean {
  const { header } = segment;
  if (header.kind !== SegmentKind.Object || header.meta.object !== kind || header.meta.length !== length) return false;
  try {
    return typeKey(decodeType(header.meta.type)) === typeKey(type);
  } catch {
    return false;
  }
}

/** The object a descriptor describes; ERR_SHM_LAYOUT_MISMATCH if it does not fit its segment. */
function attachDescriptor(d: Record<string, unknown>, expect: AttachExpect | undefined, allow: boolean): object {
  const kind = d.kind as ObjectKind;
  if (typeof d.segment !== 'string' || typeof d.offset !== 'number' || !isIncarnation(d.incarnation)) {
    throw typeError('ERR_INVALID_ARG_VALUE', 'malformed shared object descriptor');
  }
  const type = topLevel(decodeType(d.type, 'ERR_INVALID_TYPE'), 'ERR_SHM_LAYOUT_MISMATCH');
  const length = checkLength(d.length, 'ERR_SHM_LAYOUT_MISMATCH', kind);
  checkExpect(expect, type, length, 'the descriptor', kind);
  const synchronized = kind === 'Value' || kind === 'Array';
  if (synchronized !== (d.lock !== undefined)) throw typeError('ERR_INVALID_ARG_VALUE', `a ${kind} descriptor ${synchronized ? 'needs' : 'has no'} lock`);
  const segment = retainSegment(d.segment, allow, d.incarnation as string);
  let lock: ProcessLock | null = null;
  let ref: BlockRef | null = null;
  try {
    if (segment.header.incarnation !== d.incarnation) throw successorError(segment.name, sameObjectLayout(segment, kind, type, length));
    const size = byteSize(type, length);
    const { headerSize, payloadSize } = segment.header;
    const offset = d.offset;
    const tag = descriptorTag(d.block, segment);
    // An arena object has its block record in the 16 bytes before it.
    const start = tag === null ? headerSize : headerSize + RECORD_SIZE;
    if (!Number.isSafeInteger(offset) || offset < start || offset + size > headerSize + payloadSize || offset % type.align !== 0 || (tag !== null && offset % 16 !== 0)) {
      throw mismatch(`the descriptor's object (${size} bytes at ${offset}) does not lie inside segment '${segment.name}'`);
    }
    if (tag !== null) ref = retainBlock(segment, offset, tag, false);
    if (synchronized) lock = attachLockInternal(d.lock as LockDescriptor, allow);
    return buildObject(kind, new ObjectMemory(segment, offset, size, null, true, ref), type, length, lock, true);
  } catch (err) {
    lock?.close();
    if (ref !== null) dropBlock(ref);
    releaseSegment(segment);
    throw err;
  }
}

function lockOfHeader(segment: SharedSegment, meta: Record<string, unknown>, synchronized: boolean, allow: boolean): { lock: ProcessLock | null; own: boolean } {
  const bad = (why: string, cause?: unknown): SharedCtypesError =>
    new SharedCtypesError('ERR_SHM_BAD_HEADER', `segment '${segment.name}' has an invalid header: ${why}`, { cause });
  if (!synchronized) {
    if (meta.lock !== null && meta.lock !== undefined) throw bad('a raw object with a lock');
    return { lock: null, own: false };
  }
  if (meta.lock === 'inline') {
    const kind = segment.header.lockKind;
    if (kind === LockKindCode.None) throw bad('an inline lock that is not there');
    // The object holds the segment; the lock rides on that reference.
    return { lock: lockIn(kind === LockKindCode.RLock ? 'RLock' : 'Lock', segment, segment.header.lockOffset, false), own: false };
  }
  if (typeof meta.lock !== 'object' || meta.lock === null || !isLockDescriptor(meta.lock as Record<string, unknown>)) throw bad('no valid lock');
  try {
    return { lock: attachLockInternal(meta.lock as LockDescriptor, allow), own: true };
  } catch (err) {
    // A lock segment that is gone or forbidden is reported as such; anything
    // else means the header points at no valid lock.
    const code = codeOf(err);
    if (code === 'ERR_SHM_NOT_FOUND' || code === 'ERR_SHM_PERMISSION') throw err;
    throw bad(`its lock reference is invalid (${err instanceof Error ? err.message : String(err)})`, err);
  }
}

/** The object or lock of a named segment, rebuilt from the header alone. */
function attachName(name: string, expect: AttachExpect | undefined, allow: boolean): object {
  const segment = retainSegment(name, allow);
  let lock: ProcessLock | null = null;
  try {
    const { header } = segment;
    if (header.kind === SegmentKind.Lock) {
      if (expectsLayout(expect)) throw mismatch(`segment '${segment.name}' holds a lock, not an object`);
      releaseSegment(segment);
      return attachLockInternal(name, allow);
    }
    if (header.kind !== SegmentKind.Object) {
      throw mismatch(`segment '${segment.name}' is an arena of unnamed objects: attach those by descriptor`);
    }
    const meta = header.meta;
    const kind = meta.object as ObjectKind;
    if (!KINDS.includes(kind)) throw new SharedCtypesError('ERR_SHM_BAD_HEADER', `segment '${segment.name}' has an invalid header: unknown object kind`);
    const type = topLevel(decodeType(meta.type), 'ERR_SHM_BAD_HEADER');
    const length = checkLength(meta.length, 'ERR_SHM_BAD_HEADER', kind);
    const size = byteSize(type, length);
    if (size > header.payloadSize) {
      throw new SharedCtypesError('ERR_SHM_BAD_HEADER', `segment '${segment.name}' has an invalid header: ${size} bytes of object in a ${header.payloadSize}-byte payload`);
    }
    checkExpect(expect, type, length, `segment '${segment.name}'`, kind);
    const l = lockOfHeader(segment, meta, kind === 'Value' || kind === 'Array', allow);
    lock = l.lock;
    return buildObject(kind, new ObjectMemory(segment, header.headerSize, size, null, true), type, length, lock, l.own);
  } catch (err) {
    if (lock !== null) lock.close();
    releaseSegment(segment);
    throw err;
  }
}

/**
 * The shared object (or lock) that `source` describes: a descriptor from
 * `toJSON()`, or the name of a named object or lock. `expect` checks the
 * layout (ERR_SHM_LAYOUT_MISMATCH when it differs). A segment owned by
 * another user is ERR_SHM_PERMISSION unless `expect.allowOtherOwners`.
 */
export function attach<const T extends TypeSpec>(source: ObjectDescriptor | string, expect: AttachExpect & { type: T; kind: 'Value' }): ValueOf<T>;
export function attach<const T extends TypeSpec>(source: ObjectDescriptor | string, expect: AttachExpect & { type: T; kind: 'RawValue' }): RawValueOf<T>;
export function attach<const T extends TypeSpec>(source: ObjectDescriptor | string, expect: AttachExpect & { type: T; kind: 'Array' }): ArrayOf<T>;
export function attach<const T extends TypeSpec>(source: ObjectDescriptor | string, expect: AttachExpect & { type: T; kind: 'RawArray' }): RawArrayOf<T>;
export function attach<T extends object = SharedObject>(source: ObjectDescriptor | LockDescriptor | string, expect?: AttachExpect): T;
export function attach(source: ObjectDescriptor | LockDescriptor | string, expect?: AttachExpect): object {
  const allow = checkAttachOptions(expect, 'attach()', ATTACH_KEYS);
  if (typeof source === 'string') return attachName(source, expect, allow);
  if (typeof source !== 'object' || source === null || (source as { $sharedctypes?: unknown }).$sharedctypes !== 1) {
    throw typeError('ERR_INVALID_ARG_TYPE', 'attach() takes a descriptor (from toJSON()) or a segment name');
  }
  const d = source as unknown as Record<string, unknown>;
  if (isLockDescriptor(d)) {
    if (expectsLayout(expect)) throw mismatch('the descriptor is of a lock, not an object');
    return attachLockInternal(d, allow);
  }
  if (!KINDS.includes(d.kind as ObjectKind)) throw typeError('ERR_INVALID_ARG_VALUE', `unknown shared object kind ${JSON.stringify(String(d.kind))}`);
  return attachDescriptor(d, expect, allow);
}

/**
 * Attaches to a lock given its descriptor or the name of a named lock. A
 * segment owned by another user is ERR_SHM_PERMISSION unless `options.allowOtherOwners`.
 */
export function attachLock(source: LockDescriptor | string, options?: AttachLockOptions): Lock | RLock {
  const allow = checkAttachOptions(options, 'attachLock()', TRUST_KEYS);
  if (typeof source !== 'string' && (typeof source !== 'object' || source === null || !isLockDescriptor(source as unknown as Record<string, unknown>))) {
    throw typeError('ERR_INVALID_ARG_TYPE', 'attachLock() takes a lock descriptor or a segment name');
  }
  return attachLockInternal(source, allow);
}

export { TRUST_KEYS };
