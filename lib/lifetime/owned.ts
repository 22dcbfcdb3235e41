// Lifetime of the segments this process created without a name: they are
// unlinked when the thread that made them ends (a worker's at its end, the
// main thread's in an 'exit' handler) or when the process dies in any other
// way, SIGKILL included (a watchdog process), like Python's resource_tracker.
//
// The state is the addon's (native/glue/owned.cc, native/platform/watchdog_*.cc), shared by every thread: one
// registry file and ONE watchdog per process, a small native helper
// (native/watchdog/) found next to the addon. Every track/untrack is appended
// synchronously to the registry, which the watchdog holds as its fd 3; it
// reads it when its stdin reaches EOF: the kernel closes our end of that pipe
// however we die, so we never have to write to it. Each name is also recorded
// with the thread that tracked it, and an env cleanup hook unlinks a worker's
// names when the worker ends (naturally, process.exit(), an uncaught
// exception, terminate()) while the process lives on.
//
// Fallback: if the helper is missing or cannot start, a thread gets its own
// Node watchdog (watchdog-main.ts) as before; the warning comes only if that
// fails too.
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { isMainThread } from 'worker_threads';
import { addonDir, binding } from '../base/native';

/** The helper's file name, next to the addon. */
const HELPER = 'sharedctypes-watchdog';

let helper: string | undefined;
/** 'node' once the native helper failed for this thread: a Node watchdog of its own. */
let mode: 'native' | 'node' = 'native';
let exitHooked = false;
let warned = false;

/** Marks a segment name as owned by this thread: unlinked when the thread ends or the process dies. */
export function trackOwned(name: string): void {
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', unlinkAllAtExit);
  }
  if (mode === 'node') {
    binding.ownedTrack(name, '');
    nodeTrack(name);
    return;
  }
  const pid = binding.ownedTrack(name, helperPath());
  if (pid !== 0) return; // the helper watches it (or, on Windows, nothing has to)
  mode = 'node';
  // Whatever this thread tracked so far goes into the new registry too.
  for (const n of binding.ownedNames()) nodeTrack(n);
}

/** Some thread of this process owns `name` (its segment goes when that thread ends). */
export function isOwned(name: string): boolean {
  return binding.ownedHas(name);
}

/** The name was unlinked (or handed off) by us: stop tracking it. */
export function untrackOwned(name: string): void {
  binding.ownedUntrack(name);
  if (mode === 'node') nodeUntrack(name);
}

/** Names currently tracked by this thread (for tests/diagnostics). */
export function ownedNames(): string[] {
  return binding.ownedNames();
}

/** @internal The current watchdog's pid (tests). */
export function watchdogPid(): number | undefined {
  if (mode === 'node') return registry?.child?.pid;
  return binding.ownedWatchdog() || undefined;
}

/** @internal The current registry file (tests). */
export function registryPath(): string | undefined {
  if (mode === 'node') return registry?.path;
  return binding.ownedRegistry() || undefined;
}

/** @internal Where the native helper is looked for (tests: a missing one forces the fallback). */
export function setWatchdogHelper(file: string): void {
  helper = file;
}

function helperPath(): string {
  if (helper === undefined) {
    try {
      helper = path.join(addonDir(), HELPER);
    } catch {
      helper = ''; // no helper: the fallback
    }
  }
  return helper;
}

function unlinkAllAtExit(): void {
  // The main thread's names; a worker's go in its cleanup hook, at its end.
  if (isMainThread) binding.ownedExit();
  nodeOwned.clear();
  // Truncated first, so a Node watchdog (which may still read it through its
  // descriptor) does not unlink again names someone may have reused since.
  if (registry) retire(registry);
  registry = undefined;
}

// --- fallback: a Node watchdog per thread -----------------------------------

interface Registry {
  path: string;
  fd: number;
  /** Lines written, to decide when to rotate. */
  lines: number;
  child: ChildProcess | undefined;
}

/** Rotate the log when it holds this many lines and mostly dead ones. */
const ROTATE_LINES = 16384;

const nodeOwned = new Set<string>();
let registry: Registry | undefined;
let started = false;
/** A spawn failed: do not fork once per segment trying again; the exit handler still works. */
let spawnBroken = false;

function nodeTrack(name: string): void {
  if (nodeOwned.has(name)) return;
  if (!started) {
    started = true;
    registry = openRegistry([]);
  } else if (registry && !registry.child && !spawnBroken) {
    registry.child = spawnWatchdog(registry);
  }
  nodeOwned.add(name);
  append('+', name);
}

