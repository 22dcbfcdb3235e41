// Segment names: validation of user names and unguessable generated ones.
import { randomBytes } from 'crypto';
import { SharedCtypesError, typeError } from '../base/errors';
import { binding } from '../base/native';

/**
 * Longest name in bytes, without the leading slash: 200, 30 on macOS (31 with
 * the slash). The native layer's limit, so both layers refuse the same names.
 */
export const MAX_NAME_BYTES = binding.MAX_NAME_BYTES;

/** Default prefix of the names this library generates. */
export const DEFAULT_PREFIX = 'sct-';

/**
 * Prefix of every name this library generates: `SHAREDCTYPES_NAME_PREFIX`
 * when it is a short safe string (so a service, or one test run, can tell
 * its segments apart), else 'sct-'. At most 10 bytes keeps generated names
 * inside macOS's 30.
 */
export const AUTO_PREFIX = prefixFromEnv(process.env.SHAREDCTYPES_NAME_PREFIX);

function prefixFromEnv(value: string | undefined): string {
  return value !== undefined && /^[A-Za-z0-9._-]{1,10}$/.test(value) ? value : DEFAULT_PREFIX;
}

/**
 * Normalises a user-given name (a leading slash is accepted and dropped) and
 * checks it, with a message a user can act on.
 */
export function normalizeName(name: unknown): string {
  if (typeof name !== 'string') throw typeError('ERR_INVALID_ARG_TYPE', `name must be a string, got ${typeof name}`);
  const bare = name.startsWith('/') ? name.slice(1) : name;
  const invalid = (why: string): SharedCtypesError =>
    new SharedCtypesError('ERR_SHM_INVALID_NAME', `invalid segment name ${JSON.stringify(name)}: ${why}`);
  if (bare.length === 0) throw invalid('it is empty');
  if (/[/\\\0]/.test(bare)) throw invalid("it must not contain '/', '\\' or NUL");
  if (bare === '.' || bare === '..') throw invalid("it must not be '.' or '..'");
  const bytes = Buffer.byteLength(bare, 'utf8');
  if (bytes > MAX_NAME_BYTES) throw invalid(`it is ${bytes} bytes long; the limit on ${process.platform} is ${MAX_NAME_BYTES}`);
  return bare;
}

/**
 * A fresh name with 80 random bits: the prefix ('sct-') + 16 base32
 * characters, at most 26 bytes: inside macOS's limit and unguessable by other users.
 */
export function randomName(prefix: string = AUTO_PREFIX): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return prefix + out;
}
