// Lock and RLock: process-shared robust locks, shareable with other processes
// by descriptor or by name. A holder's death is recovered by the next
// acquirer, who is told (ownerDied + a process warning), never silently.
import util = require('util');
import { rangeError, SharedCtypesError, typeError } from '../base/errors';
import { blockTagText, isIncarnation, LockDescriptor, successorError } from '../descriptor/descriptor';
import { allocate, Block, BlockRef, descriptorTag, dropBlock, heldHere, RECORD_SIZE, release, retainBlock } from '../memory/arena';
import { binding, LockResult } from '../base/native';
import { LockKindCode, SegmentKind } from '../segment/header';
import { checkIfExists, checkMode, createOrAttach, SharedSegment } from '../segment/segment';
import { adoptSegment, forgetName, releaseSegment, retainSegment } from '../segment/open-segments';

export interface AcquireOptions {
  /** false: try once and return at once (default true). */
  blocking?: boolean;
  /** Milliseconds to wait at most; undefined, null or negative: forever. */
  timeout?: number | null;
}

export interface LockOptions {
  /** Create the lock in its own segment under this exact name (exclusive). */
  name?: string;
  /** Permission bits of a named lock's segment, default 0o600. */
  mode?: number;
  /** A named lock that exists: `'error'` (default, ERR_SHM_EXISTS) or `'attach'` to it (open-or-create). */
  ifExists?: 'error' | 'attach';
}

/** A held lock, released at the end of a `using` scope. */
export interface LockGuard extends Disposable {
  release(): void;
}

export const OWNER_DIED_WARNING = 'SHAREDCTYPES_OWNER_DIED';

/**
 * Key of a lock's count of holds taken through it by this thread (internal).
 * A local binding, exported by name: uses of an `export const` in this module
 * would each read it back off `exports`.
 */
const HELD = Symbol('sharedctypes.held');
export { HELD };

function timeoutOf(options: AcquireOptions | undefined): number {
  if (options === undefined) return -1;
  if (typeof options !== 'object' || options === null) {
    throw typeError('ERR_INVALID_ARG_TYPE', 'acquire options must be an object like { blocking, timeout }');
  }
  for (const key of Object.keys(options)) {
    if (key !== 'blocking' && key !== 'timeout') throw typeError('ERR_INVALID_ARG_VALUE', `acquire() has no option ${JSON.stringify(key)}`);
  }
  const { blocking = true, timeout } = options;
  if (typeof blocking !== 'boolean') throw typeError('ERR_INVALID_ARG_TYPE', `blocking must be a boolean, got ${typeof blocking}`);
  if (timeout !== undefined && timeout !== null) {
    if (typeof timeout !== 'number') throw typeError('ERR_INVALID_ARG_TYPE', `timeout must be a number of milliseconds, got ${typeof timeout}`);
    if (Number.isNaN(timeout)) throw rangeError('ERR_OUT_OF_RANGE', 'timeout must not be NaN');
  }
  if (!blocking) {
    if (timeout !== undefined && timeout !== null) throw typeError('ERR_INVALID_ARG_VALUE', 'a timeout cannot be given with blocking: false');
    return 0;
  }
  if (timeout === undefined || timeout === null || timeout < 0) return -1;
  // 0 with blocking means "try once", as Python's acquire(timeout=0).
  return timeout;
}

const PLACED = Symbol('placed');

function notAFunction(): TypeError {
  return typeError('ERR_INVALID_ARG_TYPE', 'withLock() takes a function');
}

// The hot pair, read off the binding once: each call is then a direct call of a
// constant. They take the lock's handle from box[0] rather than as an argument.
const { lockAcquire, lockRelease } = binding;
const box = new Int32Array(binding.lockBox, 0, 1);
const { LOCK_MAGIC } = binding;

/**
 * What a lock collected without close() gives back: its native handle, and
 * for an unnamed lock its reference on the block; `also`: the lease of the
 * object the lock was made for. One record and one registration per lock.
 */
