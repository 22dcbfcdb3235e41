// Unnamed segments vanish with the thread or process that created them: on a
// normal exit (exit handler), at a worker's end (cleanup hook) and on SIGKILL
// (the watchdog: one small native helper per process), while named ones and
// other processes' mappings stay; and the watchdog never outlives its job.
// Through the public API (test/fixtures/owner.js) and from outside: the
// watchdog is found as the owner's child in /proc, its registry as its fd 3.
// (The registry's own rules are internal-watchdog-registry.test.ts's.)
import fs from 'fs';
import path from 'path';
import { unlink } from '../dist';
import type { ObjectDescriptor } from '../dist';
import { leftoverNamesCleanedAfterEach, until } from './helpers/shm';
import { exitOf, forkFixture, gone, Peer } from './helpers/processes';
import { testName } from './helpers/names';

// node-gyp-build ships no types; resolve() is the path of the addon it loads.
const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
const HELPER = path.join(path.dirname(nodeGypBuild.resolve(path.join(__dirname, '..'))), 'sharedctypes-watchdog');

/** What owner.js reports, and what the test found of its watchdog. */
interface Ready {
  unnamed: string[];
  descriptors: ObjectDescriptor[];
  named: string[];
  sleeper?: number;
  watchdog: number;
  registry: string;
}

const exists = (name: string): boolean => fs.existsSync(`/dev/shm/${name}`);
const leftovers = leftoverNamesCleanedAfterEach();

async function owner(cmd: Record<string, unknown>): Promise<{ peer: Peer; ready: Ready }> {
  const peer = forkFixture('owner.js', [JSON.stringify({ op: 'own', ...cmd })]);
  const reported = await peer.next<Omit<Ready, 'watchdog' | 'registry'>>();
  [...reported.unnamed, ...reported.named].forEach((n) => leftovers.add(n));
  expect([...reported.unnamed, ...reported.named].every(exists)).toBe(true);
  const watchdog = await watchdogOf(peer.child.pid!);
  return { peer, ready: { ...reported, watchdog, registry: registryOf(watchdog) } };
}

async function sigkill(peer: Peer): Promise<void> {
  peer.child.kill('SIGKILL');
  expect(await exitOf(peer)).toEqual({ code: null, signal: 'SIGKILL' });
}

/** A field of /proc/<pid>/status (Linux). */
function status(pid: number, field: string): string {
  const m = new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? m[1].trim() : '';
}

/** The signals a process ignores or has handlers for. */
function ignoredOrCaught(pid: number): bigint {
  return BigInt(`0x${status(pid, 'SigIgn')}`) | BigInt(`0x${status(pid, 'SigCgt')}`);
}

/** Resident set size in KiB. */
const rssKiB = (pid: number): number => parseInt(status(pid, 'VmRSS'), 10);

// Under scripts/sanitize.sh the ASan runtime is preloaded into every process,
// the helper included, and takes about 1.5 MiB of its own.
const HELPER_RSS_KIB = (process.env.LD_PRELOAD ?? '').includes('libasan') ? 8 * 1024 : 5 * 1024;

/** The native helper, small, in a session of its own, holding only fds 0-3, not our cwd. */
function expectSmallHelper(pid: number): void {
  expect(fs.readlinkSync(`/proc/${pid}/exe`)).toBe(fs.realpathSync(HELPER));
  expect(rssKiB(pid)).toBeLessThan(HELPER_RSS_KIB);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  expect(Number(stat[3])).toBe(pid); // session id: its own session
  expect(fs.readdirSync(`/proc/${pid}/fd`).sort()).toEqual(['0', '1', '2', '3']);
  expect(fs.readlinkSync(`/proc/${pid}/cwd`)).toBe('/');
}

/** Processes whose parent is `ppid` (Linux /proc), with the file they run. */
function childrenOf(ppid: number): Array<{ pid: number; exe: string }> {
  const out: Array<{ pid: number; exe: string }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(status(Number(entry), 'PPid')) !== ppid) continue;
      out.push({ pid: Number(entry), exe: fs.readlinkSync(`/proc/${entry}/exe`) });
    } catch {
      // exited meanwhile, or a zombie (no exe)
    }
  }
  return out;
}

/** The children of `pid` that run the native helper. */
const helpersOf = (pid: number): number[] => childrenOf(pid).filter((k) => k.exe === fs.realpathSync(HELPER)).map((k) => k.pid);

