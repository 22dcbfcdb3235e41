// A segment with a validated header: creation (exclusive), opening by name,
// closing and unlinking. Above this, nothing touches the native Segment.
import { constants as bufferConstants } from 'buffer';
import fs from 'fs';
import os from 'os';
import { codeOf, rangeError, SharedCtypesError, typeError } from '../base/errors';
import { isOwned, trackOwned, untrackOwned } from '../lifetime/owned';
import { binding, LockResult, NativeSegment, Segment } from '../base/native';
import { Header, HeaderFields, LockKindCode, planHeader, progressOf, publishHeader, readHeader, SegmentKind, writeBuilderPid, writeHeader } from './header';
import { normalizeName, randomName } from './names';

export interface CreateSegmentOptions {
  /** Exact name; created exclusively. Omitted: a random unguessable name. */
  name?: string;
  /** Permission bits, default 0o600. */
  mode?: number;
  /** Commit the memory now (default) so an oversized request fails at once. */
  reserve?: boolean;
  kind: SegmentKind;
  payloadSize: number;
  meta: Record<string, unknown>;
  /** Inline lock to create in the header area. */
  lock?: LockKindCode;
  /**
   * Unlink the segment when this process exits or dies. The name is
   * registered before the segment exists, so a death at any point of the
   * creation leaves nothing behind.
   */
  owned?: boolean;
  /**
   * Make the segment visible to attachers at once (default). false: the
   * caller fills in the contents first, then calls publish().
   */
  publish?: boolean;
}

/**
 * The largest ArrayBuffer this Node can put over shared memory: Node 20
 * refuses external buffers over 2^32 bytes, Node 22 and later take 2^53 - 1.
 */
export const MAX_SEGMENT_BYTES = bufferConstants.MAX_LENGTH;

/**
 * How long attach waits for a segment that another process is still
 * building: sized but not yet published (reserving gigabytes takes a while),
 * or still empty (its creator sizes it right after creating it, so an empty
 * segment that stays empty was abandoned, or is not ours).
 */
export const BUILD_WAIT_MS = 2000;
export const EMPTY_WAIT_MS = 100;

function tooLarge(what: string, bytes: number): RangeError {
  return rangeError(
    'ERR_SHM_TOO_LARGE',
    `${what} of ${bytes} bytes is more than this Node ${process.version} can map (${MAX_SEGMENT_BYTES} bytes in one ArrayBuffer; Node 22 and later allow 2^53 - 1)`,
  );
}

/** The native layer's ERR_SHM_NO_SPACE when /dev/shm cannot hold `bytes` (Linux), else undefined. */
function noSpaceFor(bytes: number): SharedCtypesError | undefined {
  if (process.platform !== 'linux') return undefined;
  let free: number;
  try {
    const st = fs.statfsSync('/dev/shm');
    free = st.bavail * st.bsize;
  } catch {
    return undefined;
  }
  if (bytes <= free) return undefined;
  // errno with libuv's sign, as the native layer's and Node's own errors carry it.
  return new SharedCtypesError('ERR_SHM_NO_SPACE', `cannot create segment: ${bytes} bytes do not fit the ${free} free bytes of /dev/shm (ENOSPC)`, {
    errno: -os.constants.errno.ENOSPC,
    syscall: 'statvfs',
  });
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Alive (or not ours to signal); false only when no such process exists. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return codeOf(err) !== 'ESRCH';
  }
}

function incomplete(name: string, why: string, empty = false): SharedCtypesError {
  const err = new SharedCtypesError('ERR_SHM_INCOMPLETE', `segment '${name}' ${why}; remove it with unlink('${name}')`);
  // An empty one may yet be sized by a creator that was descheduled: open-or-create tries again.
  if (empty) Object.defineProperty(err, 'empty', { value: true });
  return err;
}

/** An ERR_SHM_INCOMPLETE for a segment that was still empty (see incomplete()). */
function isEmptyIncomplete(err: unknown): boolean {
  return codeOf(err) === 'ERR_SHM_INCOMPLETE' && (err as { empty?: unknown }).empty === true;
}

