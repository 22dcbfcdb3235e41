// Module-level unlink(name): removes a named segment (object or lock).
import { SharedSegment } from '../segment/segment';
import { forgetName } from '../segment/open-segments';

/** Removes a named object's or lock's segment. A missing name is ERR_SHM_NOT_FOUND. */
export function unlink(name: string): void {
  SharedSegment.unlink(name);
  // A later attach(name) here must not return the mapping of the removed segment.
  forgetName(name);
}
