// Shared arenas for unnamed objects: one segment holds many small objects, as
// Python's sharedctypes heap does, so 100,000 Values need a few mappings, not
// 100,000 (the kernel caps a process's mappings at vm.max_map_count).
// Only the creating process allocates, so the allocator state is plain JS.
//
// Every block has a 16-byte record in shared memory just before it (see
// docs/segment-format.md, "Block record"): a random tag while allocated and a
// count of the processes' references. The creator holds one from allocation;
// attach() takes one only if the tag still matches, close() drops it, and the
// creator reuses the block once the count is 0. So a block handed to other
// processes is reused once everyone is done with it, and a descriptor of a
// freed block never binds to the next object in the same bytes.
import { randomFillSync } from 'crypto';
import { rangeError, SharedCtypesError, typeError } from '../base/errors';
import { untrackOwned } from '../lifetime/owned';
import { parseBlockTag } from '../descriptor/descriptor';
import { SegmentKind } from '../segment/header';
import { SharedSegment } from '../segment/segment';
import { adoptSegment, releaseSegment } from '../segment/open-segments';
import { alignUp } from '../base/align';

/** A piece of shared memory this process allocated: `size` bytes at `offset` of `segment`. */
export class Block {
  constructor(
    readonly segment: SharedSegment,
    readonly offset: number,
    readonly size: number,
    /** The segment's words, for the record. */
    readonly u32: Uint32Array,
    /** The tag's halves (see stamp()). */
    readonly tagLo: number,
    readonly tagHi: number,
  ) {}

  /** The block's tag while this allocation lasts (in its record, and in descriptors). */
  get tag(): bigint {
    return (BigInt(this.tagHi) << 32n) | BigInt(this.tagLo);
  }
}

/** A reference this process took on another allocation's block by attaching it. */
export interface BlockRef {
  readonly segment: SharedSegment;
  readonly offset: number;
  readonly tag: bigint;
  /** The block is a lock region: see heldHere(). */
  readonly lock: boolean;
  live: boolean;
}

/** Bytes of the record before each block: u64 tag, u32 reference count, u32 reserved. */
export const RECORD_SIZE = 16;
const TAG_AT = -16;
const REFS_AT = -8;
// Word indexes relative to the block's, in a Uint32Array (little-endian u64: low half first).
const TAG_LO_W = -4;
const TAG_HI_W = -3;
const REFS_W = -2;

const ARENA_PAYLOAD = 1 << 20; // 1 MiB per arena
const MIN_CLASS = 16;
/** Blocks above this get a segment of their own. */
const MAX_CLASS = 64 * 1024;
const MAX_ALIGN = 64;
/** Released blocks still referenced elsewhere, looked at per allocation. */
const POLL_PER_ALLOCATION = 4;

interface Words {
  u32: Uint32Array;
  u64: BigUint64Array;
}

interface Arena {
  segment: SharedSegment;
  top: number;
  end: number;
  free: Map<number, number[]>;
  words: Words;
}

const arenas: Arena[] = [];
const arenaOf = new Map<SharedSegment, Arena>();
/** Segments of one big block each. */
const dedicated = new Set<SharedSegment>();
/** Blocks this process released while other processes still held references. */
const pending: Block[] = [];
let pollAt = 0;
/** References this process took by attaching; dropped at exit if not closed. */
const attached = new Set<BlockRef>();
let exitHookSet = false;

// Word views of every segment whose records this process touches. A closed
// segment's buffer is detached, so its views are made again if it is reopened.
const wordsOf = new WeakMap<SharedSegment, Words>();

function words(segment: SharedSegment): Words {
  let w = wordsOf.get(segment);
  if (w === undefined || w.u32.length === 0) {
    const buf = segment.buffer;
    w = { u32: new Uint32Array(buf, 0, buf.byteLength >>> 2), u64: new BigUint64Array(buf, 0, Math.floor(buf.byteLength / 8)) };
    wordsOf.set(segment, w);
  }
  return w;
}

// Tags: a random high half per process (a new one each 2^32 - 1 tags) and a
// counting low half, so no tag this process makes repeats, and neither half is 0.
let tagHi = 0;
let tagLo = 0xffffffff;

function randomHalf(): number {
  const half = new Uint32Array(1);
  do randomFillSync(half);
  while (half[0] === 0);
  return half[0];
}

/**
 * Starts an allocation: a new tag, then the creator's reference. The tag is
 * written as two 32-bit halves (no BigInt on this path). Both halves are
 * non-zero and a tag is only ever written over 0 (and cleared to 0), so a
 * reader's 64-bit load that sees one half written and not the other has a zero
 * half and matches no tag.
 */