function nodeUntrack(name: string): void {
  if (nodeOwned.delete(name)) append('-', name);
}

// Names may contain '\n'; encoding keeps one name per line (and is the
// identity for generated 'sct-…' names).
const line = (op: '+' | '-', name: string): string => `${op}${encodeURIComponent(name)}\n`;

function append(op: '+' | '-', name: string): void {
  if (!registry) return;
  // After a rotation the new log already holds the live set, this change included.
  if (registry.lines >= ROTATE_LINES && registry.lines > 4 * nodeOwned.size && rotate()) return;
  try {
    writeAll(registry.fd, line(op, name));
    registry.lines++;
  } catch (err) {
    warn(err);
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done);
}

/** A new registry holding `names`, watched by a new watchdog; undefined if either fails. */
function openRegistry(names: Iterable<string>): Registry | undefined {
  const file = path.join(os.tmpdir(), `sharedctypes-owned-${process.pid}-${randomBytes(8).toString('hex')}.log`);
  let fd = -1;
  try {
    // Exclusive: never follow a link planted in a shared /tmp. Read+append: the
    // watchdog reads through the same open file.
    fd = fs.openSync(file, 'ax+', 0o600);
    const lines = [...names].map((n) => line('+', n));
    if (lines.length > 0) writeAll(fd, lines.join(''));
    const reg: Registry = { path: file, fd, lines: lines.length, child: undefined };
    reg.child = spawnWatchdog(reg);
    return reg;
  } catch (err) {
    if (fd >= 0) retire({ path: file, fd, lines: 0, child: undefined });
    warn(err);
    return undefined;
  }
}

/** Starts a log holding only the live set, then lets the old watchdog go. */
function rotate(): boolean {
  const old = registry!;
  const fresh = spawnBroken ? undefined : openRegistry(nodeOwned);
  if (!fresh?.child) {
    if (fresh) retire(fresh);
    old.lines = nodeOwned.size; // keep the old, watched log; try again later
    return false;
  }
  registry = fresh;
  // Emptied before its EOF: the old watchdog then has nothing to unlink. A death
  // in between only makes both watchdogs unlink the same names.
  retire(old);
  old.child?.stdin?.end();
  return true;
}

function spawnWatchdog(reg: Registry): ChildProcess | undefined {
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  // Not the parent's flags (an --inspect port clash, loaders) nor its IPC channel.
  delete env.NODE_OPTIONS;
  delete env.NODE_CHANNEL_FD;
  delete env.NODE_CHANNEL_SERIALIZATION_MODE;
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [path.join(__dirname, 'watchdog-main.js'), reg.path, String(process.pid)], {
      stdio: ['pipe', 'ignore', 'ignore', reg.fd],
      detached: true, // own session: a Ctrl-C to our process group does not reach it
      windowsHide: true,
      env,
      cwd: __dirname,
    });
  } catch (err) {
    spawnBroken = true;
    warn(err);
    return undefined;
  }
  const forget = (): void => {
    if (reg.child === child) reg.child = undefined;
  };
  child.on('error', (err) => {
    spawnBroken = true;
    forget();
    warn(err);
  });
  // Killed by someone while we live: the next trackOwned() starts another.
  child.once('exit', forget);
  // The watchdog must never keep us alive: neither the process nor the pipe.
  child.unref();
  const stdin = child.stdin;
  if (stdin instanceof net.Socket) stdin.unref();
  stdin?.on('error', () => {}); // EPIPE on rotation if it already died
  return child;
}

/** Empties, removes and closes a registry file. */
function retire(reg: Registry): void {
  try {
    fs.ftruncateSync(reg.fd, 0);
    const [a, b] = [fs.fstatSync(reg.fd), fs.statSync(reg.path)];
    // Only if the path is still our file (a /tmp cleaner may have removed it).
    if (a.ino === b.ino && a.dev === b.dev) fs.unlinkSync(reg.path);
  } catch {
    // Best effort: the watchdog removes the path too.
  }
  try {
    fs.closeSync(reg.fd);
  } catch {
    // Already closed.
  }
}

function warn(err: unknown): void {
  if (warned) return;
  warned = true;
  const why = err instanceof Error ? err.message : String(err);
  process.emitWarning(
    `sharedctypes: cannot guarantee cleanup of unnamed segments if this process is killed (${why}); they are still removed on a normal exit`,
    { code: 'SHAREDCTYPES_NO_WATCHDOG' },
  );
}
