// Security defaults: segments and locks are created 0o600, another user
// cannot attach to them (ERR_SHM_PERMISSION), a segment another user owns is
// refused unless allowOtherOwners, generated names are unguessable (>= 64
// random bits), and user-given names are validated.
import fs from 'fs';
import { Array as SharedArray, attach, attachLock, c_double, inherited, Lock, RawArray, RawValue, RLock, sharedEnv, Struct, unlink, Value } from '../dist';
import { exitOf, forkFixture, killAll } from './helpers/processes';
import { GENERATED, RUN_PREFIX, testName } from './helpers/names';

const made = new Set<string>();
const fresh = (): string => {
  const name = testName('perm');
  made.add(name);
  return name;
};

afterEach(async () => {
  await killAll();
  for (const name of made) fs.rmSync(`/dev/shm/${name}`, { force: true });
  made.clear();
});

const modeOf = (name: string): number => fs.statSync(`/dev/shm/${name}`).mode & 0o777;
const octal = (mode: number): string => `0o${mode.toString(8)}`;

test('named and unnamed segments and locks are created 0o600 unless told otherwise', () => {
  const Point = Struct({ x: c_double, y: c_double });
  const named = [
    Value('i', 1, { name: fresh() }),
    SharedArray('d', 4, { name: fresh() }),
    RawArray('c', 'abc', { name: fresh() }),
    RawValue(Point, { x: 1 }, { name: fresh() }),
    new Lock({ name: fresh() }),
    new RLock({ name: fresh() }),
  ];
  const unnamed = [Value('i'), RawArray('B', 100_000), new Lock(), new RLock(), SharedArray('q', 3)];
  const custom = Value('i', 1, { name: fresh(), mode: 0o640 });
  try {
    const modes = [...named, ...unnamed].map((o) => octal(modeOf(o.toJSON().segment)));
    expect(modes).toEqual(Array.from({ length: named.length + unnamed.length }, () => '0o600'));
    // An explicit mode is applied exactly, whatever the umask.
    expect(octal(modeOf(custom.toJSON().segment))).toBe('0o640');
  } finally {
    for (const o of [...named, custom]) {
      o.unlink();
      o.close();
    }
    for (const o of unnamed) o.close();
  }
});

test('another user gets ERR_SHM_PERMISSION on a 0o600 segment (root drops to nobody; others use a mode denying the owner)', async () => {
  const root = process.getuid?.() === 0;
  // As root a child can become another user; as anyone else, a mode that denies
  // even the owner shows the same refusal without a second account.
  const denied = root ? 0o600 : 0o000;
  const secretValue = Value('i', 11, { name: fresh(), mode: denied });
  const secretLock = new RLock({ name: fresh(), mode: denied });
  const secretUnnamed = Value('i', 12); // lives in a 0o600 arena
  const open = Value('i', 13, { name: fresh(), mode: 0o666 });
  // root's segment is another user's to nobody: the control trusts it.
  const trust = root ? { options: { allowOtherOwners: true } } : {};
  const targets = [
    { source: secretValue.toJSON().segment, ...trust },
    { source: secretLock.toJSON().segment, lock: true, ...trust },
    { source: secretValue.toJSON(), ...trust },
    ...(root ? [{ source: secretUnnamed.toJSON(), ...trust }] : []),
    { source: open.toJSON().segment, ...trust }, // the control: attachable by that user
  ];
  try {
    const probe = forkFixture('permission-probe.js', [JSON.stringify({ drop: root, targets })]);
    const report = await probe.next<{ uid: number; gid: number; results: string[] }>();
    expect(await exitOf(probe)).toEqual({ code: 0, signal: null });
    expect(report.uid).toBe(root ? 65534 : process.getuid?.());
    const refused = targets.length - 1;
    expect(report.results).toEqual([...Array.from({ length: refused }, () => 'ERR_SHM_PERMISSION'), 'attached:13']);
  } finally {
    for (const o of [secretValue, secretLock, open]) {
      o.unlink();
      o.close();
    }
    secretUnnamed.close();
  }
});

const root = process.getuid?.() === 0;
const asRoot = root ? test : test.skip; // chown and setuid need root

/** Code and message of what `fn` throws ('' and 'returned' when it returns). */
function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { code: e.code ?? '', message: e.message ?? '' };
  }
  return { code: '', message: 'returned' };
}

