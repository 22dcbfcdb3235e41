// INTERNAL: the addon's table of open segments (native/core/segment_table),
// through lib/base/native.ts. A segment's id names its slot for the lock
// functions; close() must free the slot at once (Node-API finalizers wait for
// the event loop), and a stale id must never reach the segment that reuses
// its slot. Ids and slots are invisible to the public API: it shows the
// consequences (a closed object says ERR_SHM_CLOSED, objects-close.test.ts),
// not which slot a segment took, and showing that slots are reused would take
// 2^20 public create/close cycles.
import { binding, Segment } from '../dist/base/native';
import { codeOf } from './helpers/errors';
import { testName } from './helpers/names';
import { leftoverNamesCleanedAfterEach } from './helpers/shm';

const leftovers = leftoverNamesCleanedAfterEach();

test('close() frees a segment id at once: a synchronous create/close loop reuses one slot, and a closed id stays ERR_SHM_CLOSED', () => {
  // Node-API finalizers wait for the event loop; before, 2^20 such cycles
  // without one failed with "too many open segments".
  const name = testName('slot');
  leftovers.add(name);
  leftovers.add(`${name}-2`);
  const slots = new Set<number>();
  for (let i = 0; i < 3000; i++) {
    const s = Segment.create(name, 4096);
    slots.add(s.id % 2 ** 20);
    s.close();
    Segment.unlink(name);
  }
  expect(slots.size).toBe(1);

  const closed = Segment.create(name, 4096);
  binding.lockInit(closed.id, 0, false);
  const staleId = closed.id;
  closed.close();
  const reuser = Segment.create(`${name}-2`, 4096); // takes the freed slot
  try {
    expect(reuser.id % 2 ** 20).toBe(staleId % 2 ** 20);
    expect(codeOf(() => binding.lock(staleId, 0, 0))).toBe('ERR_SHM_CLOSED');
    expect(codeOf(() => binding.lockLocked(staleId, 0))).toBe('ERR_SHM_CLOSED');
    binding.lockInit(reuser.id, 0, false);
    expect(binding.lockLocked(reuser.id, 0)).toBe(false);
    expect(codeOf(() => binding.lock(2 ** 40 + 5, 0, 0))).toBe('ERR_INVALID_ARG_VALUE');
  } finally {
    reuser.close();
    Segment.unlink(name);
    Segment.unlink(`${name}-2`);
  }
});
