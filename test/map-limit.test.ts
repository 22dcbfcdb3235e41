// The per-process mapping limit (Linux vm.max_map_count): a named object is a
// segment and a mapping of its own, so tens of thousands of them reach it.
// The library refuses the next one with ERR_SHM_MAP_LIMIT while the runtime
// still has room, and the process stays alive and usable.
import fs from 'fs';
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
