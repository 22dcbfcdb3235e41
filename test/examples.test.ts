// Runs every program in examples/ (compiled to dist-examples/ by pretest) as a
// user would, and checks what it prints against the Python originals in
// the reference pages. Each run must exit 0, write nothing to stderr, and
// leave behind no shared-memory segment and no process.
import { execFile } from 'child_process';
import { randomBytes } from 'crypto';
import fs from 'fs';
import path from 'path';
import { until } from './helpers/shm';

const EXAMPLES_DIR = path.join(__dirname, '..', 'dist-examples');
// Set in every run's environment; children inherit it, so a leftover process is easy to spot.
const RUN_TAG = 'SHAREDCTYPES_EXAMPLE_RUN';

interface Run {
  lines: string[];
  stdout: string;
}

/** Creator pid of a sharedctypes segment in /dev/shm, or undefined if it is gone or not ours. */
function creatorPid(name: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(`/dev/shm/${name}`, 'r');
    const head = Buffer.alloc(52);
    if (fs.readSync(fd, head, 0, 52, 0) < 52 || head.toString('latin1', 0, 8) !== 'SCTYPES\0') return undefined;
    return head.readUInt32LE(48); // creator pid field of the format-v1 header
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Pids of live processes whose environment carries `token`. */
function processesTagged(token: string): number[] {
  const needle = `${RUN_TAG}=${token}\0`;
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle)) found.push(Number(entry));
    } catch {
      // exited meanwhile, or not readable: not one of ours
    }
  }
  return found;
}

/**
 * Runs dist-examples/<name>.js and checks the run was clean. Other test files
 * may create and remove segments at the same time, so a leak is a new segment
 * created by the example's own process that is still there once the example
 * is gone (the watchdog gets a moment to do its part).
 */
async function runExample(name: string, timeoutMs = 15000, file = path.join(EXAMPLES_DIR, `${name}.js`)): Promise<Run> {
  const before = new Set(fs.readdirSync('/dev/shm'));
  const token = randomBytes(8).toString('hex');
  let pid: number | undefined;
  const result = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [file],
      { env: { ...process.env, [RUN_TAG]: token }, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: number | string; signal?: string }) | null;
        resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, signal: e?.signal ?? null, stdout, stderr });
      },
    );
    pid = child.pid;
  });

  const leaked = (): string[] => fs.readdirSync('/dev/shm').filter((n) => !before.has(n) && creatorPid(n) === pid);
  const clean = await until(() => leaked().length === 0 && processesTagged(token).length === 0, 3000);
  const stray = processesTagged(token);
  for (const p of stray) process.kill(p, 'SIGKILL');

  expect({ name, code: result.code, signal: result.signal, stderr: result.stderr }).toEqual({ name, code: 0, signal: null, stderr: '' });
  expect({ name, clean, leaked: leaked(), stray }).toEqual({ name, clean: true, leaked: [], stray: [] });
  return { stdout: result.stdout, lines: result.stdout.split('\n').filter((l) => l !== '') };
}

/** The lines matching `re`, with their captures. */
function matches(lines: string[], re: RegExp): RegExpMatchArray[] {
  return lines.map((l) => l.match(re)).filter((m): m is RegExpMatchArray => m !== null);
}

/** How many matched lines carry each value of capture 1. */
function countBy(found: RegExpMatchArray[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of found) out[m[1]] = (out[m[1]] ?? 0) + 1;
  return out;
}

test('modify (003): the processing docs example prints exactly its documented results', async () => {
  const { stdout } = await runExample('modify');
  expect(stdout).toBe('49\n0.1111111111111111\nHELLO WORLD\n[ [ 3.515625, 39.0625 ], [ 33.0625, 4 ], [ 5.640625, 90.25 ] ]\n');
});

test.each(['readme.mjs', 'readme.cjs'])('readme: the README example as %s (ESM, CommonJS) runs as written', async (file) => {
  const run = await runExample(file, 15000, path.join(__dirname, '..', 'examples', file));
  expect(run.stdout).toBe('1000 [ 3, 5, 7 ]\n');
});