asRoot('a segment another user owns is refused by default, naming the owner, and accepted with allowOtherOwners', () => {
  // Made here, closed here (so nothing is cached), then given to nobody.
  const lockName = fresh();
  const lock = new RLock({ name: lockName });
  const lockDesc = lock.toJSON();
  lock.close();
  const valueName = fresh();
  const value = Value('i', 5, { name: valueName });
  const valueDesc = value.toJSON();
  value.close();
  // Ours, but its header refers to nobody's lock.
  const guardedName = fresh();
  const guarded = Value('i', 6, { name: guardedName, lock: attachLock(lockName) });
  const guardedDesc = guarded.toJSON();
  guarded.getLock().close();
  guarded.close();
  for (const name of [lockName, valueName]) fs.chownSync(`/dev/shm/${name}`, 65534, 65534);
  const trust = { allowOtherOwners: true };

  const refused = [
    failure(() => attach(valueName)),
    failure(() => attach(valueDesc)),
    failure(() => attach(valueName, { type: 'i' })),
    failure(() => attachLock(lockName)),
    failure(() => attachLock(lockDesc)),
    failure(() => attach(lockName)),
    failure(() => attach(guardedName)),
    failure(() => attach(guardedDesc)),
  ];
  expect(refused.map((f) => f.code)).toEqual(Array.from({ length: refused.length }, () => 'ERR_SHM_PERMISSION'));
  for (const f of refused) expect(f.message).toMatch(/belongs to uid 65534 \(nobody\), not to this process's user \(uid 0 \(root\)\).*allowOtherOwners/);
  expect(refused[0].message).toContain(`'${valueName}'`);

  const v = attach<{ value: number; close(): void }>(valueName, { type: 'i', ...trust });
  const viaDesc = attach<{ value: number; close(): void }>(valueDesc, trust);
  const l = attachLock(lockName, trust);
  const l2 = attachLock(lockDesc, trust);
  const g = attach<{ value: number; getLock(): { close(): void }; close(): void }>(guardedName, trust);
  const g2 = attach<{ value: number; getLock(): { close(): void }; close(): void }>(guardedDesc, trust);
  try {
    expect([v.value, viaDesc.value, l.kind, l2.kind, g.value, g2.value]).toEqual([5, 5, 'RLock', 'RLock', 6, 6]);
    // Already mapped here with the option: still refused without it.
    expect(failure(() => attach(valueName)).code).toBe('ERR_SHM_PERMISSION');
    expect(failure(() => attachLock(lockName)).code).toBe('ERR_SHM_PERMISSION');
  } finally {
    for (const o of [v, viaDesc, l, l2, g, g2]) o.close();
  }

  // inherited() follows the same rule; a failed call leaves nothing attached and can be retried.
  const saved = process.env.SHAREDCTYPES_SHARED;
  process.env.SHAREDCTYPES_SHARED = sharedEnv({ mine: { toJSON: () => guardedDesc }, theirs: { toJSON: () => valueDesc } }).SHAREDCTYPES_SHARED;
  try {
    expect(failure(() => inherited()).code).toBe('ERR_SHM_PERMISSION');
    const got = inherited<{ mine: { value: number }; theirs: { value: number } }>(trust);
    expect([got.mine.value, got.theirs.value]).toEqual([6, 5]);
  } finally {
    if (saved === undefined) delete process.env.SHAREDCTYPES_SHARED;
    else process.env.SHAREDCTYPES_SHARED = saved;
  }
  for (const name of [lockName, valueName, guardedName]) unlink(name);
});

test('allowOtherOwners is checked: a boolean, and no unknown options', () => {
  const name = fresh();
  const value = Value('i', 1, { name });
  try {
    const codes = [
      failure(() => attach(name, { allowOtherOwners: 'yes' as unknown as boolean })),
      failure(() => attachLock(name, { allowOtherOwners: 1 as unknown as boolean })),
      failure(() => attachLock(name, { trust: true } as never)),
      failure(() => attachLock(name, 5 as never)),
      failure(() => attach(name, { allowOtherOwner: true } as never)),
      failure(() => inherited({ allowOtherOwners: null as unknown as boolean })),
    ].map((f) => f.code);
    expect(codes).toEqual(['ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE', 'ERR_INVALID_ARG_TYPE']);
    // Its own segments need no option, and false is the default.
    const again = attach<{ value: number; close(): void }>(name, { allowOtherOwners: false });
    expect(again.value).toBe(1);
    again.close();
  } finally {
    value.unlink();
    value.close();
  }
});

asRoot("another user's process refuses root's 0o666 segment unless allowOtherOwners; read permission alone (0o644) is not enough", async () => {
  const shared = Value('i', 21, { name: fresh(), mode: 0o666 });
  const sharedLock = new Lock({ name: fresh(), mode: 0o666 });
  const readOnly = Value('i', 22, { name: fresh(), mode: 0o644 });
  const trust = { allowOtherOwners: true };
  const targets = [
    { source: shared.toJSON().segment },
    { source: shared.toJSON() },
    { source: sharedLock.toJSON().segment, lock: true },
    { source: shared.toJSON().segment, options: trust },
    { source: shared.toJSON(), options: trust },
    { source: sharedLock.toJSON().segment, lock: true, options: trust },
    { source: readOnly.toJSON().segment, options: trust },
  ];
  try {
    const probe = forkFixture('permission-probe.js', [JSON.stringify({ drop: true, targets })]);
    const report = await probe.next<{ uid: number; results: string[]; messages: string[] }>();
    expect(await exitOf(probe)).toEqual({ code: 0, signal: null });
    expect(report.uid).toBe(65534);
    expect(report.results).toEqual(['ERR_SHM_PERMISSION', 'ERR_SHM_PERMISSION', 'ERR_SHM_PERMISSION', 'attached:21', 'attached:21', 'attached:Lock', 'ERR_SHM_PERMISSION']);
    expect(report.messages[0]).toMatch(/belongs to uid 0 \(root\), not to this process's user \(uid 65534 \(nobody\)\)/);
    // The read-only case is the OS refusing to open for writing, not the owner check.
    expect(report.messages[6]).toMatch(/Permission denied \(shm_open\)/);
  } finally {
    for (const o of [shared, sharedLock, readOnly]) {
      o.unlink();
      o.close();
    }
  }
});

test('generated names carry 80 random bits: 16 base32 characters, all distinct, every symbol at every position', () => {
  // Arrays above 64 KiB get a segment of their own, named afresh each time:
  // 2,000 of them, made and closed one by one, show the generator's output.
  const names = Array.from({ length: 2_000 }, () => {
    const big = RawArray('B', 70_000);
    try {
      return big.toJSON().segment;
    } finally {
      big.close();
    }
  });
  expect(names.filter((n) => !GENERATED.test(n))).toEqual([]);
  expect(new Set(names).size).toBe(names.length);
  // macOS allows 31 characters with the leading slash.
  expect(Math.max(...names.map((n) => n.length))).toBeLessThanOrEqual(30);
  // 16 x 5 bits = 80 >= 64, and each position really varies over all 32 symbols
  // (a symbol missing from one position in 2,000 names: probability below 1e-25).
  const start = RUN_PREFIX.length;
  for (let pos = start; pos < start + 16; pos++) expect(new Set(names.map((n) => n[pos])).size).toBe(32);

  // The names of the other kinds of segment: arenas (objects, locks) and dedicated ones kept open.
  const objects = [...Array.from({ length: 40 }, () => RawArray('B', 70_000)), Value('i'), new Lock()];
  try {
    const segments = objects.map((o) => o.toJSON().segment);
    expect(segments.filter((n) => !GENERATED.test(n))).toEqual([]);
    expect(new Set(segments.slice(0, 40)).size).toBe(40);
  } finally {
    for (const o of objects) o.close();
  }
});

test.each([
  ['empty', ''],
  ['only a slash', '/'],
  ['a slash inside', 'a/b'],
  ['a backslash', 'a\\b'],
  ['a NUL', 'a\0b'],
  ['dot', '.'],
  ['dot-dot', '..'],
  ['201 bytes', 'n'.repeat(201)],
  ['202 bytes of UTF-8 in 101 characters', '\u00e9'.repeat(101)],
  ['300 characters', 'x'.repeat(300)],
])('a name with %s is ERR_SHM_INVALID_NAME everywhere', (_what, name) => {
  const calls: Array<[string, () => unknown]> = [
    ['Value', () => Value('i', 0, { name })],
    ['RawArray', () => RawArray('d', 2, { name })],
    ['Lock', () => new Lock({ name })],
    ['attach', () => attach(name)],
    ['attachLock', () => attachLock(name)],
    ['unlink', () => unlink(name)],
  ];
  const codes = calls.map(([fn, call]) => {
    try {
      call();
      return `${fn}: no error`;
    } catch (err) {
      return `${fn}: ${(err as { code?: string }).code}`;
    }
  });
  expect(codes).toEqual(calls.map(([fn]) => `${fn}: ERR_SHM_INVALID_NAME`));
});

test('valid names: up to 200 bytes, a leading slash means the same name, non-ASCII allowed', () => {
  const long = fresh().padEnd(200, 'x');
  made.add(long);
  const a = Value('i', 1, { name: long });
  const bare = fresh();
  const b = RawArray('d', [2.5], { name: `/${bare}` });
  const unicode = `${fresh()}-\u00fcn\u00efc\u00f6d\u00e9`;
  made.add(unicode);
  const c = new Lock({ name: unicode });
  try {
    expect(fs.existsSync(`/dev/shm/${long}`)).toBe(true);
    expect(b.toJSON().segment).toBe(bare);
    expect(fs.existsSync(`/dev/shm/${bare}`)).toBe(true);
    const again = attach<typeof b>(`/${bare}`);
    expect([...again]).toEqual([2.5]);
    again.close();
    const lock = attachLock(unicode);
    expect(lock.kind).toBe('Lock');
    lock.close();
  } finally {
    for (const o of [a, b, c]) {
      o.unlink();
      o.close();
    }
  }
  expect([long, bare, unicode].filter((n) => fs.existsSync(`/dev/shm/${n}`))).toEqual([]);
});
