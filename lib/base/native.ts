// The only module that loads the addon. Everything native is typed here.
import path = require('path');
import load = require('node-gyp-build');
import { SharedCtypesError } from './errors';

/** One mapped shared-memory segment in this thread. */
export interface NativeSegment {
  /** The mapping as an external ArrayBuffer (the same one until collected). */
  buffer(): ArrayBuffer;
  /** Detaches the ArrayBuffer, then unmaps. Idempotent. */
  close(): void;
  readonly size: number;
  readonly closed: boolean;
  readonly name: string;
  /** Which file the name designated when mapped ("dev:ino"; '' on Windows, where it cannot change). */
  readonly identity: string;
  /** Opened with allowOtherOwners, and another user owns it (POSIX). */
  readonly otherOwner: boolean;
  /** A separate ArrayBuffer over part of the segment, detached on close(). */
  view(offset: number, length: number): ArrayBuffer;
  /**
   * A handle on the lock region at `offset`, for every lock function below:
   * ERR_OUT_OF_RANGE unless `offset` is a non-negative multiple of
   * LOCK_REGION_ALIGN with the region inside the mapping, ERR_SHM_CLOSED after
   * close(). It keeps the mapping's bookkeeping (not the memory: calls after
   * close() are ERR_SHM_CLOSED) until lockHandleFree().
   */
  lockHandle(offset: number): number;
}

export interface NativeSegmentClass {
  create(name: string, size: number, mode?: number, reserve?: boolean): NativeSegment;
  /** ERR_SHM_PERMISSION for a segment another user owns, unless allowOtherOwners. */
  open(name: string, allowOtherOwners?: boolean): NativeSegment;
  unlink(name: string): void;
  /** The identity of the file `name` designates now (as NativeSegment.identity). */
  identity(name: string): string;
  /** Detaches one ArrayBuffer made by view(). */
  detach(buffer: ArrayBuffer): void;
}

declare const lockResult: unique symbol;
/** A lock() result code, as the native side defines it (see LockResult). */
type LockResultCode<K extends string> = number & { readonly [lockResult]: K };
export type LockAcquired = LockResultCode<'Acquired'>;
export type LockOwnerDied = LockResultCode<'OwnerDied'>;
export type LockNotAcquired = LockResultCode<'NotAcquired'>;
/** What lock() returns: acquired, acquired after the holder's death, not acquired. */
export type LockResult = LockAcquired | LockOwnerDied | LockNotAcquired;

/**
 * Every lock function names its lock by a handle from
 * NativeSegment.lockHandle(): one small integer, the cheapest argument there
 * is, resolved by one table lookup. A handle of a freed or unknown lock is
 * ERR_INVALID_ARG_VALUE; of a closed segment, ERR_SHM_CLOSED.
 */