test('readme: the README example counts 1000 and doubles the array in a forked child', async () => {
  expect((await runExample('readme')).stdout).toBe('1000 [ 3, 5, 7 ]\n');
});

test('value-tutorial (004): the child sets the double the parent prints', async () => {
  expect((await runExample('value-tutorial')).stdout).toBe('3.1415926\n');
});

test('array-tutorial (004): the child fills 0..4', async () => {
  expect((await runExample('array-tutorial')).stdout).toBe('[ 0, 1, 2, 3, 4 ]\n');
});

test('locked-counter (000): 3 workers x 5 locked increments lose nothing; the raw counter is printed', async () => {
  const { lines } = await runExample('locked-counter');
  expect(lines[0]).toBe('Initial counter value: 0');
  const counted = matches(lines, /^Worker (\d): counter = (\d+)$/);
  expect(countBy(counted)).toEqual({ 0: 5, 1: 5, 2: 5 });
  for (const m of counted) expect(Number(m[2])).toBeGreaterThanOrEqual(1);
  const final = lines.indexOf('Final counter value: 15');
  expect(final).toBeGreaterThan(lines.indexOf(counted[counted.length - 1][0]));
  expect(lines[final + 1]).toBe('Float value: 3.14159');
  expect(countBy(matches(lines, /^Worker (\d): raw value = \d+$/))).toEqual({ 0: 5, 1: 5 });
  const raw = lines[lines.length - 1].match(/^Final raw counter: (\d+)$/);
  expect(raw).not.toBeNull();
  // Unlocked: an increment may be lost, but never more than were made.
  expect(Number(raw?.[1])).toBeGreaterThanOrEqual(1);
  expect(Number(raw?.[1])).toBeLessThanOrEqual(10);
});

test('array-workers (000): writers fill their slots under the lock, the reader sees them all, rows fill the matrix', async () => {
  const { lines } = await runExample('array-workers');
  expect(lines[0]).toBe('Initial array: [0,0,0,0,0,0,0,0,0,0]');
  const sets = lines.slice(1, 10);
  expect([...sets].sort()).toEqual(
    [0, 1, 2].flatMap((w) => [0, 1, 2].map((i) => `Worker ${w}: set array[${w * 3 + i}] = ${w * 100 + i}`)).sort(),
  );
  // Each writer held the lock across its three writes, so its lines come together.
  for (let k = 0; k < 9; k += 3) {
    const w = sets[k].slice(0, 8);
    expect(sets.slice(k, k + 3).map((l) => l.slice(0, 8))).toEqual([w, w, w]);
  }
  expect(lines.slice(10)).toEqual([
    'Array contents: [0,1,2,100,101,102,200,201,202,0]',
    'Array sum: 909',
    'Initialized array: [1,2,3,4,5]',
    'Matrix:',
    '[1,2,3,4]',
    '[5,6,7,8]',
    '[9,10,11,12]',
  ]);
});

test('synchronized-copy (000): synchronized() guards a RawArray; copy() copies it', async () => {
  const { lines } = await runExample('synchronized-copy');
  expect(lines.slice(0, 3).sort()).toEqual(['Worker 1 completed', 'Worker 2 completed', 'Worker 3 completed']);
  expect(lines.slice(3)).toEqual(['Final array: [6,6,6,6,6,6,6,6,6,6]', 'Copied array: [6,6,6,6,6,6,6,6,6,6]']);
});

test('circular-buffer (000): every item produced is consumed exactly once across both consumers', async () => {
  const { lines } = await runExample('circular-buffer');
  const items = Array.from({ length: 10 }, (_, i) => i);
  expect(matches(lines, /^Produced: (\d+)$/).map((m) => Number(m[1]))).toEqual(items);
  const got = matches(lines, /^Consumer ([12]) got: (\d+)$/);
  expect(got.map((m) => Number(m[2])).sort((a, b) => a - b)).toEqual(items);
  // A FIFO: each consumer sees its items in increasing order.
  for (const id of ['1', '2']) {
    const mine = got.filter((m) => m[1] === id).map((m) => Number(m[2]));
    expect(mine).toEqual([...mine].sort((a, b) => a - b));
  }
  expect(lines[lines.length - 1]).toBe('Times each item was consumed: [1,1,1,1,1,1,1,1,1,1]');
  expect(lines).toHaveLength(21);
});