interface Collected {
  /** The lock's native handle; -1 when it has none (yet, or any more). */
  handle: number;
  /** The placement whose block (or block reference) to give back; null: none to give. */
  readonly p: Placement | null;
  readonly also: { readonly done: boolean; end(): void } | null;
  /** The lock was closed (its handle and block dealt with) but `also` was not done yet. */
  lockDone: boolean;
}

/**
 * The handle of the last unnamed lock closed in this thread, kept for the next
 * lock placed at the same spot: an arena hands a freed block out again first,
 * so objects and locks made and closed in turn then cost no native handle to
 * make and free each (two native calls, ~0.1-0.2 µs of a ~1.5 µs create +
 * close). One spot only, so at most one table entry (and the bookkeeping of
 * its mapping, not the memory) is held back.
 */
let spareHandle = -1;
let spareSegment: SharedSegment | null = null;
let spareOffset = -1;

/** Keeps `handle` as the spare, freeing the one it replaces. */
function keepSpare(segment: SharedSegment, offset: number, handle: number): void {
  if (spareHandle >= 0) binding.lockHandleFree(spareHandle);
  spareHandle = handle;
  spareSegment = segment;
  spareOffset = offset;
}

/** A handle for the lock region at `offset`: the spare if it is for that spot, else a new one. */
function handleFor(segment: SharedSegment, offset: number): number {
  if (spareSegment === segment && spareOffset === offset) {
    const handle = spareHandle;
    spareHandle = -1;
    spareSegment = null;
    return handle;
  }
  return segment.lockHandle(offset);
}

/** The block goes back unless a thread here holds the lock (see heldHere). */
const collected = new FinalizationRegistry<Collected>((c) => {
  if (c.handle >= 0) binding.lockHandleFree(c.handle);
  c.also?.end();
  const { p } = c;
  if (c.lockDone || p === null || heldHere(p.segment, p.offset)) return;
  if (p.block !== null) release(p.block);
  else if (p.ref !== null) dropBlock(p.ref);
});

/** Where a lock lives; only this module makes these. */
interface Placement {
  readonly [PLACED]: true;
  readonly segment: SharedSegment;
  readonly offset: number;
  readonly block: Block | null;
  /** The reference taken on another process's arena block by attaching it. */
  readonly ref: BlockRef | null;
  /** The lock holds a reference on its segment (named or attached), dropped by close(). */
  readonly ownsRef: boolean;
  /** Register the lock with the finalizer that gives its block back (companion locks are registered by companionRLock). */
  readonly finalize: boolean;
  /** A native handle already made for the lock (to init or check it), which the lock takes over; -1: none. */
  readonly handle: number;
}

function isPlacement(v: unknown): v is Placement {
  return typeof v === 'object' && v !== null && (v as { [PLACED]?: unknown })[PLACED] === true;
}

/** Common to Lock and RLock. */
export abstract class ProcessLock {
  /** True from an acquire that recovered a dead holder's lock until that hold is released. */
  ownerDied = false;
  readonly #segment: SharedSegment;
  readonly #offset: number;
  readonly #block: Block | null;
  readonly #ref: BlockRef | null;
  readonly #ownsRef: boolean;
  #closed = false;
  /** Registered with `collected`, with this record; null until there is something to give back. */
  #collected: Collected | null = null;
  /**
   * The lock's one native handle, for every call (see lock_table.h); -1: none.
   * Made with the lock when its placement needed one (creation inits the lock
   * through it, attach by descriptor checks the place with it), else on first
   * use: a lock bound to an existing region and never used (the inline lock of
   * an object attached by name, say) never makes one.
   */
  #handle = -1;
  /**
   * Holds taken through this object and not yet released, in this thread
   * (each thread has its own lock objects). Synchronized objects read it to
   * skip re-locking when their code already runs under the lock.
   */
  [HELD] = 0;

