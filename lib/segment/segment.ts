// A segment with a validated header: creation (exclusive), opening by name,
// closing and unlinking. Above this, nothing touches the native Segment.
import { codeOf, rangeError, SharedCtypesError, typeError } from '../errors';
import { binding, LockResult, NativeSegment, Segment } from '../native';
import { Header, HeaderFields, LockKindCode, planHeader, readHeader, SegmentKind, writeHeader } from './header';
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

export class SharedSegment {
  readonly name: string;
  readonly header: Header;
  readonly #native: NativeSegment;
  #buffer: ArrayBuffer | null = null;
  #id: number | undefined;
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
    if (!Number.isSafeInteger(plan.totalSize)) {
      throw rangeError('ERR_OUT_OF_RANGE', `segment size ${plan.totalSize} is too large`);
    }
    const native = SharedSegment.#createNative(options.name, plan.totalSize, mode, options.reserve ?? true);
    try {
      const buffer = native.buffer();
      writeHeader(buffer, fields, plan);
      if (lockKind !== LockKindCode.None) {
        binding.lockInit(native.id, plan.lockOffset, lockKind === LockKindCode.RLock);
      }
      return new SharedSegment(native, readHeader(buffer, native.name));
    } catch (err) {
      native.close();
      Segment.unlink(native.name);
      throw err;
    }
  }

  static #createNative(name: string | undefined, size: number, mode: number, reserve: boolean): NativeSegment {
    if (name !== undefined) return Segment.create(normalizeName(name), size, mode, reserve);
    // 80 random bits make a clash practically impossible; retry anyway
    // rather than ever reuse a name.
    for (let attempt = 0; ; attempt++) {
      try {
        return Segment.create(randomName(), size, mode, reserve);
      } catch (err) {
        if (codeOf(err) !== 'ERR_SHM_EXISTS' || attempt >= 4) throw err;
      }
    }
  }

  /**
   * Opens an existing segment and validates its header against the real
   * mapping size. A segment owned by another user is ERR_SHM_PERMISSION
   * unless `allowOtherOwners`.
   */
  static open(name: string, allowOtherOwners = false): SharedSegment {
    const native = Segment.open(normalizeName(name), allowOtherOwners);
    try {
      const header = readHeader(native.buffer(), native.name);
      if (header.lockKind !== LockKindCode.None && header.lockRegionSize < binding.LOCK_REGION_SIZE) {
        throw new SharedCtypesError('ERR_SHM_BAD_HEADER', `segment '${native.name}' has an invalid header: lock region too small`);
      }
      return new SharedSegment(native, header);
    } catch (err) {
      native.close();
      throw err;
    }
  }

  /** Another user owns this segment (it was opened with allowOtherOwners). */
  get otherOwner(): boolean {
    return this.#native.otherOwner;
  }

  /** Removes a name; mappings already made stay valid. */
  static unlink(name: string): void {
    Segment.unlink(normalizeName(name));
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

  /** Id of the segment for the native lock functions. */
  get id(): number {
    // Fixed for the life of the mapping; the native accessor costs ~100 ns.
    if (this.#id === undefined) this.#id = this.#native.id;
    return this.#id;
  }

  /** A handle on the inline lock. */
  inlineLock(): LockRegion {
    if (this.header.lockKind === LockKindCode.None) {
      throw new SharedCtypesError('ERR_NO_LOCK', `segment '${this.name}' has no lock`);
    }
    return new LockRegion(this, this.header.lockOffset);
  }

  /** A handle on a lock region at any offset of this segment. */
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
  }
}

/**
 * A lock region at an offset of a segment. Holds the segment so its id stays
 * valid; every call goes straight to the native lock functions.
 */
export class LockRegion {
  readonly segment: SharedSegment;
  readonly offset: number;
  readonly #id: number;

  constructor(segment: SharedSegment, offset: number) {
    this.segment = segment;
    this.offset = offset;
    this.#id = segment.id;
    // Validate the place now rather than on first use.
    binding.lockDepth(this.#id, offset);
  }

  init(recursive: boolean): void {
    binding.lockInit(this.#id, this.offset, recursive);
  }

  /** No timeout or negative: block; 0: try; > 0: wait at most that many ms. */
  lock(timeoutMs?: number): LockResult {
    return binding.lock(this.#id, this.offset, timeoutMs);
  }

  unlock(): void {
    binding.unlock(this.#id, this.offset);
  }

  locked(): boolean {
    return binding.lockLocked(this.#id, this.offset);
  }

  depth(): number {
    return binding.lockDepth(this.#id, this.offset);
  }
}