test('shared-stats (000): 3 generators x 20 values give consistent statistics', async () => {
  const { lines } = await runExample('shared-stats');
  type Stats = { count: number; sum?: number; avg?: number; min?: number; max?: number };
  const snapshots = matches(lines, /^Stats: (.*)$/).map((m) => JSON.parse(m[1]) as Stats);
  expect(snapshots.length).toBeGreaterThan(0);
  const counts = snapshots.map((s) => s.count);
  expect(counts).toEqual([...counts].sort((a, b) => a - b));
  const last = lines[lines.length - 1].match(/^Final stats: (.*)$/);
  expect(last).not.toBeNull();
  const { count, sum, avg, min, max } = JSON.parse(last?.[1] ?? '{}') as Required<Stats>;
  expect(count).toBe(60);
  expect(sum / count).toBe(avg);
  expect(min).toBeLessThanOrEqual(avg);
  expect(avg).toBeLessThanOrEqual(max);
  expect(min).toBeGreaterThanOrEqual(-100);
  expect(max).toBeLessThan(100);
  expect(lines).toHaveLength(snapshots.length + 1);
});

test('ctypes-values (002): two children add 10 and double the floats, each under the lock', async () => {
  expect((await runExample('ctypes-values')).lines).toEqual([
    'Initial value: 5',
    'Initial array: [1,2,3,4]',
    'Final value: 25',
    'Final array: [4,8,12,16]',
  ]);
});

test('raw-manual-locking (002): raw objects guarded by one Lock lose nothing', async () => {
  const { lines } = await runExample('raw-manual-locking');
  expect(lines.slice(0, 2)).toEqual(['Initial value: 0', 'Initial array: [0,0,0]']);
  expect(countBy(matches(lines.slice(2, 17), /^Worker (\d) iteration completed$/))).toEqual({ 0: 5, 1: 5, 2: 5 });
  expect(lines.slice(17)).toEqual(['Final value: 15', 'Final array: [15,15,15]']);
});

test('performance-comparison (002): both ways of locking count every increment', async () => {
  const { lines } = await runExample('performance-comparison');
  expect(lines).toHaveLength(6);
  expect(lines[0]).toBe('Testing synchronized Value...');
  expect(lines[1]).toMatch(/^synchronized test completed in \d+\.\d{3} seconds$/);
  expect(lines[2]).toBe('Synchronized final value: 10000');
  expect(lines[3]).toBe('Testing raw Value with manual lock...');
  expect(lines[4]).toMatch(/^raw test completed in \d+\.\d{3} seconds$/);
  expect(lines[5]).toBe('Raw final value: 10000');
});

test('demo: the synchronized counter is exact, the RawValue total is reported with its losses', async () => {
  const { lines } = await runExample('demo', 60000);
  const row = (label: string): string => {
    const line = lines.find((l) => l.trimStart().startsWith(label));
    expect(line).toBeDefined();
    return (line ?? '').trim().slice(label.length).trim();
  };
  expect(lines[0]).toBe('sharedctypes demo: 4 child processes increment shared counters');
  const [children, n] = row('children x increments').split(' x ').map((s) => Number(s.replace(/,/g, '')));
  expect(children).toBe(4);
  const expected = children * n;
  expect(row('expected total')).toBe(expected.toLocaleString('en-US'));
  expect(row('synchronized Value total')).toBe(`${expected.toLocaleString('en-US')} (exact)`);
  const raw = row('unsynchronized RawValue total').match(/^([\d,]+) \(lost ([\d,]+), \d+\.\d%\)$/);
  expect(raw).not.toBeNull();
  const rawTotal = Number(raw?.[1].replace(/,/g, ''));
  expect(rawTotal).toBeLessThanOrEqual(expected);
  expect(Number(raw?.[2].replace(/,/g, ''))).toBe(expected - rawTotal);
  expect(JSON.parse(row('per-child Array slots'))).toEqual([n, n, n, n]);
  expect(row('elapsed')).toMatch(/^\d+\.\d\d s$/);
  expect(lines).toHaveLength(7);
});
