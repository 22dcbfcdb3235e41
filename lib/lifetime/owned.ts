// Lifetime of the segments this process created without a name: they are
// unlinked when the process exits (an 'exit' handler) or dies in any other
// way, SIGKILL included (a watchdog process), like Python's resource_tracker.
//
// Durability: every track/untrack is appended synchronously to a registry file
// that the watchdog holds through an inherited descriptor (fd 3), so whatever
// was registered before a SIGKILL is known to the watchdog. The watchdog reads
// it when its stdin reaches EOF: the kernel closes our end of that pipe however
// we die, so we never have to write to it.
//
// State is per thread (module state is per isolate): a worker thread that
// creates unnamed segments gets its own registry and watchdog, and the pipe to
// that watchdog belongs to the worker's event loop, so the worker's segments
// are unlinked when the worker ends, even if the process lives on.
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { Segment } from '../native';

interface Registry {
  path: string;
  fd: number;
  /** Lines written, to decide when to rotate. */
  lines: number;
  child: ChildProcess | undefined;
}

/** Rotate the log when it holds this many lines and mostly dead ones. */
const ROTATE_LINES = 16384;

const owned = new Set<string>();
let registry: Registry | undefined;
let started = false;
/** A spawn failed: do not fork once per segment trying again; the exit handler still works. */
let spawnBroken = false;
let warned = false;

/** Marks a segment name as owned by this process: unlinked when the process exits or dies. */
export function trackOwned(name: string): void {
  if (owned.has(name)) return;
  if (!started) {
    started = true;
    process.on('exit', unlinkAllAtExit);
    registry = openRegistry([]);
  } else if (registry && !registry.child && !spawnBroken) {
    registry.child = spawnWatchdog(registry);
  }
  owned.add(name);
  append('+', name);
}

/** The name was unlinked (or handed off) by us: stop tracking it. */
export function untrackOwned(name: string): void {
  if (owned.delete(name)) append('-', name);
}

/** Names currently tracked (for tests/diagnostics). */
export function ownedNames(): string[] {
  return [...owned];
}

/** @internal The current watchdog's pid (tests). */
export function watchdogPid(): number | undefined {
  return registry?.child?.pid;
}

/** @internal The current registry file (tests). */
export function registryPath(): string | undefined {
  return registry?.path;
}

// Names may contain '\n'; encoding keeps one name per line (and is the
// identity for generated 'sct-…' names).
const line = (op: '+' | '-', name: string): string => `${op}${encodeURIComponent(name)}\n`;

function append(op: '+' | '-', name: string): void {
  if (!registry) return;
  // After a rotation the new log already holds the live set, this change included.
  if (registry.lines >= ROTATE_LINES && registry.lines > 4 * owned.size && rotate()) return;
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
  const fresh = spawnBroken ? undefined : openRegistry(owned);
  if (!fresh?.child) {
    if (fresh) retire(fresh);
    old.lines = owned.size; // keep the old, watched log; try again later
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
    child = spawn(process.execPath, [path.join(__dirname, 'watchdog-main.js'), reg.path], {
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

function unlinkAllAtExit(): void {
  for (const name of owned) {
    try {
      Segment.unlink(name);
    } catch {
      // ERR_SHM_NOT_FOUND: already gone. Anything else cannot be acted on
      // while exiting; throwing here would only mask the real exit code.
    }
  }
  owned.clear();
  // Truncated first, so the watchdog (which may still read it through its
  // descriptor) does not unlink again names someone may have reused since.
  if (registry) retire(registry);
  registry = undefined;
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
