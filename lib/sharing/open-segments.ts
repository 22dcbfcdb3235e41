// This process's open segments by name, so attaching many objects that live
// in one arena maps it once.
import { SharedSegment } from '../segment/segment';

const open = new Map<string, SharedSegment>();

/** Remembers a segment this process created or opened. */
export function rememberSegment(segment: SharedSegment): void {
  open.set(segment.name, segment);
}

/** Forgets a segment (after it was closed). */
export function forgetSegment(segment: SharedSegment): void {
  if (open.get(segment.name) === segment) open.delete(segment.name);
}

/** The open segment of that name, opening (and validating) it if needed. */
export function openSegment(name: string): SharedSegment {
  const known = open.get(name);
  if (known !== undefined && !known.closed) return known;
  const segment = SharedSegment.open(name);
  open.set(segment.name, segment);
  return segment;
}