/**
 * The helper has finished starting (session of its own, cwd '/', every fd but
 * 0-3 closed): a helper that never gets there fails expectSmallHelper after the wait.
 */
function settled(watchdog: number): boolean {
  try {
    const sid = Number(fs.readFileSync(`/proc/${watchdog}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[3]);
    return sid === watchdog && fs.readlinkSync(`/proc/${watchdog}/cwd`) === '/' && fs.readdirSync(`/proc/${watchdog}/fd`).length === 4;
  } catch {
    return false;
  }
}

/**
 * The one watchdog of process `pid`: its only child running the native
 * helper, once started (the owner may report before the helper has exec'd
 * and set itself up).
 */
async function watchdogOf(pid: number): Promise<number> {
  await until(() => {
    const helpers = helpersOf(pid);
    return helpers.length > 0 && helpers.every(settled);
  });
  const helpers = helpersOf(pid);
  expect(helpers).toHaveLength(1);
  return helpers[0];
}

/** The registry file a watchdog reads: its fd 3. */
const registryOf = (watchdog: number): string => fs.readlinkSync(`/proc/${watchdog}/fd/3`);

describe('unnamed segments die with their owner', () => {
  test('SIGKILL: unnamed ones are unlinked, named ones stay, the watchdog exits', async () => {
    const named = [testName('lifetime'), testName('lifetime')];
    const { peer, ready } = await owner({ unnamed: 5, named, odd: true });
    expect(ready.unnamed).toHaveLength(6);
    expect(ready.unnamed.some((n) => n.includes('\n'))).toBe(true); // named, with unlinkOnExit
    expectSmallHelper(ready.watchdog);
    // A Ctrl-C, hangup or SIGTERM sent to the watchdog does not stop it.
    const handled = (1n << 1n) | (1n << 0n) | (1n << 14n); // SIGINT, SIGHUP, SIGTERM
    expect(ignoredOrCaught(ready.watchdog) & handled).toBe(handled);
    for (const sig of ['SIGINT', 'SIGHUP', 'SIGTERM'] as const) process.kill(ready.watchdog, sig);
    await new Promise((r) => setTimeout(r, 50));
    expect(gone(ready.watchdog)).toBe(false);

    await sigkill(peer);
    expect(await until(() => !ready.unnamed.some(exists))).toBe(true);
    expect(named.every(exists)).toBe(true);
    named.forEach((n) => unlink(n));
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

  test('1,000 unnamed segments are gone within 2 s of a SIGKILL', async () => {
    const { peer, ready } = await owner({ unnamed: 1000 });
    expect(ready.unnamed).toHaveLength(1000);
    await sigkill(peer);
    expect(await until(() => !ready.unnamed.some(exists), 2000)).toBe(true);
    expect(await until(() => gone(ready.watchdog))).toBe(true);
  });
});

describe('around the owner', () => {
  test('a process attached to a killed owner segment keeps using its mapping', async () => {
    const { peer, ready } = await owner({ unnamed: 1 });
    const [name] = ready.unnamed;
    const attacher = forkFixture('owner.js', [JSON.stringify({ op: 'attach', descriptor: ready.descriptors[0] })]);
    expect(await attacher.next()).toEqual({ type: 'attached' });
    await sigkill(peer);
    expect(await until(() => !exists(name))).toBe(true);
    attacher.send({ type: 'check' });
    expect(await attacher.next()).toEqual({ type: 'checked', ok: true });
    attacher.send({ type: 'exit' });
    expect(await exitOf(attacher)).toEqual({ code: 0, signal: null });
  });

  test('a child started after the watchdog does not hold its pipe: a SIGKILL still cleans up while the child lives', async () => {
    const { peer, ready } = await owner({ unnamed: 3, sleeper: true });
    const sleeper = ready.sleeper!;
    try {
      expect(gone(sleeper)).toBe(false);
      await sigkill(peer);
      expect(await until(() => !ready.unnamed.some(exists))).toBe(true);
      expect(await until(() => gone(ready.watchdog))).toBe(true);
      expect(gone(sleeper)).toBe(false);
    } finally {
      process.kill(sleeper, 'SIGKILL');
    }
  });

  test('a watchdog killed while its owner lives is replaced at the next creation, with every live name', async () => {
    const { peer, ready } = await owner({ unnamed: 3 });
    process.kill(ready.watchdog, 'SIGKILL');
    expect(await until(() => gone(ready.watchdog))).toBe(true);
    peer.send({ type: 'more', unnamed: 2 });
    const more = await peer.next<{ unnamed: string[] }>();
    more.unnamed.forEach((n) => leftovers.add(n));
    const watchdog = await watchdogOf(peer.child.pid!);
    expect(watchdog).not.toBe(ready.watchdog);
    expectSmallHelper(watchdog);
    await sigkill(peer);
    expect(await until(() => ![...ready.unnamed, ...more.unnamed].some(exists))).toBe(true);
    expect(await until(() => gone(watchdog))).toBe(true);
  });

  test.each(['natural', 'exit', 'throw', 'terminate'])(
    'a worker thread segments go when the worker ends (%s), the process and its one watchdog live on',
    async (end) => {
      const peer = forkFixture('owner.js', [JSON.stringify({ op: 'worker', end })]);
      const ready = await peer.next<{ unnamed: string[] }>();
      ready.unnamed.forEach((n) => leftovers.add(n));
      expect(ready.unnamed.every(exists)).toBe(true);
      // The worker started the process's watchdog: one for the process, not the thread.
      const watchdog = await watchdogOf(peer.child.pid!);
      const registry = registryOf(watchdog);
      expectSmallHelper(watchdog);
      peer.send({ type: 'end' });
      const ended = await peer.next<{ code: number }>();
      expect(ended.code).toBe({ natural: 0, exit: 3, throw: 1, terminate: 1 }[end]);
      // The process lives on; the worker's segments are gone, the watchdog stays.
      expect(ready.unnamed.filter(exists)).toEqual([]);
      expect(await watchdogOf(peer.child.pid!)).toBe(watchdog);
      expect(gone(watchdog)).toBe(false);
      peer.send({ type: 'exit' });
      expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
      expect(await until(() => gone(watchdog))).toBe(true);
      expect(fs.existsSync(registry)).toBe(false);
    },
  );
});

interface Family {
  processes: Array<{ pid: number; segments: string[] }>;
}

describe('one small watchdog per process', () => {
  test('1 main thread + 4 workers + 3 forked children: 4 watchdogs, each the native helper under 5 MiB', async () => {
    const peer = forkFixture('family.js', [JSON.stringify({ workers: 4, children: 3 })]);
    const { processes } = await peer.next<Family>();
    processes.forEach((p) => p.segments.forEach((n) => leftovers.add(n)));
    expect(processes).toHaveLength(4);
    // Each thread's objects are in segments of its own (an arena and a dedicated one): 5 threads, then 1 each.
    expect(processes.map((p) => new Set(p.segments).size)).toEqual([10, 2, 2, 2]);
    const rss: number[] = [];
    const watchdogs: number[] = [];
    for (const p of processes) {
      expect(p.segments.every(exists)).toBe(true);
      // Whatever its threads, a process started one helper, and no other process but its forked children.
      await watchdogOf(p.pid);
      const kids = childrenOf(p.pid);
      const others = new Set(processes.map((q) => q.pid));
      const started = kids.filter((k) => !others.has(k.pid));
      expect(started.map((k) => k.exe)).toEqual([fs.realpathSync(HELPER)]);
      const [{ pid: watchdog }] = started;
      expectSmallHelper(watchdog);
      watchdogs.push(watchdog);
      rss.push(rssKiB(watchdog));
    }
    expect(new Set(watchdogs).size).toBe(4);
    console.log(`4 processes (5 threads in one) -> 4 watchdogs, VmRSS ${rss.join(', ')} KiB`);

    peer.send({ type: 'exit' });
    expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
    const all = processes.flatMap((p) => p.segments);
    expect(await until(() => !all.some(exists))).toBe(true);
    expect(await until(() => processes.every((p, i) => gone(p.pid) && gone(watchdogs[i])))).toBe(true);
  });

  test('SIGKILL of a process whose main thread and 4 workers own segments: all unlinked within 2 s', async () => {
    const peer = forkFixture('family.js', [JSON.stringify({ workers: 4, children: 0 })]);
    const { processes } = await peer.next<Family>();
    const [{ pid, segments }] = processes;
    segments.forEach((n) => leftovers.add(n));
    expect(segments.length).toBeGreaterThanOrEqual(10);
    expect(segments.every(exists)).toBe(true);
    const watchdog = await watchdogOf(pid);
    await sigkill(peer);
    expect(await until(() => !segments.some(exists), 2000)).toBe(true);
    expect(await until(() => gone(watchdog))).toBe(true);
  });
});
