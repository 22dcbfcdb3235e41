// Rebuilding shared objects in another process from a descriptor or a name.
import { typeError } from '../errors';
import { Lock, LockDescriptor, ProcessLock, RLock } from '../locks/lock';

function isLockDescriptor(v: unknown): v is LockDescriptor {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  return d.$sharedctypes === 1 && (d.kind === 'Lock' || d.kind === 'RLock') && typeof d.segment === 'string' && typeof d.offset === 'number';
}

/** Attaches to a lock given its descriptor (from `toJSON()`) or the name of a named lock. */
export function attachLock(source: LockDescriptor | string): Lock | RLock {
  if (typeof source !== 'string' && !isLockDescriptor(source)) {
    throw typeError('ERR_INVALID_ARG_TYPE', 'attachLock() takes a lock descriptor or a segment name');
  }
  return ProcessLock.attachLock(source);
}
