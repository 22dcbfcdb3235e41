// Looking at arenas from outside, as another program could: where an object
// lives (its descriptor), its block record in /dev/shm (docs/segment-format.md,
// "Block record"), and the generated segments this process created.
import fs from 'fs';
import type { LockDescriptor, ObjectDescriptor } from '../../dist/index';
import { exitOf, Peer } from './processes';
import { GENERATED } from './names';

export interface Closable {
  toJSON(): ObjectDescriptor | LockDescriptor;
  close(): void;
}

/** Where an object or lock lives: segment and offset. */
export const placeOf = (obj: Closable): string => {
  const d = obj.toJSON();
  return `${d.segment}@${d.offset}`;
};

/** The 16-byte block record before `d`'s bytes, read from /dev/shm as a C program would. */
export function record(d: { segment: string; offset: number }): { tag: string; refs: number } {
  const buf = Buffer.alloc(16);
  const fd = fs.openSync(`/dev/shm/${d.segment}`, 'r');
  try {
    fs.readSync(fd, buf, 0, 16, d.offset - 16);
  } finally {
    fs.closeSync(fd);
  }
  return { tag: buf.readBigUInt64LE(0).toString(16).padStart(16, '0'), refs: buf.readUInt32LE(8) };
}

/**
 * The generated segments (the run prefix + 16 base32) in /dev/shm whose header
 * names this process as creator, with their sizes: its arenas and dedicated segments.
 */
export function ourSegments(): Map<string, number> {
  const ours = new Map<string, number>();
  for (const name of fs.readdirSync('/dev/shm')) {
    if (!GENERATED.test(name)) continue;
    try {
      const fd = fs.openSync(`/dev/shm/${name}`, 'r');
      try {
        const head = Buffer.alloc(52);
        if (fs.readSync(fd, head, 0, 52, 0) === 52 && head.readUInt32LE(48) === process.pid) ours.set(name, fs.fstatSync(fd).size);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // gone meanwhile
    }
  }
  return ours;
}

/** Bytes of this process's generated segments in /dev/shm. */
export function ourBytes(): number {
  let total = 0;
  for (const size of ourSegments().values()) total += size;
  return total;
}

/**
 * Makes objects (keeping them open) until one lands at `place`, or one lands
 * in a segment this process had not made before (the arenas had to grow:
 * every free block of that size was handed out); closes them all.
 */
export function landsOn(place: string, make: () => Closable, limit = 100000): boolean {
  const made: Closable[] = [];
  const existing = ourSegments();
  try {
    for (let i = 0; i < limit; i++) {
      const obj = make();
      made.push(obj);
      if (placeOf(obj) === place) return true;
      if (!existing.has(obj.toJSON().segment)) return false;
    }
    return false;
  } finally {
    for (const obj of made) obj.close();
  }
}

/** Tells a peer to exit, and checks that it did, cleanly. */
export async function quit(peer: Peer): Promise<void> {
  peer.send({ type: 'exit' });
  expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
}
