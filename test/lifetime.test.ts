// Unnamed segments vanish with the thread or process that created them: on a
// normal exit (exit handler), at a worker's end (cleanup hook) and on SIGKILL
// (the watchdog: one small native helper per process), while named ones,
// untracked ones, other creators' segments and other processes' mappings
// stay; and the watchdog never outlives its job.
import fs from 'fs';
import path from 'path';
import { leftoverNamesCleanedAfterEach } from './helpers/shm';
import { Segment } from '../dist/base/native';
import { exitOf, forkFixture, Peer } from './helpers/processes';
import { testName } from './helpers/names';

// node-gyp-build ships no types; resolve() is the path of the addon it loads.
const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
const HELPER = path.join(path.dirname(nodeGypBuild.resolve(path.join(__dirname, '..'))), 'sharedctypes-watchdog');

interface Ready {
  unnamed: string[];
  named: string[];
  untracked: string[];
  owned: string[];
  watchdog: number;
  registry: string;
  warnings: string[];
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

/** The native helper, small, in a session of its own, holding only fds 0-3, not our cwd. */
async function expectSmallHelper(pid: number): Promise<void> {
  expect(fs.readlinkSync(`/proc/${pid}/exe`)).toBe(fs.realpathSync(HELPER));
  // Its first steps (chdir, closing what it inherited) may still be running just after the spawn.
  await until(() => fs.readlinkSync(`/proc/${pid}/cwd`) === '/' && fs.readdirSync(`/proc/${pid}/fd`).length === 4);
  expect(rssKiB(pid)).toBeLessThan(5 * 1024);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  expect(Number(stat[3])).toBe(pid); // session id: its own session
  expect(fs.readdirSync(`/proc/${pid}/fd`).sort()).toEqual(['0', '1', '2', '3']);
  expect(fs.readlinkSync(`/proc/${pid}/cwd`)).toBe('/');
}

describe('unnamed segments die with their owner', () => {
  test('SIGKILL: unnamed ones are unlinked, named ones stay, the watchdog exits', async () => {
    const named = [testName('lifetime'), testName('lifetime')];
    const { peer, ready } = await owner({ unnamed: 5, named, odd: true });
    expect(ready.owned.sort()).toEqual([...ready.unnamed].sort());
    expect(ready.unnamed.some((n) => n.includes('\n'))).toBe(true);
    await expectSmallHelper(ready.watchdog);
    // A Ctrl-C, hangup or SIGTERM sent to the watchdog does not stop it.
    const handled = (1n << 1n) | (1n << 0n) | (1n << 14n); // SIGINT, SIGHUP, SIGTERM
    expect(ignoredOrCaught(ready.watchdog) & handled).toBe(handled);
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

  test('a child started after the watchdog does not hold its pipe: a SIGKILL still cleans up while the child lives', async () => {
    const { peer, ready } = await owner({ unnamed: 3, sleeper: true });
    const sleeper = (ready as unknown as { sleeper: number }).sleeper;
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

  test('a watchdog killed while its owner lives is replaced at the next track, with every live name', async () => {
    const { peer, ready } = await owner({ unnamed: 3 });
    process.kill(ready.watchdog, 'SIGKILL');
    expect(await until(() => gone(ready.watchdog))).toBe(true);
    peer.send({ type: 'more', unnamed: 2 });
    const more = await peer.next<{ unnamed: string[]; watchdog: number }>();
    more.unnamed.forEach((n) => leftovers.add(n));
    expect(more.watchdog).not.toBe(ready.watchdog);
    await expectSmallHelper(more.watchdog);
    await sigkill(peer);
    expect(await until(() => ![...ready.unnamed, ...more.unnamed].some(exists))).toBe(true);
    expect(await until(() => gone(more.watchdog))).toBe(true);
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

  test('the watchdog removes only segments that are the dead owner\'s, or that it never finished', async () => {
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

  test.each(['natural', 'exit', 'throw', 'terminate'])(
    'a worker thread segments go when the worker ends (%s), the process and its one watchdog live on',
    async (end) => {
      const peer = forkFixture('owner.js', [JSON.stringify({ op: 'worker', end })]);
      const ready = await peer.next<Ready & { mainWatchdog: number }>();
      ready.unnamed.forEach((n) => leftovers.add(n));
      expect(ready.unnamed.every(exists)).toBe(true);
      // The worker started the process's watchdog; the main thread sees the same one.
      expect(ready.mainWatchdog).toBe(ready.watchdog);
      await expectSmallHelper(ready.watchdog);
      peer.send({ type: 'end' });
      const ended = await peer.next<{ code: number; watchdog: number }>();
      expect(ended.code).toBe({ natural: 0, exit: 3, throw: 1, terminate: 1 }[end]);
      // The process lives on; the worker's segments are gone, the watchdog stays.
      expect(ready.unnamed.filter(exists)).toEqual([]);
      expect(ended.watchdog).toBe(ready.watchdog);
      expect(gone(ready.watchdog)).toBe(false);
      peer.send({ type: 'exit' });
      expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
      expect(await until(() => gone(ready.watchdog))).toBe(true);
      expect(fs.existsSync(ready.registry)).toBe(false);
    },
  );
});

interface Family {
  processes: Array<{ pid: number; watchdogs: number[]; segments: string[] }>;
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

describe('one small watchdog per process', () => {
  test('1 main thread + 4 workers + 3 forked children: 4 watchdogs, each the native helper under 5 MiB', async () => {
    const peer = forkFixture('family.js', [JSON.stringify({ workers: 4, children: 3 })]);
    const { processes } = await peer.next<Family>();
    processes.forEach((p) => p.segments.forEach((n) => leftovers.add(n)));
    expect(processes).toHaveLength(4);
    expect(processes[0].watchdogs).toHaveLength(5); // main + 4 workers
    const rss: number[] = [];
    for (const p of processes) {
      expect(p.segments.every(exists)).toBe(true);
      // Every thread of a process has the same watchdog...
      expect(new Set(p.watchdogs).size).toBe(1);
      // ...and it is the only helper, and the only process but the forked children, it started.
      const [watchdog] = p.watchdogs;
      const kids = childrenOf(p.pid);
      const others = new Set(processes.map((q) => q.pid));
      expect(kids.filter((k) => !others.has(k.pid))).toEqual([{ pid: watchdog, exe: fs.realpathSync(HELPER) }]);
      await expectSmallHelper(watchdog);
      rss.push(rssKiB(watchdog));
    }
    expect(new Set(processes.map((p) => p.watchdogs[0])).size).toBe(4);
    console.log(`4 processes (5 threads in one) -> 4 watchdogs, VmRSS ${rss.join(', ')} KiB`);

    peer.send({ type: 'exit' });
    expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
    const all = processes.flatMap((p) => p.segments);
    expect(await until(() => !all.some(exists))).toBe(true);
    expect(await until(() => processes.every((p) => gone(p.pid) && gone(p.watchdogs[0])))).toBe(true);
  });

  test('SIGKILL of a process whose main thread and 4 workers own segments: all unlinked within 2 s', async () => {
    const peer = forkFixture('family.js', [JSON.stringify({ workers: 4, children: 0 })]);
    const { processes } = await peer.next<Family>();
    const [{ segments, watchdogs }] = processes;
    segments.forEach((n) => leftovers.add(n));
    expect(segments.length).toBeGreaterThanOrEqual(10);
    expect(segments.every(exists)).toBe(true);
    await sigkill(peer);
    expect(await until(() => !segments.some(exists), 2000)).toBe(true);
    expect(await until(() => gone(watchdogs[0]))).toBe(true);
  });

  test('without the helper, a Node watchdog still cleans up after a SIGKILL, with no warning', async () => {
    const { peer, ready } = await owner({ unnamed: 3, helper: '/nonexistent/sharedctypes-watchdog' });
    expect(fs.readlinkSync(`/proc/${ready.watchdog}/exe`)).toBe(fs.realpathSync(process.execPath));
    expect(ready.warnings).toEqual([]);
    await sigkill(peer);
    expect(await until(() => !ready.unnamed.some(exists))).toBe(true);
    expect(await until(() => gone(ready.watchdog))).toBe(true);
  });
});
