// The fallback watchdog started by owned.ts when the native helper
// (native/watchdog/) cannot run: it waits for EOF on stdin (its parent died,
// however it died, or retired it), then unlinks every name the registry still
// lists as live and whose segment is the parent's, removes the registry file
// and exits.
//
// argv[2]: the registry path, only to remove it; argv[3]: the parent's pid.
// The registry is read through fd 3, the parent's own open file: no race on a
// path in a shared /tmp, and a /tmp cleaner removing the path loses nothing.
import fs from 'fs';

const REGISTRY_FD = 3;
const registryPath = process.argv[2];
const parentPid = Number(process.argv[3]);
// native/platform/header_format.h's values, spelled here because this
// process must work even where the addon cannot be loaded.
const MAGIC = Buffer.from('SCTYPES\0', 'latin1');
const OFF_CREATOR_PID = 48;

// Outlive the parent: a Ctrl-C to its group, a hangup, or systemd's SIGTERM to
// the whole cgroup must not kill us before it; we exit on our own right after.
for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM'] as const) process.on(signal, () => {});

// Loaded now, not at EOF: the package may be gone by then.
const unlink = loadUnlink();

function loadUnlink(): (name: string) => void {
  try {
    const { Segment } = require('../base/native') as typeof import('../base/native');
    return (name) => {
      if (isOurs(headOf(name, Segment))) Segment.unlink(name);
    };
  } catch {
    // Without the addon we can still do the job on Linux.
    return (name) => {
      if (isOurs(headOf(name, undefined))) fs.rmSync(`/dev/shm/${name}`, { force: true });
    };
  }
}

/** The first bytes of the segment (fewer if it is shorter), or undefined if it cannot be read. */
function headOf(name: string, segment: typeof import('../base/native').Segment | undefined): Buffer | undefined {
  const head = Buffer.alloc(OFF_CREATOR_PID + 4);
  try {
    if (process.platform === 'linux' || segment === undefined) {
      const fd = fs.openSync(`/dev/shm/${name}`, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      try {
        fs.readSync(fd, head, 0, head.length, 0);
      } finally {
        fs.closeSync(fd);
      }
    } else {
      const seg = segment.open(name);
      try {
        const bytes = new Uint8Array(seg.buffer());
        head.set(bytes.subarray(0, head.length));
      } finally {
        seg.close();
      }
    }
  } catch {
    return undefined;
  }
  return head;
}

/**
 * Ours to remove: a complete header whose creator is the parent, or one never
 * finished (magic all zero: the creator writes it last) whose creator pid is
 * the parent's or not written yet. Never another creator's or a foreign file.
 */
function isOurs(head: Buffer | undefined): boolean {
  if (head === undefined) return false;
  const creator = head.readUInt32LE(OFF_CREATOR_PID);
  if (head.subarray(0, 8).equals(MAGIC)) return creator === parentPid;
  if (head.subarray(0, 8).every((b) => b === 0)) return creator === parentPid || creator === 0;
  return false;
}

/** The whole registry, read by position (the shared offset is at the end). */
function readRegistry(): string {
  const size = fs.fstatSync(REGISTRY_FD).size;
  const bytes = Buffer.alloc(size);
  let done = 0;
  while (done < size) {
    const n = fs.readSync(REGISTRY_FD, bytes, done, size - done, done);
    if (n === 0) break;
    done += n;
  }
  return bytes.toString('utf8', 0, done);
}

/** Names added and not removed. A malformed line is skipped. */
function liveNames(log: string): Set<string> {
  const live = new Set<string>();
  const lines = log.split('\n');
  lines.pop(); // no '\n' after it: a torn write, never a whole name
  for (const line of lines) {
    let name: string;
    try {
      name = decodeURIComponent(line.slice(1));
    } catch {
      continue;
    }
    // Never a path: the /dev/shm fallback must not reach outside it.
    if (!/^[^/\\\0]+$/.test(name) || name === '.' || name === '..') continue;
    if (line[0] === '+') live.add(name);
    else if (line[0] === '-') live.delete(name);
  }
  return live;
}

function removeRegistryPath(): void {
  try {
    const [a, b] = [fs.fstatSync(REGISTRY_FD), fs.statSync(registryPath)];
    if (a.ino === b.ino && a.dev === b.dev) fs.unlinkSync(registryPath);
  } catch {
    // Already removed (by the parent's exit handler, or a /tmp cleaner).
  }
}

let done = false;
function cleanUp(): void {
  if (done) return;
  done = true;
  try {
    for (const name of liveNames(readRegistry())) {
      try {
        unlink(name);
      } catch {
        // ERR_SHM_NOT_FOUND: the parent got to it first. Other names still go.
      }
    }
  } finally {
    removeRegistryPath();
    process.exit(0);
  }
}

// 'error' too: on Windows a dead writer can surface as a broken pipe.
process.stdin.on('end', cleanUp).on('close', cleanUp).on('error', cleanUp);
process.stdin.on('data', () => {}); // nothing is ever sent; reading is what detects EOF
