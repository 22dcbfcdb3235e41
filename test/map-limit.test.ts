// The per-process mapping limit (Linux vm.max_map_count): a named object is a
// segment and a mapping of its own, so tens of thousands of them reach it.
// The library refuses the next one with ERR_SHM_MAP_LIMIT while the runtime
// still has room, and the process stays alive and usable.
import fs from 'fs';
import { binding, Segment } from '../dist/base/native';
import { codeOf } from './helpers/errors';
import { exitOf, forkFixture, killAll } from './helpers/processes';
import { testName } from './helpers/names';

interface Report {
  limit: number;
  made: number;
  failure: { code: string; message: string } | null;
  again: string | null;
  mapsAtLimit: number;
  correct: number;
  garbage: number;
  unnamed: number;
  moreCorrect: number;
  createMs: number;
  closeMs: number;
}

const base = testName('maplimit');
const ours = (): string[] => fs.readdirSync('/dev/shm').filter((n) => n.startsWith(`${base}-`));

afterAll(async () => {
  await killAll();
  // Whatever happened to the child, none of its segments may stay.
  for (const name of ours()) fs.rmSync(`/dev/shm/${name}`, { force: true });
});

const linux = process.platform === 'linux' ? test : test.skip;

linux('named objects until the mapping limit: ERR_SHM_MAP_LIMIT naming vm.max_map_count, and the process lives on', async () => {
  const child = forkFixture('map-limit.js', [base]);
  const report = await child.next<Report>();
  expect(await exitOf(child)).toEqual({ code: 0, signal: null });
  console.log(`map limit: ${report.made} named objects in ${report.createMs} ms, closed and unlinked in ${report.closeMs} ms (vm.max_map_count ${report.limit})`);

  expect(report.failure?.code).toBe('ERR_SHM_MAP_LIMIT');
  expect(report.failure?.message).toContain('vm.max_map_count');
  expect(report.failure?.message).toContain(`the kernel allows ${report.limit}`);
  expect(report.failure?.message).toMatch(/this process has \d+ memory mappings/);
  // Refused near the limit, with room left: not after a few, not at the very end.
  expect(report.made).toBeGreaterThan(report.limit * 0.85);
  expect(report.mapsAtLimit).toBeLessThan(report.limit - 256);
  expect(report.again).toBe('ERR_SHM_MAP_LIMIT');
  // Alive and well: everything readable, a big allocation, then more objects.
  expect(report.correct).toBe(report.made);
  expect(report.garbage).toBe(2_000_000);
  expect(report.unnamed).toBe(8);
  expect(report.moreCorrect).toBe(1000);
  expect(ours()).toEqual([]);
});

test('internals: lock handles are freed at once, so a synchronous create/close loop reuses one slot; a handle into a closed segment stays ERR_SHM_CLOSED', () => {
  // Node-API finalizers wait for the event loop: a table freed only by them
  // would fill (2^20 entries) in a synchronous loop.
  const name = `${base}-slot`;
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
    Segment.unlink(name);
    Segment.unlink(`${name}-2`);
  }
});