/**
 * Open-or-create of a named object or lock: `create()` (exclusive); when the
 * name exists, `attachExisting()`. The creator publishes only when complete
 * and open() waits for a segment being built, so either way the caller gets
 * the whole thing. A name removed between the two (ERR_SHM_NOT_FOUND), or
 * still empty under load: create again.
 */
export function createOrAttach<T>(create: () => T, attachExisting: () => T): T {
  for (let attempt = 0; ; attempt++) {
    try {
      return create();
    } catch (err) {
      if (codeOf(err) !== 'ERR_SHM_EXISTS') throw err;
    }
    try {
      return attachExisting();
    } catch (err) {
      if ((codeOf(err) !== 'ERR_SHM_NOT_FOUND' && !isEmptyIncomplete(err)) || attempt >= 16) throw err;
    }
  }
}

export const DEFAULT_MODE = 0o600;

export function checkMode(mode: unknown): number {
  if (mode === undefined) return DEFAULT_MODE;
  if (typeof mode !== 'number') throw typeError('ERR_INVALID_ARG_TYPE', `mode must be a number, got ${typeof mode}`);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw rangeError('ERR_OUT_OF_RANGE', `mode must be an integer between 0 and 0o777, got ${mode}`);
  }
  return mode;
}

/** Checks the `ifExists` option of named objects and locks: true for open-or-create. */
export function checkIfExists(value: unknown, name: unknown): boolean {
  if (value === undefined || value === 'error') return false;
  if (value !== 'attach') throw typeError('ERR_INVALID_ARG_VALUE', `ifExists must be 'error' or 'attach', got ${JSON.stringify(value) ?? typeof value}`);
  if (name === undefined) throw typeError('ERR_INVALID_ARG_VALUE', "ifExists: 'attach' is for named objects; give a name");
  return true;
}

export class SharedSegment {
  readonly name: string;
  readonly header: Header;
  readonly #native: NativeSegment;
  #buffer: ArrayBuffer | null = null;
  #closedHere = false;

  private constructor(native: NativeSegment, header: Header) {
    this.#native = native;
    this.name = native.name;
    this.header = header;
  }

  static create(options: CreateSegmentOptions): SharedSegment {
    const mode = checkMode(options.mode);
    if (!Number.isSafeInteger(options.payloadSize) || options.payloadSize < 0) {
      throw rangeError('ERR_OUT_OF_RANGE', `payload size must be a non-negative integer, got ${options.payloadSize}`);
    }
    const lockKind = options.lock ?? LockKindCode.None;
    const fields: HeaderFields = {
      kind: options.kind,
      payloadSize: options.payloadSize,
      meta: options.meta,
      lockKind,
      lockRegionSize: lockKind === LockKindCode.None ? 0 : binding.LOCK_REGION_SIZE,
    };
    const plan = planHeader(fields);
    // Refused before anything exists: Node cannot hold a bigger ArrayBuffer.
    // (Where the memory is not there either, that is the more basic answer.)
    if (plan.totalSize > MAX_SEGMENT_BYTES) throw noSpaceFor(plan.totalSize) ?? tooLarge('a segment', plan.totalSize);
    const native = SharedSegment.#createNative(options.name, plan.totalSize, mode, options.reserve ?? true, options.owned === true);
    try {
      const buffer = native.buffer();
      writeBuilderPid(buffer);
      writeHeader(buffer, fields, plan);
      if (lockKind !== LockKindCode.None) {
        // A handle just for this: the lock objects made for the segment later take their own.
        const handle = native.lockHandle(plan.lockOffset);
        try {
          binding.lockInit(handle, lockKind === LockKindCode.RLock);
        } finally {
          binding.lockHandleFree(handle);
        }
      }
      const segment = new SharedSegment(native, readHeader(buffer, native.name, true));
      if (options.publish !== false) segment.publish();
      return segment;
    } catch (err) {
      native.close();
      Segment.unlink(native.name);
      if (options.owned === true) untrackOwned(native.name);
      throw err;
    }
  }

