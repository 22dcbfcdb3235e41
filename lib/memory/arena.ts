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
import { SharedCtypesError, typeError } from '../errors';
import { trackOwned, untrackOwned } from '../lifetime/owned';
import { SegmentKind } from '../segment/header';
import { SharedSegment } from '../segment/segment';
import { adoptSegment, releaseSegment } from '../sharing/open-segments';
import { alignUp } from '../util/align';

/** A piece of shared memory this process allocated: `size` bytes at `offset` of `segment`. */
export interface Block {
  readonly segment: SharedSegment;
  readonly offset: number;
  readonly size: number;
  /** The block's tag while this allocation lasts (in its record, and in descriptors). */
  readonly tag: bigint;
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

// Tags come from a pool of random words: one randomFillSync per 256 blocks.
const tagPool = new BigUint64Array(256);
let tagNext = tagPool.length;

function freshTag(): bigint {
  for (;;) {
    if (tagNext === tagPool.length) {
      randomFillSync(tagPool);
      tagNext = 0;
    }
    const tag = tagPool[tagNext++];
    if (tag !== 0n) return tag; // 0 means "free"
  }
}

/** Starts an allocation: a new tag, then the creator's reference. */
function stamp(w: Words, segment: SharedSegment, offset: number, size: number): Block {
  const tag = freshTag();
  Atomics.store(w.u64, (offset + TAG_AT) / 8, tag);
  Atomics.store(w.u32, (offset + REFS_AT) / 4, 1);
  return { segment, offset, size, tag };
}

function sizeClass(size: number): number {
  let cls = MIN_CLASS;
  while (cls < size) cls *= 2;
  return cls;
}

/** A new unnamed segment owned by this process (unlinked when it exits or dies). */
function ownedSegment(payloadSize: number): SharedSegment {
  const segment = SharedSegment.create({ kind: SegmentKind.Arena, payloadSize, meta: { kind: 'arena' } });
  trackOwned(segment.name);
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
  return stamp(arena.words, arena.segment, offset, cls);
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
    return stamp(words(segment), segment, segment.header.headerSize + MAX_ALIGN, need);
  }
  const cls = sizeClass(need);
  const blockAlign = Math.min(Math.max(cls, align), MAX_ALIGN);
  const fromList = (): Block | undefined => {
    for (const arena of arenas) {
      const list = arena.free.get(cls);
      if (list !== undefined && list.length > 0) {
        const offset = list.pop() as number;
        new Uint8Array(arena.segment.buffer, offset, cls).fill(0);
        return stamp(arena.words, arena.segment, offset, cls);
      }
    }
    return undefined;
  };
  const listed = fromList();
  if (listed !== undefined) return listed;
  // Only the newest arenas can have room left at their end.
  for (let i = arenas.length - 1; i >= 0 && i >= arenas.length - 2; i--) {
    const block = bump(arenas[i], cls, blockAlign);
    if (block !== undefined) return block;
  }
  // Before growing, take back every block whose other users are all gone.
  if (pending.length > 0) {
    poll(pending.length);
    const again = fromList();
    if (again !== undefined) return again;
  }
  return bump(newArena(), cls, blockAlign) as Block;
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
  Atomics.store(arena.words.u64, (block.offset + TAG_AT) / 8, 0n);
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
    if (block.segment.closed || Atomics.load(words(block.segment).u32, (block.offset + REFS_AT) / 4) === 0) {
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
  if (Atomics.sub(words(block.segment).u32, (block.offset + REFS_AT) / 4, 1) === 1) reclaim(block);
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
  if (typeof value !== 'string' || !/^[0-9a-f]{16}$/.test(value) || /^0+$/.test(value)) {
    throw typeError('ERR_INVALID_ARG_VALUE', `a descriptor of an unnamed object or lock needs its block tag (16 hex digits); got ${JSON.stringify(value)}`);
  }
  return BigInt(`0x${value}`);
}

/** A tag as descriptors carry it. */
export function tagText(tag: bigint): string {
  return tag.toString(16).padStart(16, '0');
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
    if (refs === 0xffffffff) throw new SharedCtypesError('ERR_OUT_OF_RANGE', `too many references to the object at offset ${offset} of segment '${segment.name}'`);
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
