// Checking the options object of the factories: options are always the last
// argument, and a misspelt option is an error rather than silently ignored.
import { typeError } from '../base/errors';
import { Lock, ProcessLock, RLock } from '../locks/lock';
import { checkIfExists, checkMode } from '../segment/segment';

export interface RawOptions {
  /** Create the object in its own segment under this exact name (exclusive: an existing name is ERR_SHM_EXISTS). */
  name?: string;
  /** Permission bits of a named object's segment, default 0o600. */
  mode?: number;
  /** Unlink a named object's segment when this process exits (also when it is killed). */
  unlinkOnExit?: boolean;
  /**
   * What a named creation does when the name exists: `'error'` (default,
   * ERR_SHM_EXISTS) or `'attach'`: open-or-create, atomically, whichever
   * process comes first creates (with `init`); the others attach to it, with
   * its type, length and kind checked (ERR_SHM_LAYOUT_MISMATCH).
   */
  ifExists?: 'error' | 'attach';
}

export interface SyncOptions extends RawOptions {
  /**
   * `true`, `undefined` or `null` (default): a new RLock; `false`: return the
   * raw object; a Lock or RLock: use that lock (several objects may share it).
   */
  lock?: boolean | null | Lock | RLock;
}

export interface CheckedOptions {
  name: string | undefined;
  mode: number;
  unlinkOnExit: boolean;
  /** Attach to an existing object of that name instead of failing. */
  attachIfExists: boolean;
  /** 'own': a new RLock; null: none; or the lock to use. */
  lock: 'own' | ProcessLock | null;
}

const RAW_KEYS = new Set(['name', 'mode', 'unlinkOnExit', 'ifExists']);
const SYNC_KEYS = new Set(['name', 'mode', 'unlinkOnExit', 'ifExists', 'lock']);

export function checkOptions(options: unknown, fn: string, synchronized: boolean): CheckedOptions {
  if (options === undefined) return { name: undefined, mode: checkMode(undefined), unlinkOnExit: false, attachIfExists: false, lock: synchronized ? 'own' : null };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw typeError('ERR_INVALID_ARG_TYPE', `${fn}() options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  const allowed = synchronized ? SYNC_KEYS : RAW_KEYS;
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      const hint = key === 'lock' ? ` (${fn}() objects have no lock; use Value/Array or synchronized())` : '';
      throw typeError('ERR_INVALID_ARG_VALUE', `${fn}() has no option ${JSON.stringify(key)}${hint}`);
    }
  }
  const o = options as Record<string, unknown>;
  if (o.name !== undefined && typeof o.name !== 'string') throw typeError('ERR_INVALID_ARG_TYPE', `name must be a string, got ${typeof o.name}`);
  if (o.unlinkOnExit !== undefined && typeof o.unlinkOnExit !== 'boolean') {
    throw typeError('ERR_INVALID_ARG_TYPE', `unlinkOnExit must be a boolean, got ${typeof o.unlinkOnExit}`);
  }
  if (o.unlinkOnExit === true && o.name === undefined) {
    throw typeError('ERR_INVALID_ARG_VALUE', 'unlinkOnExit is for named objects; unnamed ones are always removed when their creator exits');
  }
  let lock: CheckedOptions['lock'] = null;
  if (synchronized) {
    const l = o.lock;
    if (l === undefined || l === null || l === true) lock = 'own';
    else if (l === false) lock = null;
    else if (l instanceof ProcessLock) lock = l;
    else throw typeError('ERR_INVALID_ARG_TYPE', `lock must be true, false, a Lock or an RLock, got ${typeof l}`);
  }
  const attachIfExists = checkIfExists(o.ifExists, o.name);
  return { name: o.name as string | undefined, mode: checkMode(o.mode), unlinkOnExit: o.unlinkOnExit === true, attachIfExists, lock };
}
