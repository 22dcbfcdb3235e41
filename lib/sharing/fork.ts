// Handing shared objects to child processes without name plumbing: the
// parent puts their descriptors in one environment variable, the child's
// inherited() attaches them. The same variable works for cluster workers
// (cluster.fork(sharedEnv(...))) and worker threads (the `env` option).
import child_process = require('child_process');
import { typeError } from '../base/errors';
import { isDescriptor, LockDescriptor, ObjectDescriptor } from '../descriptor/descriptor';
import { attach, AttachLockOptions, checkAttachOptions, SharedObject, TRUST_KEYS } from './attach';

export const SHARED_ENV = 'SHAREDCTYPES_SHARED';

/** Anything with a sharedctypes descriptor: shared objects and locks. */
export interface Shareable {
  toJSON(): ObjectDescriptor | LockDescriptor;
}

export interface ForkOptions extends child_process.ForkOptions {
  /** Objects the child receives from inherited(), by key. */
  shared?: Record<string, Shareable>;
}

/** `{ SHAREDCTYPES_SHARED: … }`: environment entries that hand `shared` to a child, cluster worker or worker thread. */
export function sharedEnv(shared: Record<string, Shareable>): Record<string, string> {
  if (typeof shared !== 'object' || shared === null) throw typeError('ERR_INVALID_ARG_TYPE', 'shared must be an object of shared objects');
  const out: Record<string, ObjectDescriptor | LockDescriptor> = {};
  for (const [key, obj] of Object.entries(shared)) {
    if (typeof obj !== 'object' || obj === null || typeof (obj as Partial<Shareable>).toJSON !== 'function') {
      throw typeError('ERR_INVALID_ARG_TYPE', `shared.${key} is not a shared object`);
    }
    const d = obj.toJSON();
    if (!isDescriptor(d)) {
      throw typeError('ERR_INVALID_ARG_TYPE', `shared.${key} is not a shared object`);
    }
    out[key] = d;
  }
  return { [SHARED_ENV]: JSON.stringify(out) };
}

/**
 * child_process.fork with shared objects: `fork('worker.js', [], { shared: { counter } })`;
 * in the child, `inherited()` returns `{ counter }` attached.
 */
export function fork(modulePath: string, args?: readonly string[], options?: ForkOptions): child_process.ChildProcess {
  const { shared, ...forkOptions } = options ?? {};
  const env = { ...(forkOptions.env ?? process.env), ...(shared === undefined ? {} : sharedEnv(shared)) };
  return child_process.fork(modulePath, args ?? [], { ...forkOptions, env });
}

let cache: Record<string, SharedObject> | undefined;

/**
 * The objects the parent passed with fork({ shared }) or sharedEnv(), attached
 * (once; later calls return the same objects). Empty when there are none.
 * A segment owned by another user (a parent running as another user) is
 * ERR_SHM_PERMISSION unless `options.allowOtherOwners`; on any failure the
 * objects attached so far are closed again, and a later call retries.
 */
export function inherited<T extends object = Record<string, SharedObject>>(options?: AttachLockOptions): T {
  const allowOtherOwners = checkAttachOptions(options, 'inherited()', TRUST_KEYS);
  if (cache === undefined) {
    const text = process.env[SHARED_ENV];
    const out: Record<string, SharedObject> = {};
    if (text !== undefined && text !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw typeError('ERR_INVALID_ARG_VALUE', `${SHARED_ENV} is not valid JSON`);
      }
      if (typeof parsed !== 'object' || parsed === null) throw typeError('ERR_INVALID_ARG_VALUE', `${SHARED_ENV} is not an object`);
      try {
        for (const [key, d] of Object.entries(parsed as Record<string, unknown>)) out[key] = attach(d as ObjectDescriptor, allowOtherOwners ? { allowOtherOwners } : undefined);
      } catch (err) {
        for (const obj of Object.values(out)) obj.close();
        throw err;
      }
    }
    cache = out;
  }
  return cache as T;
}
