// Scale: 100,000 Values in one process need few mappings and few segments
// (they share arenas), and all of them are gone when the process exits.
import { exitOf, forkFixture, killAll } from './helpers/processes';
import { shmExists, until } from './helpers/shm';

afterEach(killAll);

test('100,000 Value("i") in one process: few mappings, few segments, all gone at exit', async () => {
  const child = forkFixture('many-values.js');
  const report = await child.next<{
    correct: number;
    locks: number;
    lockKinds: string[];
    lockable: boolean;
    segments: string[];
    present: number;
    maps: number;
  }>();
  expect(report.correct).toBe(100000);
  expect(report.locks).toBe(100000);
  expect(report.lockKinds).toEqual(['RLock']);
  expect(report.lockable).toBe(true);
  expect(report.maps).toBeLessThan(2000);
  expect(report.segments.length).toBeGreaterThan(0);
  expect(report.segments.length).toBeLessThan(200);
  expect(report.present).toBe(report.segments.length);
  expect(await exitOf(child)).toEqual({ code: 0, signal: null });
  expect(await until(() => !report.segments.some(shmExists))).toBe(true);
});
