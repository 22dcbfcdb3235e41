// INTERNAL: the owned-names registry (lib/lifetime/owned.ts over the addon's
// native/glue/owned.cc): the names this thread unlinks when it ends, and that
// the watchdog unlinks if the process dies. It must hold exactly the segments
// this thread created unnamed (or named with unlinkOnExit) and has not yet
// removed: a refused creation that left its name there would make the exit
// handler or the watchdog unlink a name that is no longer ours (worse: one
// another process has created since), and one that lost a name would leak
// its segment. The public API shows neither until the process ends, and then
// only as a segment removed or not; the registry itself is read here.
import { constants as bufferConstants } from 'buffer';
import fs from 'fs';
import { Array as SharedArray, Lock, RawArray, RawValue, Struct, c_double, c_int, unlink, Value } from '../dist';
import { ownedNames } from '../dist/lifetime/owned';
import { testName } from './helpers/names';
import { leftoverNamesCleanedAfterEach, shmExists, thrown } from './helpers/shm';

const leftovers = leftoverNamesCleanedAfterEach();
const fresh = (tag = 'owned'): string => {
  const name = testName(tag);
  leftovers.add(name);
  return name;
};
const owned = (): string[] => ownedNames().sort();
// Values of the wrong type are passed through `unknown` on purpose.
const bad = (v: unknown): never => v as never;

/** Free bytes of /dev/shm plus a margin: more than a segment can get. */
function tooMuch(): number {
  const st = fs.statfsSync('/dev/shm');
  return st.bavail * st.bsize + 2 ** 30;
}

// Node 20 refuses ArrayBuffers over 2^32 bytes over external memory; Node 22 and later take 2^53 - 1.
const nodeCanMap = bufferConstants.MAX_LENGTH > 2 ** 32 + 8192;

describe('a refused creation leaves the registry as it was', () => {
  const Row = Struct({ id: c_int, v: [c_double, 7] });
  let existing: string;
  let keep: { close(): void; unlink(): void };
  let arenas: Array<{ close(): void }>;
  beforeAll(() => {
    // Not a leftover to clean after each test: it must outlive them all.
    existing = testName('owned-existing');
    keep = RawValue('i', 1, { name: existing });
    // The arenas exist before the rows run: one made for a refused object stays, rightly registered.
    arenas = [Value('i'), new Lock()];
  });
  afterAll(() => {
    keep.unlink();
    keep.close();
    for (const o of arenas) o.close();
  });

  test.each<[string, string, () => unknown]>([
    ['unnamed array larger than /dev/shm', 'ERR_SHM_NO_SPACE', () => RawArray('d', Math.ceil(tooMuch() / 8))],
    ['named synchronized array of structs larger than /dev/shm', 'ERR_SHM_NO_SPACE', () => SharedArray(Row, Math.ceil(tooMuch() / 64), { name: fresh() })],
    ['named unlinkOnExit array larger than /dev/shm', 'ERR_SHM_NO_SPACE', () => RawArray('B', tooMuch(), { name: fresh(), unlinkOnExit: true })],
    ['unnamed array of its own segment, the last item bad', 'ERR_INVALID_ARG_TYPE', () => RawArray('d', bad([...new Array<number>(9000).fill(1.5), 'x']))],
    ['arena Value with a bad init', 'ERR_INVALID_ARG_TYPE', () => Value('i', bad('x'))],
    ['named unlinkOnExit array, a bad item', 'ERR_INVALID_ARG_TYPE', () => RawArray('i', bad([1, 2, 'x']), { name: fresh(), unlinkOnExit: true })],
    ['named unlinkOnExit Value, a bad init', 'ERR_INVALID_ARG_TYPE', () => Value('i', bad('x'), { name: fresh(), unlinkOnExit: true })],
    ['unlinkOnExit on a name that exists (someone else\'s segment)', 'ERR_SHM_EXISTS', () => Value('i', 0, { name: existing, unlinkOnExit: true })],
    ['a named lock on a name that exists', 'ERR_SHM_EXISTS', () => new Lock({ name: existing })],
    ['an invalid name with unlinkOnExit', 'ERR_SHM_INVALID_NAME', () => RawValue('i', 0, { name: `${fresh()}/x`, unlinkOnExit: true })],
    ...(nodeCanMap ? [] : [['an array larger than Node can map', 'ERR_SHM_TOO_LARGE', () => RawArray('B', 2 ** 32 + 1)] as [string, string, () => unknown]]),
  ])('%s: %s', (_what, code, make) => {
    const before = owned();
    expect(thrown(make)?.code).toBe(code);
    expect(owned()).toEqual(before);
    expect(shmExists(existing)).toBe(true);
  });
});

describe('the registry follows creation and removal', () => {
  test('an unnamed segment is registered while open and forgotten once closed', () => {
    const before = owned();
    const big = RawArray('B', 70_000); // a segment of its own
    const segment = big.toJSON().segment;
    expect(owned()).toEqual([...before, segment].sort());
    big.close();
    expect(owned()).toEqual(before);
    expect(shmExists(segment)).toBe(false);
  });

  test('a named object is registered with unlinkOnExit only, and forgotten once unlinked', () => {
    const before = owned();
    const [kept, removed] = [fresh(), fresh()];
    const plain = RawValue('i', 1, { name: kept });
    const tracked = RawValue('i', 2, { name: removed, unlinkOnExit: true });
    try {
      expect(owned()).toEqual([...before, removed].sort());
      tracked.unlink();
      expect(owned()).toEqual(before);
      expect(shmExists(removed)).toBe(false);
      // unlink(name) of a registered name forgets it too.
      const again = Value('d', 1.5, { name: removed, unlinkOnExit: true });
      expect(owned()).toEqual([...before, removed].sort());
      unlink(removed);
      expect(owned()).toEqual(before);
      again.close();
    } finally {
      plain.close();
      tracked.close();
      unlink(kept);
    }
  });

  // A refused create once unregistered the name it had registered first, so a
  // second unlinkOnExit create of a name this thread owns dropped the first
  // object's registration, and its segment was left behind at exit.
  test('a refused unlinkOnExit create of a name this thread owns keeps the owner registered', () => {
    const name = fresh();
    const first = RawValue('i', 1, { name, unlinkOnExit: true });
    try {
      expect(owned()).toContain(name);
      expect(thrown(() => RawValue('i', 0, { name, unlinkOnExit: true }))?.code).toBe('ERR_SHM_EXISTS');
      expect(owned()).toContain(name);
    } finally {
      first.unlink();
      first.close();
    }
  });

  test('200 big arrays made, shared and closed leave the registry as it was', () => {
    const before = owned();
    for (let i = 0; i < 200; i++) {
      const a = RawArray('d', 10000);
      JSON.stringify(a);
      a.close();
    }
    expect(owned()).toEqual(before);
  });
});
