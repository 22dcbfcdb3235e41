// Nothing leaked when a creator is SIGKILLed: the watchdog removes every
// segment behind its 1,000 unnamed objects within 2 s, its 10 named objects
// stay until unlinked, and a process that attached to some of them keeps
// reading and writing the right values until it exits.
import fs from 'fs';
import { leftoverNamesCleanedAfterEach } from './helpers/shm';
import { unlink } from '../dist';
import { exitOf, forkFixture } from './helpers/processes';
import { testName } from './helpers/names';

const UNNAMED = 1000;
const NAMED_KINDS = ['Value', 'ValueQ', 'Array', 'RawArray', 'BigRawArray', 'Struct', 'Chars', 'Lock', 'RLock', 'Value'];

const exists = (name: string): boolean => fs.existsSync(`/dev/shm/${name}`);
const leftovers = leftoverNamesCleanedAfterEach();

/** Polls until `cond` holds or `ms` pass since `started`; the elapsed ms, or null on time-out. */
async function within(started: number, ms: number, cond: () => boolean): Promise<number | null> {
  while (!cond()) {
    if (performance.now() - started > ms) return null;
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - started;
}

interface Ready {
  type: 'ready';
  count: number;
  segments: string[];
  shared: Array<{ kind: string; i: number; descriptor: unknown }>;
}

test(`SIGKILLed creator of ${UNNAMED} unnamed + ${NAMED_KINDS.length} named objects: unnamed gone within 2 s, named stay, the attacher keeps working`, async () => {
  const named = NAMED_KINDS.map((kind) => ({ kind, name: testName('leaks') }));
  named.forEach(({ name }) => leftovers.add(name));

  const creator = forkFixture('leak-creator.js', [JSON.stringify({ unnamed: UNNAMED, shareEvery: 50, named })]);
  const ready = await creator.next<Ready>();
  ready.segments.forEach((name) => leftovers.add(name));
  expect(ready.count).toBe(UNNAMED + named.length);
  // Arenas hold the small objects; each large array has a segment of its own.
  expect(ready.segments.length).toBeGreaterThanOrEqual(UNNAMED / 100);
  expect(ready.segments.filter((n) => !exists(n))).toEqual([]);
  expect(named.filter(({ name }) => !exists(name))).toEqual([]);

  const attacher = forkFixture('leak-attacher.js', [JSON.stringify({ shared: ready.shared, named })]);
  const attached = await attacher.next<{ type: string; count: number; problems: string[] }>();
  expect(attached).toEqual({ type: 'attached', count: ready.shared.length + named.length, problems: [] });

  const killed = performance.now();
  creator.child.kill('SIGKILL');
  expect(await exitOf(creator)).toEqual({ code: null, signal: 'SIGKILL' });
  const cleanupMs = await within(killed, 2000, () => ready.segments.every((n) => !exists(n)));
  console.log(
    `creator SIGKILLed: ${ready.segments.length} segments behind ${UNNAMED} unnamed objects removed ` +
      `${cleanupMs === null ? 'NOT within 2000 ms' : `${cleanupMs.toFixed(0)} ms after the kill`}; ${named.length} named kept; ` +
      `attacher kept ${attached.count} objects working`,
  );
  expect(ready.segments.filter(exists)).toEqual([]);
  expect(cleanupMs).not.toBeNull();
  expect(named.filter(({ name }) => !exists(name))).toEqual([]);

  // The attacher's mappings outlive the names: old values still there, new ones stick.
  attacher.send({ type: 'check' });
  expect(await attacher.next()).toEqual({ type: 'checked', problems: [] });
  attacher.send({ type: 'exit' });
  expect(await exitOf(attacher)).toEqual({ code: 0, signal: null });

  for (const { name } of named) unlink(name);
  expect(named.filter(({ name }) => exists(name))).toEqual([]);
});