interface NativeBinding {
  Segment: NativeSegmentClass;
  lockInit(handle: number, recursive: boolean): void;
  /** No timeout or negative: block; 0: try; > 0: wait at most that many ms. */
  lock(handle: number, timeoutMs?: number): LockResult;
  unlock(handle: number): void;
  lockLocked(handle: number): boolean;
  /** Recursion depth held by this thread (0 when not the holder). */
  lockDepth(handle: number): number;
  /**
   * Where the next lockAcquire()/lockRelease() finds its lock handle (Int32
   * slot 0): those two take no arguments, as decoding one costs more than the
   * lock itself. Write the slot immediately before each call.
   */
  readonly lockBox: ArrayBuffer;
  /** Blocks; undefined, or LOCK_OWNER_DIED when a dead holder's lock was recovered. */
  lockAcquire(): LockOwnerDied | undefined;
  lockRelease(): void;
  /** Forgets the handle (idempotent; anything but a live handle is ignored). */
  lockHandleFree(handle: number): void;
  /**
   * Sets elements [from, to) of `array` to pattern[0] (a typed array of the
   * same type); false, touching nothing, when that range is not inside it.
   */
  fillRange(array: ArrayBufferView, from: number, to: number, pattern: ArrayBufferView): boolean;
  /**
   * Marks `name` as owned by the calling thread (unlinked when it ends, and by
   * the process's watchdog if the process dies). Starts the watchdog from
   * `helper` if none runs. Returns its pid; 0 if no helper can run (the caller
   * falls back to another watchdog); -1 where none is needed (Windows).
   */
  ownedTrack(name: string, helper: string): number;
  ownedUntrack(name: string): void;
  /** Some thread of this process tracks `name`. */
  ownedHas(name: string): boolean;
  /** The names the calling thread tracks. */
  ownedNames(): string[];
  /** The process's watchdog pid, 0 if none. */
  ownedWatchdog(): number;
  /** Its registry file, '' if none. */
  ownedRegistry(): string;
  /** The main thread's exit: unlinks its names; retires the watchdog once no thread owns any. */
  ownedExit(): void;
  /** The 8 bytes every segment starts with (latin1), as the watchdog checks them. */
  readonly SEGMENT_MAGIC: string;
  /** Where the header keeps its creator's pid (u32 LE), read by the watchdog. */
  readonly HEADER_CREATOR_PID_OFFSET: number;
  /**
   * The classes native errors are made of from now on in this environment:
   * library failures `new SharedCtypesError(code, message, { errno, syscall })`,
   * bad arguments `new TypeError(message)` / `new RangeError(message)` with a
   * `code`. Before the call they are plain Errors carrying the code.
   */
  setErrorClasses(library: typeof SharedCtypesError, type: TypeErrorConstructor, range: RangeErrorConstructor): void;
  /** Longest segment name in bytes, without the leading slash, on this platform. */
  readonly MAX_NAME_BYTES: number;
  // Constants defined by the native side, the one place they are spelled.
  readonly LOCK_REGION_SIZE: number;
  readonly LOCK_REGION_ALIGN: number;
  /** First word of an initialised lock region ("SCTL" in memory; see docs/segment-format.md). */
  readonly LOCK_MAGIC: number;
  readonly LOCK_ACQUIRED: LockAcquired;
  readonly LOCK_OWNER_DIED: LockOwnerDied;
  readonly LOCK_NOT_ACQUIRED: LockNotAcquired;
  readonly ROBUST_LOCKS: boolean;
}

function isBinding(value: unknown): value is NativeBinding {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const codes = [v.LOCK_ACQUIRED, v.LOCK_OWNER_DIED, v.LOCK_NOT_ACQUIRED];
  return (
    typeof v.Segment === 'function' && typeof v.lock === 'function' && typeof v.unlock === 'function' && typeof v.lockAcquire === 'function' && v.lockBox instanceof ArrayBuffer && typeof v.ownedTrack === 'function' && typeof v.setErrorClasses === 'function' && typeof v.MAX_NAME_BYTES === 'number' &&
    [v.LOCK_REGION_SIZE, v.LOCK_REGION_ALIGN, v.LOCK_MAGIC, ...codes].every(Number.isInteger) && new Set(codes).size === codes.length
  );
}

const root = path.join(__dirname, '..', '..');
const loaded: unknown = load(root);
if (!isBinding(loaded)) throw new SharedCtypesError('ERR_SHM_SYSTEM', 'sharedctypes: the native addon does not have the expected shape (a stale build?)');

export const binding: NativeBinding = loaded;
// Native errors from now on are this realm's classes: the same class and
// code for a cause whether TypeScript or the addon reports it. (This realm's:
// jest runs each test file in its own, with its own TypeError.)
binding.setErrorClasses(SharedCtypesError, TypeError, RangeError);
export const Segment = binding.Segment;

/** lock() results, by name; the values are the native side's. */
export const LockResult: { readonly Acquired: LockAcquired; readonly OwnerDied: LockOwnerDied; readonly NotAcquired: LockNotAcquired } = Object.freeze({
  Acquired: binding.LOCK_ACQUIRED,
  OwnerDied: binding.LOCK_OWNER_DIED,
  NotAcquired: binding.LOCK_NOT_ACQUIRED,
});

/** The folder of the loaded addon (build/Release or prebuilds/<platform>-<arch>), where its helpers are. */
export function addonDir(): string {
  return path.dirname(load.resolve(root));
}
