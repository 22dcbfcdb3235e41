// Test segment names carry the test's tag and pid so a leak is easy to attribute.
import { randomBytes } from 'crypto';

export function testName(tag: string): string {
  return `sct-test-${tag}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
