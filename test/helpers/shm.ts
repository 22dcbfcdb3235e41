// /dev/shm checks and polling for the object and sharing tests.
import fs from 'fs';
import { killAll } from './processes';

/** The segment exists in /dev/shm (Linux). */
export function shmExists(name: string): boolean {
  return fs.existsSync(`/dev/shm/${name}`);
}

/** Polls `cond` every 10 ms for up to `ms`; true as soon as it holds. */
export async function until(cond: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** Class name and code of what `fn` throws (classes compared by name: errors may come from another realm). */
export function thrown(fn: () => unknown): { name: string; code: string | undefined } | undefined {
  try {
    fn();
  } catch (err) {
    const e = err as { name?: unknown; code?: unknown };
    return { name: String(e.name), code: typeof e.code === 'string' ? e.code : undefined };
  }
  return undefined;
}

/**
 * Kills leftover fixtures and removes the named segments a failed test left,
 * after each test; returns the set to add such names to.
 */
export function leftoverNamesCleanedAfterEach(): Set<string> {
  const leftovers = new Set<string>();
  afterEach(async () => {
    await killAll();
    for (const name of leftovers) fs.rmSync(`/dev/shm/${name}`, { force: true });
    leftovers.clear();
  });
  return leftovers;
}
