// Test segment names carry the run's prefix, the test's tag and pid, so a leak
// is easy to attribute and concurrent runs on one machine never touch each
// other's segments (global-setup.js picks the run prefix).
import { randomBytes } from 'crypto';

/** This run's prefix: every segment the run makes, named or generated, starts with it. */
export const RUN_PREFIX = process.env.SHAREDCTYPES_NAME_PREFIX ?? 'sct-';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A name the library generated in this run: the prefix and 16 base32 characters. */
export const GENERATED = new RegExp(`^${escapeRegExp(RUN_PREFIX)}[a-z2-7]{16}$`);

export function testName(tag: string): string {
  return `${RUN_PREFIX}test-${tag}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
