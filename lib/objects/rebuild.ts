// Rebuilding shared objects in another process: from a descriptor (toJSON())
// or from a named segment's own header. Both are untrusted input: every
// offset, size and layout is checked against the real mapping first.
import { codeOf, SharedCtypesError, typeError } from '../base/errors';
import { isIncarnation, isLockDescriptor, LockDescriptor, OBJECT_KINDS, ObjectKind, successorError } from '../descriptor/descriptor';
import { attachLockInternal, lockIn, ProcessLock } from '../locks/lock';
import { BlockRef, descriptorTag, dropBlock, RECORD_SIZE, retainBlock } from '../memory/arena';
import { LockKindCode, SegmentKind } from '../segment/header';
import { releaseSegment, retainSegment } from '../segment/open-segments';
import { SharedSegment } from '../segment/segment';
import { CType, resolveType, StructType, TypeSpec } from '../types/ctype';
import { decodeType, typeKey } from '../types/layout-json';
import { ScalarType } from '../types/scalars';
import { buildObject } from './build';
import { ObjectMemory } from './memory';
import { byteSize } from './placement';

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

export function mismatch(what: string): SharedCtypesError {
  return new SharedCtypesError('ERR_SHM_LAYOUT_MISMATCH', what);
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

/** The options ask for a layout (type or length), which no lock has. */
export function expectsLayout(expect: AttachExpect | undefined): boolean {
  return expect !== undefined && (expect.type !== undefined || expect.length !== undefined || expect.kind !== undefined);
}

function checkExpect(expect: AttachExpect | undefined, type: CType, length: number | null, where: string, kind: ObjectKind): void {
  if (expect === undefined) return;
  if (expect.kind !== undefined) {
    if (!OBJECT_KINDS.includes(expect.kind)) throw typeError('ERR_INVALID_ARG_VALUE', `kind must be one of ${OBJECT_KINDS.join(', ')}, got ${JSON.stringify(String(expect.kind))}`);
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
export function attachDescriptor(d: Record<string, unknown>, expect: AttachExpect | undefined, allow: boolean): object {
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
  const bad = (why: string): SharedCtypesError => new SharedCtypesError('ERR_SHM_BAD_HEADER', `segment '${segment.name}' has an invalid header: ${why}`);
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
    throw bad(`its lock reference is invalid (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** The object or lock of a named segment, rebuilt from the header alone. */
export function attachName(name: string, expect: AttachExpect | undefined, allow: boolean): object {
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
    if (!OBJECT_KINDS.includes(kind)) throw new SharedCtypesError('ERR_SHM_BAD_HEADER', `segment '${segment.name}' has an invalid header: unknown object kind`);
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

