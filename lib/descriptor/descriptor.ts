// The descriptor wire format: the plain JSON that toJSON() produces and
// attach() takes back, in another process, from IPC, argv, env or workerData.
// Only shapes and field checks live here; what a descriptor points at is
// checked against the real mapping by the layers that open it.
import { SharedCtypesError, typeError } from '../base/errors';
import type { LayoutJSON } from '../types/layout-json';

/** Kinds of shared objects a descriptor can name. */
export type ObjectKind = 'RawValue' | 'RawArray' | 'Value' | 'Array';
export const OBJECT_KINDS: readonly ObjectKind[] = ['RawValue', 'RawArray', 'Value', 'Array'];

/** Plain-JSON form of a lock, for `child.send()`, argv, env or workerData. */
export interface LockDescriptor {
  readonly $sharedctypes: 1;
  readonly kind: 'Lock' | 'RLock';
  readonly segment: string;
  /** The segment's random incarnation id: a later segment of the same name is never taken for it. */
  readonly incarnation: string;
  readonly offset: number;
  /** Tag of the arena block of an unnamed lock (16 hex digits): attach refuses a block freed and reused since. */
  readonly block?: string;
}

/** Plain-JSON form of a shared object, from `toJSON()`; `attach()` takes it back. */
export interface ObjectDescriptor {
  readonly $sharedctypes: 1;
  readonly kind: ObjectKind;
  readonly segment: string;
  /** The segment's random incarnation id: a later segment of the same name is never taken for it. */
  readonly incarnation: string;
  readonly offset: number;
  /** Tag of the arena block (16 hex digits): attach() refuses a block freed and reused since. */
  readonly block?: string;
  readonly type: LayoutJSON;
  readonly length?: number;
  readonly lock?: LockDescriptor;
}

/** Marks a descriptor, with the format's version as its value. */
export const DESCRIPTOR_TAG = '$sharedctypes';

/** Carries the descriptor tag of this format (its fields are checked by whoever attaches it). */
export function isDescriptor(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && (v as Record<string, unknown>)[DESCRIPTOR_TAG] === 1;
}

/** A descriptor's fields say it names a lock. */
export function isLockDescriptor(v: Record<string, unknown>): v is Record<string, unknown> & LockDescriptor {
  return (v.kind === 'Lock' || v.kind === 'RLock') && typeof v.segment === 'string' && typeof v.offset === 'number';
}

/** A descriptor's incarnation field: 16 hex digits. */
export function isIncarnation(v: unknown): v is string {
  return typeof v === 'string' && /^[0-9a-f]{16}$/.test(v);
}

/** A `block` field as a tag (16 hex digits, not all zero); ERR_INVALID_ARG_VALUE otherwise. */
export function parseBlockTag(value: unknown): bigint {
  if (typeof value !== 'string' || !/^[0-9a-f]{16}$/.test(value) || /^0+$/.test(value)) {
    throw typeError('ERR_INVALID_ARG_VALUE', `a descriptor of an unnamed object or lock needs its block tag (16 hex digits); got ${JSON.stringify(value)}`);
  }
  return BigInt(`0x${value}`);
}

/** A block tag as descriptors carry it. */
export function blockTagText(tag: bigint): string {
  return tag.toString(16).padStart(16, '0');
}

/**
 * The error for a descriptor whose segment name now holds another segment
 * (the one it named was removed): a different layout is a mismatch, the same
 * layout means the object itself is gone.
 */
export function successorError(name: string, sameLayout: boolean): SharedCtypesError {
  return sameLayout
    ? new SharedCtypesError('ERR_SHM_NOT_FOUND', `the segment '${name}' this descriptor names was removed; the name now holds a new segment`)
    : new SharedCtypesError('ERR_SHM_LAYOUT_MISMATCH', `the segment '${name}' this descriptor names was removed; the name now holds a segment of another layout`);
}
