// Module-level unlink(name): removes a named segment (object or lock).
import { SharedSegment } from '../segment/segment';

/** Removes a named object's or lock's segment. A missing name is ERR_SHM_NOT_FOUND. */
export function unlink(name: string): void {
  SharedSegment.unlink(name);
}
