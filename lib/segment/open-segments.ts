// This process's open segments by name, reference-counted: attaching many
// objects that live in one arena maps it once, and the mapping goes away
// when the last object using it is closed.
import { SharedCtypesError } from '../base/errors';
import { normalizeName } from './names';
import { SegmentKind } from './header';
import { SharedSegment } from './segment';

interface Entry {
  segment: SharedSegment;
  refs: number;
}

/** Open segments that their name still designates, for attach by name or descriptor. */
const byName = new Map<string, Entry>();
/**
 * Every open segment, by handle. Kept apart from byName because a segment
 * whose name this process unlinked stays mapped (and counted) until released,
 * while its name may already belong to a new segment.
 */
const bySegment = new Map<SharedSegment, Entry>();

function track(segment: SharedSegment): SharedSegment {
  const entry = { segment, refs: 1 };
  byName.set(segment.name, entry);
  bySegment.set(segment, entry);
  return segment;
}

/** Registers a segment this process just created, with one reference. */
export function adoptSegment(segment: SharedSegment): SharedSegment {
  return track(segment);
}

/**
 * The open segment of that name, opening (and validating) it if needed; adds
 * a reference. A mapping made earlier is reused only while the name still
 * designates the same file: another process may have unlinked the name and
 * created a new segment under it. A segment another user owns is
 * ERR_SHM_PERMISSION unless `allowOtherOwners`, also when this process
 * already has it open. With `incarnation` (a descriptor's), a mapping of that
 * very arena is reused without asking the file system (a stat costs more than
 * the rest of an attach, and a fork child may attach thousands of unnamed
 * objects): arenas have generated names that nobody creates again.
 */
export function retainSegment(name: string, allowOtherOwners = false, incarnation?: string): SharedSegment {
  const key = normalizeName(name);
  const known = byName.get(key);
  if (known !== undefined && !known.segment.closed) {
    const identity = known.segment.identity;
    // '' where a name cannot change its object while we hold it (Windows).
    const sameArena = incarnation !== undefined && known.segment.header.kind === SegmentKind.Arena && known.segment.header.incarnation === incarnation;
    if (identity === '' || sameArena || SharedSegment.identityOf(key) === identity) {
      if (known.segment.otherOwner && !allowOtherOwners) {
        throw new SharedCtypesError(
          'ERR_SHM_PERMISSION',
          `cannot open segment '${known.segment.name}': it belongs to another user (it was attached here with allowOtherOwners); pass allowOtherOwners: true to trust segments of other users`,
        );
      }
      known.refs++;
      return known.segment;
    }
    // The name means another segment now; the old mapping's users keep it.
    byName.delete(key);
  }
  return track(SharedSegment.open(key, allowOtherOwners));
}

/** Drops a reference; the last one unmaps the segment. */
export function releaseSegment(segment: SharedSegment): void {
  const entry = bySegment.get(segment);
  if (entry === undefined) {
    segment.close();
    return;
  }
  if (--entry.refs <= 0) {
    bySegment.delete(segment);
    if (byName.get(segment.name) === entry) byName.delete(segment.name);
    segment.close();
  }
}

/**
 * This process unlinked `name`: later lookups by that name must open whatever
 * the name designates now (nothing, or a new segment), not the old mapping.
 * With `segment`, only if the name still designates that segment here.
 */
export function forgetName(name: string, segment?: SharedSegment): void {
  const key = normalizeName(name);
  const entry = byName.get(key);
  if (entry !== undefined && (segment === undefined || entry.segment === segment)) byName.delete(key);
}