function stamp(u32: Uint32Array, segment: SharedSegment, offset: number, size: number): Block {
  if (tagLo === 0xffffffff) {
    tagHi = randomHalf();
    tagLo = 0;
  }
  const lo = ++tagLo;
  const hi = tagHi;
  // Plain stores (Atomics on a non-shared buffer is a builtin call each): the
  // block is free, so an attacher fails on the count (0) or the tag whichever
  // of these it sees first; the new tag reaches other processes only in a
  // descriptor, after these stores.
  const w = offset / 4;
  u32[w + TAG_LO_W] = lo;
  u32[w + TAG_HI_W] = hi;
  u32[w + REFS_W] = 1;
  return new Block(segment, offset, size, u32, lo, hi);
}

function sizeClass(size: number): number {
  let cls = MIN_CLASS;
  while (cls < size) cls *= 2;
  return cls;
}

/** A new unnamed segment owned by this process (unlinked when it exits or dies). */
function ownedSegment(payloadSize: number): SharedSegment {
  const segment = SharedSegment.create({ kind: SegmentKind.Arena, payloadSize, meta: { kind: 'arena' }, owned: true });
  // The creator keeps its reference for its whole life.
  return adoptSegment(segment);
}

function newArena(): Arena {
  const segment = ownedSegment(ARENA_PAYLOAD);
  const start = segment.header.headerSize;
  const arena = { segment, top: start, end: start + ARENA_PAYLOAD, free: new Map(), words: words(segment) };
  arenas.push(arena);
  arenaOf.set(segment, arena);
  return arena;
}

/** Carves a record and `cls` bytes off the arena's unused end, or undefined if they do not fit. */
function bump(arena: Arena, cls: number, align: number): Block | undefined {
  const offset = alignUp(arena.top + RECORD_SIZE, align);
  if (offset + cls > arena.end) return undefined;
  arena.top = offset + cls;
  return stamp(arena.words.u32, arena.segment, offset, cls);
}

/** Zero-filled shared memory of at least `size` bytes, aligned to `align` (<= 64). */
export function allocate(size: number, align: number): Block {
  if (pending.length > 0) poll(POLL_PER_ALLOCATION);
  const need = Math.max(size, 1);
  if (need > MAX_CLASS) {
    if (pending.length > 0) poll(pending.length);
    // The record goes in the first 64 bytes, the block after them (aligned to 64).
    const segment = ownedSegment(need + MAX_ALIGN);
    dedicated.add(segment);
    return stamp(words(segment).u32, segment, segment.header.headerSize + MAX_ALIGN, need);
  }
  const cls = sizeClass(need);
  const blockAlign = Math.min(Math.max(cls, align), MAX_ALIGN);
  const listed = fromList(cls);
  if (listed !== undefined) return listed;
  // Only the newest arenas can have room left at their end.
  for (let i = arenas.length - 1; i >= 0 && i >= arenas.length - 2; i--) {
    const block = bump(arenas[i], cls, blockAlign);
    if (block !== undefined) return block;
  }
  // Before growing, take back every block whose other users are all gone.
  if (pending.length > 0) {
    poll(pending.length);
    const again = fromList(cls);
    if (again !== undefined) return again;
  }
  return bump(newArena(), cls, blockAlign) as Block;
}

/** A freed block of class `cls`, zeroed, or undefined. */
function fromList(cls: number): Block | undefined {
  for (const arena of arenas) {
    const list = arena.free.get(cls);
    if (list !== undefined && list.length > 0) {
      const offset = list.pop() as number;
      new Uint8Array(arena.segment.buffer, offset, cls).fill(0);
      return stamp(arena.words.u32, arena.segment, offset, cls);
    }
  }
  return undefined;
}

/** The block is nobody's any more: clear its tag and make it reusable. */
function reclaim(block: Block): void {
  const arena = arenaOf.get(block.segment);
  if (arena === undefined) {
    // A dedicated segment: nothing else lives in it.
    dedicated.delete(block.segment);
    block.segment.unlink();
    releaseSegment(block.segment);
    untrackOwned(block.segment.name);
    return;
  }
  // The count is 0 and stays 0: attachers fail on it whatever they see of the tag.
  const w = block.offset / 4;
  block.u32[w + TAG_HI_W] = 0;
  block.u32[w + TAG_LO_W] = 0;
  let list = arena.free.get(block.size);
  if (list === undefined) {
    list = [];
    arena.free.set(block.size, list);
  }
  list.push(block.offset);
}