  protected constructor(kind: 'Lock' | 'RLock', options: LockOptions | Placement | undefined) {
    const p = isPlacement(options) ? options : ProcessLock.place(kind, options);
    this.#segment = p.segment;
    this.#offset = p.offset;
    this.#block = p.block;
    this.#ref = p.ref;
    this.#ownsRef = p.ownsRef;
    this.#handle = p.handle;
    if (p.finalize && (p.block !== null || p.ref !== null || p.handle >= 0)) this.#register(p, null);
  }

  #register(p: Placement | null, also: Collected['also']): void {
    this.#collected = { handle: this.#handle, p, also, lockDone: false };
    collected.register(this, this.#collected, this);
  }

  /** @internal A new unnamed RLock whose finalizer also ends `also` (the lease of the object it was made for). */
  static companion(also: NonNullable<Collected['also']>): RLock {
    const p = ProcessLock.place('RLock', undefined, false);
    const lock = new RLock(p as unknown as LockOptions);
    lock.#register(p, also);
    return lock;
  }

  abstract get kind(): 'Lock' | 'RLock';

  /** Where the lock lives (for objects that embed a reference to it). */
  get location(): { segment: SharedSegment; offset: number } {
    this.#check();
    return { segment: this.#segment, offset: this.#offset };
  }

  #check(): void {
    if (this.#closed) throw new SharedCtypesError('ERR_SHM_CLOSED', `this ${this.kind} was closed`);
  }

  /** Acquires; returns false if `blocking: false` or the timeout ran out. */
  acquire(options?: AcquireOptions): boolean {
    // The common case, blocking, by this lock's handle (see lock_table.h). A
    // closed lock, or one not used yet, has no handle. Kept small, like
    // release(): V8 inlines only so much into a caller's loop, and every cold
    // path is a call.
    if (options !== undefined || this.#handle < 0) return this.#acquireSlow(options);
    box[0] = this.#handle;
    const died = lockAcquire();
    this[HELD]++;
    if (died !== undefined) this.#ownerDied();
    return true;
  }

  #acquireSlow(options: AcquireOptions | undefined): boolean {
    this.#check();
    if (options === undefined) {
      this.#handleOf();
      return this.acquire();
    }
    const timeout = timeoutOf(options);
    const result = binding.lock(this.#handleOf(), timeout);
    if (result === LockResult.NotAcquired) return false;
    this[HELD]++;
    if (result === LockResult.OwnerDied) this.#ownerDied();
    return true;
  }

  /** The lock's handle, made now if it has none yet. Not for a closed lock (callers check). */
  #handleOf(): number {
    if (this.#handle < 0) {
      this.#handle = this.#segment.lockHandle(this.#offset);
      // The handle keeps the mapping's bookkeeping; a lock dropped without close() gives it back when collected.
      if (this.#collected !== null) this.#collected.handle = this.#handle;
      else this.#register(null, null);
    }
    return this.#handle;
  }

  #ownerDied(): void {
    this.ownerDied = true;
    process.emitWarning(
      `the previous holder of this ${this.kind} died while holding it; the data it guards may be inconsistent`,
      { code: OWNER_DIED_WARNING, type: 'SharedCtypesWarning' },
    );
  }

  /** Releases; throws ERR_LOCK_NOT_OWNER if this thread does not hold it. */
  release(): void {
    if (this.#handle < 0) return this.#releaseSlow();
    box[0] = this.#handle;
    lockRelease();
    if (this[HELD] > 0) this[HELD]--;
    if (this.ownerDied) this.#afterRelease();
  }

  /** Without a handle: closed, or never used before (then the release is refused: ERR_LOCK_NOT_OWNER). */
  #releaseSlow(): void {
    this.#check();
    binding.unlock(this.#handleOf());
    if (this[HELD] > 0) this[HELD]--;
    if (this.ownerDied) this.#afterRelease();
  }

  /** The recovered hold is over once this thread holds the lock no more. */
  #afterRelease(): void {
    if (binding.lockDepth(this.#handle) === 0) this.ownerDied = false;
  }

  /** Held by anyone (this thread included)? */
  locked(): boolean {
    this.#check();
    return binding.lockLocked(this.#handleOf());
  }

  /** Runs `fn` holding the lock; releases even if it throws. ERR_LOCK_TIMEOUT on timeout. */
  withLock<T>(fn: () => T, options?: { timeout?: number | null }): T {
    if (typeof fn !== 'function') throw notAFunction();
    if (!this.acquire(options)) throw this.#timedOut(options);
    try {
      return fn();
    } finally {
      this.release();
    }
  }

  /** Acquires and returns a guard for `using`: `using _ = lock.hold()`. */
  hold(options?: { timeout?: number | null }): LockGuard {
    if (!this.acquire(options)) throw this.#timedOut(options);
    let held = true;
    const release = (): void => {
      if (held) {
        held = false;
        this.release();
      }
    };
    return { release, [Symbol.dispose]: release };
  }

  #timedOut(options: { timeout?: number | null } | undefined): SharedCtypesError {
    return new SharedCtypesError('ERR_LOCK_TIMEOUT', `timed out after ${String(options?.timeout)} ms waiting for the ${this.kind}`);
  }

  /** Plain-JSON descriptor; `attach()` in another process gives the same lock. */
  toJSON(): LockDescriptor {
    this.#check();
    // No reference travels with it: the lock stays attachable while a process has it open.
    const tag = this.#block?.tag ?? this.#ref?.tag;
    const d = { $sharedctypes: 1, kind: this.kind, segment: this.#segment.name, incarnation: this.#segment.header.incarnation, offset: this.#offset } as const;
    return tag === undefined ? d : { ...d, block: blockTagText(tag) };
  }

  /** Stops using the lock in this process. Idempotent. */
  close(): void {
    if (this.#closed) return;
    // This process's reference on the arena block goes, unless this thread still
    // holds the lock through it (then the block stays taken until exit): the
    // block is reused once no process references it.
    const drop = !this.#segment.closed && this[HELD] === 0;
    this.#closed = true;
    if (this.#handle >= 0) {
      // A block given back is soon another lock's: its handle may serve that one.
      if (drop && this.#block !== null) keepSpare(this.#segment, this.#offset, this.#handle);
      else binding.lockHandleFree(this.#handle);
      this.#handle = -1;
    }
    const record = this.#collected;
    if (record !== null) {
      record.handle = -1;
      // A companion whose object is still open: its finalizer must still end the object's lease.
      if (record.also !== null && !record.also.done) record.lockDone = true;
      else collected.unregister(this);
    }
    if (drop) {
      if (this.#block !== null) release(this.#block);
      else if (this.#ref !== null) dropBlock(this.#ref);
    }
    if (this.#ownsRef) releaseSegment(this.#segment);
  }

  /** close(), for `using lock = new Lock()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `Lock [segment@offset] { ownerDied: false }`: no internal bookkeeping shown. */
  [util.inspect.custom](_depth: number, options: util.InspectOptionsStylized, inspect: typeof util.inspect): string {
    if (this.#closed) return `${this.kind} <closed>`;
    return `${this.kind} [${this.#segment.name}@${this.#offset}] ${inspect({ ownerDied: this.ownerDied }, options)}`;
  }

  /** Removes a named lock's name (idempotent); unnamed locks have nothing to remove. */
  unlink(): void {
    if (this.#block === null && this.#segment.header.kind === SegmentKind.Lock) {
      this.#segment.unlink();
      // attachLock(name) here must not find the removed segment's mapping again.
      forgetName(this.#segment.name, this.#segment);
    }
  }

  private static place(kind: 'Lock' | 'RLock', options: LockOptions | undefined, finalize = true): Placement {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw typeError('ERR_INVALID_ARG_TYPE', `${kind}() options must be an object`);
    }
    for (const key of Object.keys(options ?? {})) {
      if (key !== 'name' && key !== 'mode' && key !== 'ifExists') throw typeError('ERR_INVALID_ARG_VALUE', `${kind}() has no option ${JSON.stringify(key)}`);
    }
    if (options?.name !== undefined && typeof options.name !== 'string') {
      throw typeError('ERR_INVALID_ARG_TYPE', `name must be a string, got ${typeof options.name}`);
    }
    const attachIfExists = checkIfExists(options?.ifExists, options?.name);
    const recursive = kind === 'RLock';
    if (options?.name !== undefined) {
      const mode = checkMode(options.mode);
      const name = options.name;
      // A named lock is the inline lock of a segment of its own.
      const at = (segment: SharedSegment): Placement => ({ [PLACED]: true, segment, offset: segment.header.lockOffset, block: null, ref: null, ownsRef: true, finalize: false, handle: -1 });
      const create = (): Placement => {
        const segment = SharedSegment.create({
          name,
          mode,
          kind: SegmentKind.Lock,
          payloadSize: 0,
          meta: { kind },
          lock: recursive ? LockKindCode.RLock : LockKindCode.Lock,
        });
        return at(adoptSegment(segment));
      };
      if (!attachIfExists) return create();
      return createOrAttach(create, () => {
        const segment = namedLockSegment(name);
        if (segment.header.meta.kind !== kind) {
          releaseSegment(segment);
          throw new SharedCtypesError('ERR_SHM_LAYOUT_MISMATCH', `segment '${name}' holds a ${String(segment.header.meta.kind)}, not a ${kind}`);
        }
        return at(segment);
      });
    }
    if (options?.mode !== undefined) checkMode(options.mode);
    const block = allocate(binding.LOCK_REGION_SIZE, binding.LOCK_REGION_ALIGN);
    // The handle that inits the lock is the lock's own from then on.
    const handle = handleFor(block.segment, block.offset);
    try {
      binding.lockInit(handle, recursive);
    } catch (err) {
      binding.lockHandleFree(handle);
      throw err;
    }
    return { [PLACED]: true, segment: block.segment, offset: block.offset, block, ref: null, ownsRef: false, finalize, handle };
  }

  /** Rebuilds a lock from its descriptor or its segment name (another user's segment only with allowOtherOwners). */
  static attach(source: LockDescriptor | string, allowOtherOwners = false): Lock | RLock {
    if (typeof source === 'string') {
      const segment = namedLockSegment(source, allowOtherOwners);
      return lockIn(segment.header.meta.kind as 'Lock' | 'RLock', segment, segment.header.lockOffset, true);
    }
    if (!isIncarnation(source.incarnation)) throw typeError('ERR_INVALID_ARG_VALUE', 'malformed lock descriptor: no incarnation');
    const segment = retainSegment(source.segment, allowOtherOwners, source.incarnation);
    let ref: BlockRef | null = null;
    let handle = -1;
    try {
      if (segment.header.incarnation !== source.incarnation) {
        const { kind, meta } = segment.header;
        // A named lock recreated as the same kind of lock: the same layout, another lock.
        throw successorError(segment.name, kind === SegmentKind.Lock && meta.kind === source.kind);
      }
      // Making the lock's handle checks that the place is an aligned region inside the segment.
      handle = segment.lockHandle(source.offset);
      const tag = descriptorTag(source.block, segment);
      if (tag !== null) {
        // An unnamed lock: its block record is the 16 bytes before it, in the payload.
        if (source.offset < segment.header.headerSize + RECORD_SIZE || source.offset % 16 !== 0) {
          throw new SharedCtypesError('ERR_LOCK_INVALID', `no lock block at offset ${source.offset} of segment '${segment.name}'`);
        }
        ref = retainBlock(segment, source.offset, tag, true);
      }
      // ... and that a lock was initialised there, so a bad descriptor fails now, not at first use.
      if (new Uint32Array(segment.buffer, source.offset, 1)[0] !== LOCK_MAGIC) {
        throw new SharedCtypesError('ERR_LOCK_INVALID', `no initialised lock at offset ${source.offset} of segment '${segment.name}'`);
      }
    } catch (err) {
      if (handle >= 0) binding.lockHandleFree(handle);
      if (ref !== null) dropBlock(ref);
      releaseSegment(segment);
      throw err;
    }
    return new (source.kind === 'RLock' ? RLock : Lock)({ [PLACED]: true, segment, offset: source.offset, block: null, ref, ownsRef: true, finalize: true, handle } as unknown as LockOptions);
  }
}

/** The segment of a named lock, retained; ERR_SHM_LAYOUT_MISMATCH if it holds something else. */
function namedLockSegment(name: string, allowOtherOwners = false): SharedSegment {
  const segment = retainSegment(name, allowOtherOwners);
  const meta = segment.header.meta;
  if (segment.header.kind !== SegmentKind.Lock || (meta.kind !== 'Lock' && meta.kind !== 'RLock')) {
    releaseSegment(segment);
    throw new SharedCtypesError('ERR_SHM_LAYOUT_MISMATCH', `segment '${name}' does not hold a lock`);
  }
  return segment;
}

class PlainLock extends ProcessLock {
  constructor(options?: LockOptions) {
    super('Lock', options);
  }

  get kind(): 'Lock' {
    return 'Lock';
  }
}

class RecursiveLock extends ProcessLock {
  constructor(options?: LockOptions) {
    super('RLock', options);
  }

  get kind(): 'RLock' {
    return 'RLock';
  }
}

/** `Lock(opts)` and `new Lock(opts)` alike, as Python's factories are called. */
export interface LockFactory<L> {
  new (options?: LockOptions): L;
  (options?: LockOptions): L;
  readonly prototype: L;
}

function callable<L extends ProcessLock>(cls: new (options?: LockOptions) => L, name: string): LockFactory<L> {
  // Returning an object from a function called with `new` makes `new` give that object,
  // and sharing the prototype keeps `instanceof` working.
  const factory = function (options?: LockOptions): L {
    return new cls(options);
  } as unknown as LockFactory<L>;
  Object.defineProperty(factory, 'prototype', { value: cls.prototype });
  Object.defineProperty(factory, 'name', { value: name });
  Object.defineProperty(cls, 'name', { value: name });
  return factory;
}

/** A non-recursive lock: re-acquiring it in the holding thread is refused (ERR_LOCK_DEADLOCK). */
export type Lock = PlainLock;
export const Lock = callable(PlainLock, 'Lock');

/** A recursive lock: the holding thread may acquire it again; it counts. */
export type RLock = RecursiveLock;
export const RLock = callable(RecursiveLock, 'RLock');

/**
 * A Lock/RLock bound to an initialised lock region of a segment this process
 * has open. `ownsRef`: the lock's close() drops one reference on the segment.
 */
export function lockIn(kind: 'Lock' | 'RLock', segment: SharedSegment, offset: number, ownsRef: boolean): Lock | RLock {
  // Placement is module-private, so only this module can bind to existing memory.
  const placed = { [PLACED]: true, segment, offset, block: null, ref: null, ownsRef, finalize: false, handle: -1 } as unknown as LockOptions;
  return kind === 'RLock' ? new RLock(placed) : new Lock(placed);
}

/** Rebuilds a lock from its (already shape-checked) descriptor or its segment name. */
export function attachLockInternal(source: LockDescriptor | string, allowOtherOwners = false): Lock | RLock {
  return ProcessLock.attach(source, allowOtherOwners);
}

/** @internal The RLock of one synchronized object; its finalizer also ends the object's lease. */
export function companionRLock(also: { readonly done: boolean; end(): void }): RLock {
  return ProcessLock.companion(also);
}
