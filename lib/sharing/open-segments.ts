// This process's open segments by name, reference-counted: attaching many
// objects that live in one arena maps it once, and the mapping goes away
// when the last object using it is closed.
import { normalizeName } from '../segment/names';
import { SharedSegment } from '../segment/segment';

interface Entry {
  segment: SharedSegment;
  refs: number;
}

const open = new Map<string, Entry>();

/** Registers a segment this process just created, with one reference. */
export function adoptSegment(segment: SharedSegment): SharedSegment {
  open.set(segment.name, { segment, refs: 1 });
  return segment;
}

/** The open segment of that name, opening (and validating) it if needed; adds a reference. */
export function retainSegment(name: string): SharedSegment {
  const known = open.get(normalizeName(name));
  if (known !== undefined && !known.segment.closed) {
    known.refs++;
    return known.segment;
  }
  const segment = SharedSegment.open(name);
  open.set(segment.name, { segment, refs: 1 });
  return segment;
}

/** Drops a reference; the last one unmaps the segment. */
export function releaseSegment(segment: SharedSegment): void {
  const entry = open.get(segment.name);
  if (entry === undefined || entry.segment !== segment) {
    segment.close();
    return;
  }
  if (--entry.refs <= 0) {
    open.delete(segment.name);
    segment.close();
  }
}
