// Where a new object's bytes go: unnamed objects share arenas (many objects
// per segment); a named object gets a segment of its own whose header
// describes it, so attach(name) can rebuild it from the header alone.
import { rangeError } from '../base/errors';
import type { LockDescriptor, ObjectKind } from '../descriptor/descriptor';
import { companionRLock, lockIn, ProcessLock } from '../locks/lock';
import { allocate } from '../memory/arena';
import { LockKindCode, SegmentKind } from '../segment/header';
import { SharedSegment } from '../segment/segment';
import { adoptSegment } from '../segment/open-segments';
import { ScalarType } from '../types/scalars';
import { StructType } from '../types/ctype';
import { encodeType, LayoutJSON } from '../types/layout-json';
import { ObjectMemory } from './memory';
import { CheckedOptions } from './options';

/** The JSON metadata in a named object's segment header. */
export interface ObjectMeta {
  object: ObjectKind;
  type: LayoutJSON;
  /** Element count of an array, null for a value. */
  length: number | null;
  /** 'inline': an RLock in this segment's header; a descriptor: a lock elsewhere; null: none. */
  lock: 'inline' | LockDescriptor | null;
}

export interface Placed {
  mem: ObjectMemory;
  lock: ProcessLock | null;
  ownLock: boolean;
}

export function byteSize(type: ScalarType | StructType, length: number | null): number {
  const size = length === null ? type.size : type.size * length;
  if (!Number.isSafeInteger(size)) throw rangeError('ERR_OUT_OF_RANGE', `an array of ${String(length)} elements is too large`);
  return size;
}

export function placeNew(kind: ObjectKind, type: ScalarType | StructType, length: number | null, options: CheckedOptions): Placed {
  const size = byteSize(type, length);
  const own = options.lock === 'own';
  const given = own ? null : (options.lock as ProcessLock | null);
  if (options.name === undefined) {
    const block = allocate(size, type.align);
    // With a lock of its own, the lock's finalizer ends the object's lease too.
    const mem = new ObjectMemory(block.segment, block.offset, size, block, false, null, !own);
    if (!own) return { mem, lock: given, ownLock: false };
    try {
      const lock = companionRLock(mem.leaseEnd());
      mem.companion = lock; // the lock outlives every view of the object
      return { mem, lock, ownLock: true };
    } catch (err) {
      mem.close();
      throw err;
    }
  }
  const meta: ObjectMeta = { object: kind, type: encodeType(type), length, lock: own ? 'inline' : given === null ? null : given.toJSON() };
  const segment = adoptSegment(
    SharedSegment.create({
      name: options.name,
      mode: options.mode,
      kind: SegmentKind.Object,
      payloadSize: size,
      meta: meta as unknown as Record<string, unknown>,
      lock: own ? LockKindCode.RLock : LockKindCode.None,
      owned: options.unlinkOnExit,
      // Attachers see the object only once its initial value is in (factories publish).
      publish: false,
    }),
  );
  const mem = new ObjectMemory(segment, segment.header.headerSize, size, null, true);
  const lock = own ? lockIn('RLock', segment, segment.header.lockOffset, false) : given;
  return { mem, lock, ownLock: own };
}
