// INTERNAL: the addon's table of lock handles (native/core/lock_table), through
// lib/base/native.ts. Every lock call goes by a handle that the native Segment
// makes for one lock region; freeing a handle must free its slot at once
// (Node-API finalizers wait for the event loop), and a stale handle must never
// reach the lock that reuses its slot. Handles are invisible to the public
// API: it shows the consequences (a closed lock says ERR_SHM_CLOSED), not
// which slot a handle took.
import { binding, Segment } from '../dist/base/native';
import { codeOf } from './helpers/errors';
import { testName } from './helpers/names';
import { leftoverNamesCleanedAfterEach } from './helpers/shm';

const leftovers = leftoverNamesCleanedAfterEach();

test('lock handles are freed at once, so a synchronous create/close loop reuses one slot; a handle into a closed segment stays ERR_SHM_CLOSED', () => {
  // Node-API finalizers wait for the event loop: a table freed only by them
  // would fill (2^20 entries) in a synchronous loop.
  const name = testName('slot');
  leftovers.add(name);
  leftovers.add(`${name}-2`);
  const slots = new Set<number>();
  for (let i = 0; i < 3000; i++) {
    const s = Segment.create(name, 4096);
    const h = s.lockHandle(0);
    binding.lockInit(h, false);
    slots.add(h % 2 ** 20);
    binding.lockHandleFree(h);
    s.close();
    Segment.unlink(name);
  }
  expect(slots.size).toBe(1);

  const closed = Segment.create(name, 4096);
  const stale = closed.lockHandle(0);
  binding.lockInit(stale, false);
  closed.close();
  const reuser = Segment.create(`${name}-2`, 4096);
  const fresh = reuser.lockHandle(0);
  try {
    expect(codeOf(() => binding.lock(stale, 0))).toBe('ERR_SHM_CLOSED');
    expect(codeOf(() => binding.lockLocked(stale))).toBe('ERR_SHM_CLOSED');
    binding.lockInit(fresh, false);
    expect(binding.lockLocked(fresh)).toBe(false);
    binding.lockHandleFree(stale);
    // Freed, its slot goes to the next handle; the stale one is refused, not that lock.
    const next = reuser.lockHandle(0);
    expect(next % 2 ** 20).toBe(stale % 2 ** 20);
    expect(codeOf(() => binding.lock(stale, 0))).toBe('ERR_INVALID_ARG_VALUE');
    binding.lockHandleFree(next);
    expect(codeOf(() => binding.lock(2 ** 20 - 1, 0))).toBe('ERR_INVALID_ARG_VALUE');
  } finally {
    binding.lockHandleFree(fresh);
    reuser.close();
  }
});
