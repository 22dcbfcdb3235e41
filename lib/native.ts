// The only module that loads the addon. Everything native is typed here.
import path = require('path');
import load = require('node-gyp-build');

/** One mapped shared-memory segment in this thread. */
export interface NativeSegment {
  /** The mapping as an external ArrayBuffer (the same one until collected). */
  buffer(): ArrayBuffer;
  /** Detaches the ArrayBuffer, then unmaps. Idempotent. */
  close(): void;
  readonly size: number;
  readonly closed: boolean;
  readonly name: string;
}

export interface NativeSegmentClass {
  create(name: string, size: number, mode?: number, reserve?: boolean): NativeSegment;
  open(name: string): NativeSegment;
  unlink(name: string): void;
}

/** lock() results. */
export enum LockResult {
  Acquired = 0,
  OwnerDied = 1,
  NotAcquired = 2,
}

/** This thread's handle on a lock region inside a segment. */
export interface NativeLockHandle {
  init(recursive: boolean): void;
  /** No argument or negative: block; 0: try; > 0: wait at most that many ms. */
  lock(timeoutMs?: number): LockResult;
  unlock(): void;
  locked(): boolean;
  /** Recursion depth held by this thread (0 when not the holder). */
  depth(): number;
}

export interface NativeLockClass {
  new (segment: NativeSegment, offset: number): NativeLockHandle;
  readonly REGION_SIZE: number;
  readonly REGION_ALIGN: number;
  readonly ROBUST: boolean;
}

interface NativeBinding {
  Segment: NativeSegmentClass;
  NativeLock: NativeLockClass;
}

function isBinding(value: unknown): value is NativeBinding {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.Segment === 'function' && typeof v.NativeLock === 'function';
}

const loaded: unknown = load(path.join(__dirname, '..'));
if (!isBinding(loaded)) throw new Error('sharedctypes: the native addon does not have the expected shape');

export const binding: NativeBinding = loaded;
export const Segment = binding.Segment;
export const NativeLock = binding.NativeLock;
