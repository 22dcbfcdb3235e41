// Shared arenas for unnamed objects: one segment holds many small objects, as
// Python's sharedctypes heap does, so 100,000 Values need a few mappings, not
// 100,000 (the kernel caps a process's mappings at vm.max_map_count).
// Only the creating process allocates, so the allocator state is plain JS.
import { untrackOwned } from '../lifetime/owned';
import { SegmentKind } from '../segment/header';
import { SharedSegment } from '../segment/segment';
import { adoptSegment, releaseSegment } from '../sharing/open-segments';
import { alignUp } from '../util/align';

/** A piece of shared memory: `size` bytes at `offset` of `segment`. */
export interface Block {
  readonly segment: SharedSegment;
  readonly offset: number;
  readonly size: number;
}

const ARENA_PAYLOAD = 1 << 20; // 1 MiB per arena
const MIN_CLASS = 16;
/** Blocks above this get a segment of their own. */
const MAX_CLASS = 64 * 1024;
const MAX_ALIGN = 64;

interface Arena {
  segment: SharedSegment;
  top: number;
  end: number;
  free: Map<number, number[]>;
}

const arenas: Arena[] = [];
const arenaOf = new Map<SharedSegment, Arena>();

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
  const arena = { segment, top: segment.header.headerSize, end: segment.header.headerSize + ARENA_PAYLOAD, free: new Map() };
  arenas.push(arena);
  arenaOf.set(segment, arena);
  return arena;
}

/** Carves `cls` bytes off the arena's unused end, or undefined if they do not fit. */
function bump(arena: Arena, cls: number, align: number): Block | undefined {
  const offset = alignUp(arena.top, align);
  if (offset + cls > arena.end) return undefined;
  arena.top = offset + cls;
  return { segment: arena.segment, offset, size: cls };
}

/** Zero-filled shared memory of at least `size` bytes, aligned to `align` (<= 64). */
export function allocate(size: number, align: number): Block {
  const need = Math.max(size, 1);
  if (need > MAX_CLASS) {
    const segment = ownedSegment(need);
    return { segment, offset: segment.header.headerSize, size: need };
  }
  const cls = sizeClass(need);
  const blockAlign = Math.min(Math.max(cls, align), MAX_ALIGN);
  for (const arena of arenas) {
    const list = arena.free.get(cls);
    if (list !== undefined && list.length > 0) {
      const offset = list.pop() as number;
      new Uint8Array(arena.segment.buffer, offset, cls).fill(0);
      return { segment: arena.segment, offset, size: cls };
    }
  }
  // Only the newest arenas can have room left at their end.
  for (let i = arenas.length - 1; i >= 0 && i >= arenas.length - 2; i--) {
    const block = bump(arenas[i], cls, blockAlign);
    if (block !== undefined) return block;
  }
  return bump(newArena(), cls, blockAlign) as Block;
}

/** Gives a block back. A block that was shared with other processes must not be freed. */
export function free(block: Block): void {
  const arena = arenaOf.get(block.segment);
  if (arena === undefined) {
    // A dedicated segment: nothing else lives in it.
    block.segment.unlink();
    releaseSegment(block.segment);
    untrackOwned(block.segment.name);
    return;
  }
  let list = arena.free.get(block.size);
  if (list === undefined) {
    list = [];
    arena.free.set(block.size, list);
  }
  list.push(block.offset);
}