  static #createNative(name: string | undefined, size: number, mode: number, reserve: boolean, owned: boolean): NativeSegment {
    // 80 random bits make a clash practically impossible; retry anyway
    // rather than ever reuse a name.
    for (let attempt = 0; ; attempt++) {
      const bare = name !== undefined ? normalizeName(name) : randomName();
      // Known to the watchdog before it exists: a death inside the native
      // call (or anywhere until creation completes) still removes it. A name
      // this process owns already stays registered whatever happens here: it
      // is the owner's (this create will meet its segment: ERR_SHM_EXISTS).
      const track = owned && !isOwned(bare);
      if (track) trackOwned(bare);
      try {
        return Segment.create(bare, size, mode, reserve);
      } catch (err) {
        if (track) untrackOwned(bare);
        if (name !== undefined || codeOf(err) !== 'ERR_SHM_EXISTS' || attempt >= 4) throw err;
      }
    }
  }

  /** Makes the segment visible to attachers (see CreateSegmentOptions.publish). Idempotent. */
  publish(): void {
    publishHeader(this.buffer);
  }

  /**
   * Opens an existing segment and validates its header against the real
   * mapping size. A segment that another process is still building is waited
   * for (at most BUILD_WAIT_MS); one whose builder died is ERR_SHM_INCOMPLETE.
   * A segment owned by another user is ERR_SHM_PERMISSION unless `allowOtherOwners`.
   */
  static open(name: string, allowOtherOwners = false): SharedSegment {
    const bare = normalizeName(name);
    const started = Date.now();
    // Each look opens the name afresh: an empty file gets its size only then.
    for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
      const native = Segment.open(bare, allowOtherOwners);
      try {
        if (native.size > MAX_SEGMENT_BYTES) throw tooLarge(`segment '${bare}'`, native.size);
        const progress = progressOf(native.size === 0 ? new ArrayBuffer(0) : native.buffer());
        if (progress.state !== 'building') {
          const header = readHeader(native.buffer(), native.name);
          if (header.lockKind !== LockKindCode.None && header.lockRegionSize < binding.LOCK_REGION_SIZE) {
            throw new SharedCtypesError('ERR_SHM_BAD_HEADER', `segment '${native.name}' has an invalid header: lock region too small`);
          }
          return new SharedSegment(native, header);
        }
        if (progress.builder !== 0 && !processAlive(progress.builder)) {
          throw incomplete(bare, `was never completed: its creator (pid ${progress.builder}) died while building it`);
        }
        const waited = Date.now() - started;
        if (native.size === 0 && waited >= EMPTY_WAIT_MS) throw incomplete(bare, `is empty: its creator never sized it (or it is not a sharedctypes segment)`, true);
        if (waited >= BUILD_WAIT_MS) {
          throw incomplete(bare, `is still incomplete after ${BUILD_WAIT_MS} ms (${progress.builder === 0 ? 'creator unknown' : `being built by pid ${progress.builder}`})`);
        }
      } catch (err) {
        native.close();
        throw err;
      }
      native.close();
      sleep(pause);
    }
  }


  /** Which file this mapping is of (see native Mapping::identity). */
  get identity(): string {
    return this.#native.identity;
  }

  /** The identity of the file `name` designates now; ERR_SHM_NOT_FOUND if none. */
  static identityOf(name: string): string {
    return Segment.identity(normalizeName(name));
  }

  /** Another user owns this segment (it was opened with allowOtherOwners). */
  get otherOwner(): boolean {
    return this.#native.otherOwner;
  }

  /** Removes a name; mappings already made stay valid. */
  static unlink(name: string): void {
    const bare = normalizeName(name);
    Segment.unlink(bare);
    untrackOwned(bare); // gone: nothing left for the exit handler or the watchdog
  }

  get closed(): boolean {
    // Asked on hot paths: a JS flag spares a native accessor call. Only close()
    // closes a mapping while JS runs (the environment's cleanup hook runs after).
    return this.#closedHere;
  }

  /** The whole mapping. Throws ERR_SHM_CLOSED after close(). */
  get buffer(): ArrayBuffer {
    if (this.#buffer === null || this.#buffer.byteLength === 0) this.#buffer = this.#native.buffer();
    return this.#buffer;
  }

  /** Payload bytes (after the header). */
  payload(): Uint8Array {
    return new Uint8Array(this.buffer, this.header.headerSize, this.header.payloadSize);
  }

  /**
   * A native handle on the lock region at `offset`, for the lock functions of
   * the binding: ERR_OUT_OF_RANGE unless the region is aligned and inside the
   * segment, ERR_SHM_CLOSED after close(). The caller frees it
   * (binding.lockHandleFree) when done, or the table entry stays until the
   * thread ends.
   */
  lockHandle(offset: number): number {
    return this.#native.lockHandle(offset);
  }

  /** The inline lock, as a LockRegion of its own (free() it when done). */
  inlineLock(): LockRegion {
    if (this.header.lockKind === LockKindCode.None) {
      throw new SharedCtypesError('ERR_NO_LOCK', `segment '${this.name}' has no lock`);
    }
    return new LockRegion(this, this.header.lockOffset);
  }

  /** The lock region at any offset of this segment (free() it when done). */
  lockAt(offset: number): LockRegion {
    return new LockRegion(this, offset);
  }

  /** A separate ArrayBuffer over [offset, offset + length), detached by close(). */
  view(offset: number, length: number): ArrayBuffer {
    return this.#native.view(offset, length);
  }

  /** Detaches one ArrayBuffer made by view(), leaving the mapping. */
  static detach(view: ArrayBuffer): void {
    Segment.detach(view);
  }

  /** Unmaps in this process; views become detached. Idempotent. */
  close(): void {
    this.#buffer = null;
    this.#closedHere = true;
    this.#native.close();
  }

  /** Removes the name. Idempotent: a name already gone is not an error here. */
  unlink(): void {
    try {
      Segment.unlink(this.name);
    } catch (err) {
      if (codeOf(err) !== 'ERR_SHM_NOT_FOUND') throw err;
    }
    untrackOwned(this.name);
  }
}

