// The public ways in to a shared object made elsewhere: attach() and
// attachLock(), by descriptor or by name. The rebuilding itself, with every
// check against the real mapping, is the objects layer's (objects/rebuild.ts).
import { typeError } from '../base/errors';
import { isDescriptor, isLockDescriptor, LockDescriptor, OBJECT_KINDS, ObjectDescriptor, ObjectKind } from '../descriptor/descriptor';
import { attachLockInternal, Lock, RLock } from '../locks/lock';
import type { ArrayOf, RawArrayOf, RawValueOf, ValueOf } from '../objects/public-types';
import { AttachExpect, attachDescriptor, attachName, expectsLayout, mismatch } from '../objects/rebuild';
import type { TypeSpec } from '../types/ctype';

export type { AttachExpect };

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
  const d: unknown = source;
  if (!isDescriptor(d)) throw typeError('ERR_INVALID_ARG_TYPE', 'attach() takes a descriptor (from toJSON()) or a segment name');
  if (isLockDescriptor(d)) {
    if (expectsLayout(expect)) throw mismatch('the descriptor is of a lock, not an object');
    return attachLockInternal(d, allow);
  }
  if (!OBJECT_KINDS.includes(d.kind as ObjectKind)) throw typeError('ERR_INVALID_ARG_VALUE', `unknown shared object kind ${JSON.stringify(String(d.kind))}`);
  return attachDescriptor(d, expect, allow);
}

/**
 * Attaches to a lock given its descriptor or the name of a named lock. A
 * segment owned by another user is ERR_SHM_PERMISSION unless `options.allowOtherOwners`.
 */
export function attachLock(source: LockDescriptor | string, options?: AttachLockOptions): Lock | RLock {
  const allow = checkAttachOptions(options, 'attachLock()', TRUST_KEYS);
  if (typeof source !== 'string' && !(isDescriptor(source) && isLockDescriptor(source))) {
    throw typeError('ERR_INVALID_ARG_TYPE', 'attachLock() takes a lock descriptor or a segment name');
  }
  return attachLockInternal(source, allow);
}

export { TRUST_KEYS };
