// Fork fixtures and talk to them: every test asserts the child's exit code and
// signal, and afterEach kills anything a failed test left running.
import { ChildProcess, fork } from 'child_process';
import fs from 'fs';
import path from 'path';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Peer {
  child: ChildProcess;
  /** The next IPC message (queued if it came early). */
  next<T = Record<string, unknown>>(): Promise<T>;
  send(message: unknown): void;
  exited: Promise<Exit>;
}

const live = new Set<ChildProcess>();

export function forkFixture(fixture: string, args: string[] = [], execArgv: string[] = []): Peer {
  const child = fork(path.join(__dirname, '..', 'fixtures', fixture), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
  });
  live.add(child);
  const queue: unknown[] = [];
  const waiters: Array<(m: unknown) => void> = [];
  child.on('message', (m) => {
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    child,
    exited,
    send: (m) => child.send(m as never),
    next<T>(): Promise<T> {
      if (queue.length > 0) return Promise.resolve(queue.shift() as T);
      return new Promise<T>((resolve, reject) => {
        waiters.push((m) => resolve(m as T));
        void exited.then((e) => reject(new Error(`fixture ${fixture} exited (${e.code ?? e.signal}) before replying`)));
      });
    },
  };
}

/** Kills fixtures left by a failing test; call from afterEach. */
export async function killAll(): Promise<void> {
  const pending = [...live].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  );
  await Promise.all(pending);
}

/** Resolves with the child's exit; fails the test if it takes too long. */
export function exitOf(peer: Peer, ms = 30000): Promise<Exit> {
  return Promise.race([
    peer.exited,
    new Promise<Exit>((_, reject) => setTimeout(() => reject(new Error('fixture did not exit in time')), ms).unref()),
  ]);
}

/** Exited: ESRCH, or a zombie nobody reaps (the orphan's new parent may not be a real init). */
export function gone(pid: number): boolean {
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