/** Frees the handles of lock regions collected without free(). */
const regionHandles = new FinalizationRegistry<number>((handle) => binding.lockHandleFree(handle));

/**
 * A lock region at an offset of a segment, through one native lock handle
 * made now (so a bad place fails here, not at first use) and used by every
 * call. free() (or close()) gives the handle back; so does collection.
 */
export class LockRegion {
  readonly segment: SharedSegment;
  readonly offset: number;
  #handle: number;

  constructor(segment: SharedSegment, offset: number) {
    this.segment = segment;
    this.offset = offset;
    this.#handle = segment.lockHandle(offset);
    regionHandles.register(this, this.#handle, this);
  }

  init(recursive: boolean): void {
    binding.lockInit(this.#handle, recursive);
  }

  /** No timeout or negative: block; 0: try; > 0: wait at most that many ms. */
  lock(timeoutMs?: number): LockResult {
    return binding.lock(this.#handle, timeoutMs);
  }

  unlock(): void {
    binding.unlock(this.#handle);
  }

  locked(): boolean {
    return binding.lockLocked(this.#handle);
  }

  depth(): number {
    return binding.lockDepth(this.#handle);
  }

  /** Gives the native handle back; later calls fail (ERR_INVALID_ARG_VALUE). Idempotent. */
  free(): void {
    if (this.#handle < 0) return;
    regionHandles.unregister(this);
    binding.lockHandleFree(this.#handle);
    // -1 is never a handle: calls after free() are refused natively.
    this.#handle = -1;
  }

  /** free(), under the name the other closable objects use. */
  close(): void {
    this.free();
  }
}
