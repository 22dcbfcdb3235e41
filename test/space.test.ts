// Creating more than /dev/shm can hold fails at once with ERR_SHM_NO_SPACE
// (never a SIGBUS later) and leaves nothing behind.
import fs from 'fs';
import os from 'os';
import { Array as SharedArray, c_double, c_int, RawArray, Struct, Value } from '../dist';
import { GENERATED, testName } from './helpers/names';

const made = new Set<string>();
const figures: string[] = [];
const fresh = (): string => {
  const name = testName('space');
  made.add(name);
  return name;
};

afterEach(() => {
  for (const name of made) fs.rmSync(`/dev/shm/${name}`, { force: true });
  made.clear();
});

/** Free bytes of /dev/shm plus a margin: more than a segment can get. */
function tooMuch(): number {
  const st = fs.statfsSync('/dev/shm');
  return st.bavail * st.bsize + 2 ** 30;
}

/** Generated segments (the run prefix + 16 base32) of this process (by header creator pid) that appeared since `before`. */
function oursSince(before: Set<string>): string[] {
  return fs.readdirSync('/dev/shm').filter((name) => {
    if (before.has(name) || !GENERATED.test(name)) return false;
    try {
      const head = Buffer.alloc(56);
      const fd = fs.openSync(`/dev/shm/${name}`, 'r');
      try {
        return fs.readSync(fd, head, 0, 56, 0) === 56 && head.readUInt32LE(48) === process.pid;
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return false;
    }
  });
}

afterAll(() => console.log(`no space: ${figures.join('; ')}`));

const Row = Struct({ id: c_int, v: [c_double, 7] }); // 64 bytes

test.each([
  ["unnamed RawArray('d', free / 8 + 1 GiB)", (bytes: number) => RawArray('d', Math.ceil(bytes / 8))],
  ["named RawArray('d', free / 8 + 1 GiB)", (bytes: number) => RawArray('d', Math.ceil(bytes / 8), { name: fresh() })],
  ["unnamed RawArray('B', free + 1 GiB)", (bytes: number) => RawArray('B', bytes)],
  ['named synchronized Array of 64-byte structs', (bytes: number) => SharedArray(Row, Math.ceil(bytes / 64), { name: fresh() })],
  ["named Array('d') with a lock of its own", (bytes: number) => SharedArray('d', Math.ceil(bytes / 8), { name: fresh() })],
])('%s: ERR_SHM_NO_SPACE, nothing left behind', (_what, make) => {
  const bytes = tooMuch();
  const before = new Set(fs.readdirSync('/dev/shm'));
  const started = performance.now();
  let thrown: unknown;
  try {
    make(bytes);
  } catch (err) {
    thrown = err;
  }
  const ms = performance.now() - started;
  const e = thrown as { name?: string; code?: string; errno?: number; syscall?: string } | undefined;
  expect({ name: e?.name, code: e?.code }).toEqual({ name: 'SharedCtypesError', code: 'ERR_SHM_NO_SPACE' });
  // The same errno (libuv's sign) whether TypeScript's or the native layer's check refused it.
  if (e?.syscall === 'statvfs') expect(e.errno).toBe(-os.constants.errno.ENOSPC);
  figures.push(`${(bytes / 2 ** 30).toFixed(1)} GiB refused in ${ms.toFixed(1)} ms (${e?.syscall ?? '?'})`);
  expect(oursSince(before)).toEqual([]);
  expect([...made].filter((n) => fs.existsSync(`/dev/shm/${n}`))).toEqual([]);
  // The process goes on allocating normally.
  const v = Value('i', 5);
  expect(v.value).toBe(5);
  v.close();
});