/** Looks at up to `n` pending blocks (round robin) and reclaims those nobody references. */
function poll(n: number): void {
  for (let seen = 0; seen < n && pending.length > 0; seen++) {
    if (pollAt >= pending.length) pollAt = 0;
    const block = pending[pollAt];
    if (block.segment.closed || Atomics.load(block.u32, block.offset / 4 + REFS_W) === 0) {
      // Swap-remove; the block moved into this slot is looked at next.
      pending[pollAt] = pending[pending.length - 1];
      pending.pop();
      if (!block.segment.closed) reclaim(block);
    } else {
      pollAt++;
    }
  }
}

/**
 * The creator is done with a block it allocated: drops its reference, and the
 * block is reused at once if nobody else holds one, or once they all dropped theirs.
 */
export function release(block: Block): void {
  if (block.segment.closed) return;
  if (Atomics.sub(block.u32, block.offset / 4 + REFS_W, 1) === 1) reclaim(block);
  else pending.push(block);
}

/** @internal Blocks released here but still referenced elsewhere (tests). */
export function pendingBlocks(): number {
  return pending.length;
}

/** @internal Bytes of arena segments this process created, dedicated ones included (tests). */
export function arenaBytes(): number {
  let total = 0;
  for (const arena of arenas) total += arena.segment.header.totalSize;
  for (const segment of dedicated) total += segment.header.totalSize;
  return total;
}

function freedError(segment: SharedSegment, offset: number): SharedCtypesError {
  return new SharedCtypesError('ERR_SHM_NOT_FOUND', `the object at offset ${offset} of segment '${segment.name}' was freed (every process closed it)`);
}

/**
 * The tag a descriptor names (its `block` field), for a place in `segment`:
 * required in arenas, refused elsewhere (named segments hold one object or lock for life).
 */
export function descriptorTag(value: unknown, segment: SharedSegment): bigint | null {
  if (segment.header.kind !== SegmentKind.Arena) {
    if (value !== undefined) throw typeError('ERR_INVALID_ARG_VALUE', `segment '${segment.name}' is not an arena: its descriptor has no block`);
    return null;
  }
  return parseBlockTag(value);
}

/**
 * Takes a reference on the block at `offset` if it still holds the allocation
 * tagged `tag`; ERR_SHM_NOT_FOUND if that allocation was freed. The caller has
 * checked that the record lies inside the segment's payload.
 */
export function retainBlock(segment: SharedSegment, offset: number, tag: bigint, lock: boolean): BlockRef {
  const { u32, u64 } = words(segment);
  const ri = (offset + REFS_AT) / 4;
  const ti = (offset + TAG_AT) / 8;
  for (;;) {
    const refs = Atomics.load(u32, ri);
    // Never from 0: a count that reached 0 stays there until the creator reuses the block.
    if (refs === 0 || Atomics.load(u64, ti) !== tag) throw freedError(segment, offset);
    if (refs === 0xffffffff) throw rangeError('ERR_OUT_OF_RANGE', `too many references to the object at offset ${offset} of segment '${segment.name}'`);
    if (Atomics.compareExchange(u32, ri, refs, refs + 1) === refs) break;
  }
  // Between the look and the exchange the block may have been freed and reused
  // with the same count: then the tag differs now, and the reference goes back.
  if (Atomics.load(u64, ti) !== tag) {
    Atomics.sub(u32, ri, 1);
    throw freedError(segment, offset);
  }
  const ref: BlockRef = { segment, offset, tag, lock, live: true };
  attached.add(ref);
  if (!exitHookSet) {
    exitHookSet = true;
    process.on('exit', dropAllAtExit);
  }
  return ref;
}

/** Drops a reference taken by retainBlock(). Idempotent. */
export function dropBlock(ref: BlockRef): void {
  if (!ref.live) return;
  ref.live = false;
  attached.delete(ref);
  if (!ref.segment.closed) Atomics.sub(words(ref.segment).u32, (ref.offset + REFS_AT) / 4, 1);
}

/** @internal References this process holds by attaching (tests). */
export function attachedBlocks(): number {
  return attached.size;
}

/** Offset of the holder word, `(pid << 32) | thread id`, in a lock region (docs/segment-format.md). */
const LOCK_HOLDER_AT = 16;

/**
 * A thread of this process holds the lock at `offset`. Such a block must not be
 * reused while this process lives: the OS lock is on the holding thread's
 * robust list, and the kernel writes to it when that thread ends.
 */
export function heldHere(segment: SharedSegment, offset: number): boolean {
  if (segment.closed) return false;
  return Number(Atomics.load(words(segment).u64, (offset + LOCK_HOLDER_AT) / 8) >> 32n) === process.pid;
}

function dropAllAtExit(): void {
  for (const ref of [...attached]) {
    try {
      // A lock still held here keeps its block until the creator exits.
      if (!(ref.lock && heldHere(ref.segment, ref.offset))) dropBlock(ref);
    } catch {
      // Nothing can be acted on while exiting.
    }
  }
}
