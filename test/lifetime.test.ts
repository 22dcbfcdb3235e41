// Unnamed segments vanish with the process that created them: on a normal exit
// (exit handler) and on SIGKILL (watchdog), while named ones, untracked ones and
// other processes' mappings stay; and the watchdog never outlives its job.
import fs from 'fs';
import { leftoverNamesCleanedAfterEach } from './helpers/shm';
import { Segment } from '../dist/native';
import { exitOf, forkFixture, Peer } from './helpers/processes';
import { testName } from './helpers/names';

interface Ready {
  unnamed: string[];
  named: string[];
  untracked: string[];
  owned: string[];
  watchdog: number;
  registry: string;
  first: { watchdog: number; registry: string };
}

const exists = (name: string): boolean => fs.existsSync(`/dev/shm/${name}`);
const leftovers = leftoverNamesCleanedAfterEach();

async function until(cond: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** Exited: ESRCH, or a zombie nobody reaps (the orphan's new parent may not be a real init). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function owner(cmd: Record<string, unknown>): Promise<{ peer: Peer; ready: Ready }> {
  const peer = forkFixture('owner.js', [JSON.stringify({ op: 'own', ...cmd })]);
  const ready = await peer.next<Ready>();
  [...ready.unnamed, ...ready.named].forEach((n) => leftovers.add(n));
  expect(ready.watchdog).toEqual(expect.any(Number));
  expect([...ready.unnamed, ...ready.named].every(exists)).toBe(true);
  return { peer, ready };
}

async function sigkill(peer: Peer): Promise<void> {
  peer.child.kill('SIGKILL');
  expect(await exitOf(peer)).toEqual({ code: null, signal: 'SIGKILL' });
}

/** The signals the watchdog has handlers for, from /proc (Linux). */
function caught(pid: number): bigint {
  const m = /SigCgt:\s*([0-9a-f]+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

describe('unnamed segments die with their owner', () => {
  test('SIGKILL: unnamed ones are unlinked, named ones stay, the watchdog exits', async () => {
    const named = [testName('lifetime'), testName('lifetime')];
    const { peer, ready } = await owner({ unnamed: 5, named });
    expect(ready.owned.sort()).toEqual([...ready.unnamed].sort());
    // A Ctrl-C, hangup or SIGTERM sent to the watchdog does not stop it.
    const handled = (1n << 1n) | (1n << 0n) | (1n << 14n); // SIGINT, SIGHUP, SIGTERM
    expect(await until(() => (caught(ready.watchdog) & handled) === handled, 5000)).toBe(true);
    for (const sig of ['SIGINT', 'SIGHUP', 'SIGTERM'] as const) process.kill(ready.watchdog, sig);
    await new Promise((r) => setTimeout(r, 50));
    expect(gone(ready.watchdog)).toBe(false);

    await sigkill(peer);
    expect(await until(() => !ready.unnamed.some(exists))).toBe(true);
    expect(named.every(exists)).toBe(true);
    named.forEach((n) => Segment.unlink(n));
    expect(await until(() => gone(ready.watchdog))).toBe(true);
    expect(fs.existsSync(ready.registry)).toBe(false);
  });

  test('normal exit: the exit handler unlinks them before the process is gone', async () => {
    const { peer, ready } = await owner({ unnamed: 3 });
    peer.send({ type: 'exit' });
    expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
    expect(ready.unnamed.filter(exists)).toEqual([]);
    expect(fs.existsSync(ready.registry)).toBe(false);
    expect(await until(() => gone(ready.watchdog))).toBe(true);
  });

  test('1,000 tracked segments are gone within 2 s of a SIGKILL', async () => {
    const { peer, ready } = await owner({ unnamed: 1000 });
    expect(ready.unnamed).toHaveLength(1000);
    await sigkill(peer);
    expect(await until(() => !ready.unnamed.some(exists), 2000)).toBe(true);
    expect(await until(() => gone(ready.watchdog))).toBe(true);
  });

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
    Segment.unlink(kept);
  });
});

describe('around the owner', () => {
  test('a process attached to a killed owner segment keeps using its mapping', async () => {
    const { peer, ready } = await owner({ unnamed: 1 });
    const [name] = ready.unnamed;
    const attacher = forkFixture('owner.js', [JSON.stringify({ op: 'attach', name })]);
    expect(await attacher.next()).toEqual({ type: 'attached' });
    await sigkill(peer);
    expect(await until(() => !exists(name))).toBe(true);
    attacher.send({ type: 'check' });
    expect(await attacher.next()).toEqual({ type: 'checked', ok: true });
    attacher.send({ type: 'exit' });
    expect(await exitOf(attacher)).toEqual({ code: 0, signal: null });
  });

  test('malformed or torn registry lines are skipped, the rest is still cleaned', async () => {
    const { peer, ready } = await owner({ unnamed: 2 });
    const bystander = testName('lifetime');
    Segment.create(bystander, 4096).close();
    leftovers.add(bystander);
    // A torn last line (no '\n') must not be read as a name, even a real one.
    fs.appendFileSync(ready.registry, `junk\n+%E0%A4%A\n+..\n-\n+\n+${bystander}`);
    await sigkill(peer);
    expect(await until(() => !ready.unnamed.some(exists))).toBe(true);
    expect(await until(() => gone(ready.watchdog))).toBe(true);
    expect(exists(bystander)).toBe(true);
    Segment.unlink(bystander);
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

  test.each(['natural', 'terminate'])('a worker thread segments go when the worker ends (%s)', async (end) => {
    const peer = forkFixture('owner.js', [JSON.stringify({ op: 'worker', end })]);
    const ready = await peer.next<Ready>();
    ready.unnamed.forEach((n) => leftovers.add(n));
    expect(ready.unnamed.every(exists)).toBe(true);
    peer.send({ type: 'end' });
    expect(await peer.next()).toEqual({ type: 'ended' });
    // The process lives on; the worker's segments are gone.
    expect(await until(() => !ready.unnamed.some(exists))).toBe(true);
    expect(await until(() => gone(ready.watchdog))).toBe(true);
    peer.send({ type: 'exit' });
    expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
  });
});
