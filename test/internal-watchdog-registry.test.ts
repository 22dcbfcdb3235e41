// INTERNAL: the watchdog's registry of owned names (lib/lifetime/owned.ts,
// native/glue/owned.cc, native/watchdog/), driven directly by
// test/fixtures/registry-owner.js: an unregistered segment is kept, malformed
// or torn registry lines are skipped, the watchdog removes only segments
// whose header names the dead owner (or that it never finished), a long
// register/unregister history rotates the registry, and without the native
// helper a Node watchdog takes over. The public API never registers or
// unregisters a name by itself, never shows the registry file, and cannot
// remove the helper; lifetime.test.ts shows the public outcome (segments
// removed with their owner).
import fs from 'fs';
import { unlink } from '../dist';
import { leftoverNamesCleanedAfterEach, until } from './helpers/shm';
import { exitOf, forkFixture, gone, Peer } from './helpers/processes';
import { testName } from './helpers/names';

interface Ready {
  unnamed: string[];
  untracked: string[];
  owned: string[];
  watchdog: number;
  registry: string;
  warnings: string[];
  first: { watchdog: number; registry: string };
}

const exists = (name: string): boolean => fs.existsSync(`/dev/shm/${name}`);
const leftovers = leftoverNamesCleanedAfterEach();

async function owner(cmd: Record<string, unknown>): Promise<{ peer: Peer; ready: Ready }> {
  const peer = forkFixture('registry-owner.js', [JSON.stringify(cmd)]);
  const ready = await peer.next<Ready>();
  ready.unnamed.forEach((n) => leftovers.add(n));
  expect(ready.watchdog).toEqual(expect.any(Number));
  expect(ready.unnamed.every(exists)).toBe(true);
  return { peer, ready };
}

async function sigkill(peer: Peer): Promise<void> {
  peer.child.kill('SIGKILL');
  expect(await exitOf(peer)).toEqual({ code: null, signal: 'SIGKILL' });
}

test.each(['SIGKILL', 'exit'])('untrackOwned() keeps a segment (%s)', async (how) => {
  const { peer, ready } = await owner({ unnamed: 3, untrack: 1 });
  const [kept] = ready.untracked;
  expect(ready.owned.sort()).toEqual(ready.unnamed.slice(1).sort());
  if (how === 'exit') {
    peer.send({ type: 'exit' });
    expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
  } else {
    await sigkill(peer);
  }
  expect(await until(() => gone(ready.watchdog))).toBe(true); // its cleanup is over
  expect(ready.unnamed.filter(exists)).toEqual([kept]);
  unlink(kept);
});

test('malformed or torn registry lines are skipped, the rest is still cleaned', async () => {
  const { peer, ready } = await owner({ unnamed: 2 });
  // Zero-filled, as a segment never finished: the watchdog would remove it if it read the torn line.
  const bystander = testName('lifetime');
  fs.writeFileSync(`/dev/shm/${bystander}`, Buffer.alloc(4096), { flag: 'wx' });
  leftovers.add(bystander);
  // A torn last line (no '\n') must not be read as a name, even a real one.
  fs.appendFileSync(ready.registry, `junk\n+%E0%A4%A\n+..\n-\n+\n+${bystander}`);
  await sigkill(peer);
  expect(await until(() => !ready.unnamed.some(exists))).toBe(true);
  expect(await until(() => gone(ready.watchdog))).toBe(true);
  expect(exists(bystander)).toBe(true);
  fs.rmSync(`/dev/shm/${bystander}`);
});

test("the watchdog removes only segments that are the dead owner's, or that it never finished", async () => {
  const { peer, ready } = await owner({ unnamed: 1 });
  const ownerPid = peer.child.pid!;
  /** A /dev/shm file with `magic` at 0 and `pid` at 48, as a half-built or foreign segment would be. */
  const plant = (magic: string, pid: number, size = 4096): string => {
    const name = testName('lifetime-plant');
    const bytes = Buffer.alloc(size);
    if (size > 0) {
      bytes.write(magic, 0, 'latin1');
      bytes.writeUInt32LE(pid, 48);
    }
    fs.writeFileSync(`/dev/shm/${name}`, bytes, { flag: 'wx' });
    leftovers.add(name);
    return name;
  };
  const removed = [plant('SCTYPES\0', ownerPid), plant('\0'.repeat(8), ownerPid), plant('', 0), plant('', 0, 0)];
  const kept = [plant('SCTYPES\0', process.pid), plant('\0'.repeat(8), process.pid), plant('FOREIGN!', ownerPid)];
  fs.appendFileSync(ready.registry, [...removed, ...kept].map((n) => `+${encodeURIComponent(n)}\n`).join(''));
  await sigkill(peer);
  expect(await until(() => gone(ready.watchdog))).toBe(true);
  expect({ removed: removed.filter(exists), kept: kept.filter((n) => !exists(n)) }).toEqual({ removed: [], kept: [] });
  expect(ready.unnamed.filter(exists)).toEqual([]);
  kept.forEach((n) => fs.rmSync(`/dev/shm/${n}`));
});

test('a long track/untrack history rotates the registry and retires the old watchdog', async () => {
  const { peer, ready } = await owner({ unnamed: 2, churn: 20000 });
  expect(ready.watchdog).not.toBe(ready.first.watchdog);
  expect(fs.existsSync(ready.first.registry)).toBe(false);
  expect(await until(() => gone(ready.first.watchdog))).toBe(true);
  expect(ready.unnamed.every(exists)).toBe(true); // the retired watchdog unlinked nothing
  expect(fs.statSync(ready.registry).size).toBeLessThan(1 << 20);
  await sigkill(peer);
  expect(await until(() => !ready.unnamed.some(exists))).toBe(true);
  expect(await until(() => gone(ready.watchdog))).toBe(true);
});

test('without the helper, a Node watchdog still cleans up after a SIGKILL, with no warning', async () => {
  const { peer, ready } = await owner({ unnamed: 3, helper: '/nonexistent/sharedctypes-watchdog' });
  expect(fs.readlinkSync(`/proc/${ready.watchdog}/exe`)).toBe(fs.realpathSync(process.execPath));
  expect(ready.warnings).toEqual([]);
  await sigkill(peer);
  expect(await until(() => !ready.unnamed.some(exists))).toBe(true);
  expect(await until(() => gone(ready.watchdog))).toBe(true);
});
