// `.value` and `.raw` of a `c` array, as ctypes' c_char arrays have them:
// .value is the latin1 string up to the first NUL, .raw all the bytes.
import { rangeError, typeError } from '../base/errors';
import { byteOf, charCode } from '../types/scalars';

/** Latin1 bytes of a string for a `c` array; a character above U+00FF is a TypeError. */
export function latin1Bytes(s: string, what: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = charCode(s[i], what);
  return out;
}

export function charValue(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(bytes.buffer, bytes.byteOffset, end < 0 ? bytes.length : end).toString('latin1');
}

/** Stores a string and a NUL after it if there is room (none when it fills the array exactly). */
export function setCharValue(bytes: Uint8Array, s: unknown): void {
  if (typeof s !== 'string') throw typeError('ERR_INVALID_ARG_TYPE', `a c_char array's value is a string, got ${typeof s}`);
  const encoded = latin1Bytes(s, 'a c_char array');
  if (encoded.length > bytes.length) {
    throw rangeError('ERR_OUT_OF_RANGE', `a string of ${encoded.length} bytes does not fit a c_char array of ${bytes.length}`);
  }
  bytes.set(encoded);
  if (encoded.length < bytes.length) bytes[encoded.length] = 0;
}

/** A copy of all the bytes. */
export function charRaw(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes);
}

/** Stores bytes (a Buffer, Uint8Array or array of byte numbers), no NUL added. */
export function setCharRaw(bytes: Uint8Array, raw: unknown): void {
  if (!(raw instanceof Uint8Array) && !Array.isArray(raw)) {
    throw typeError('ERR_INVALID_ARG_TYPE', `a c_char array's raw value is a Buffer or Uint8Array, got ${raw === null ? 'null' : typeof raw}`);
  }
  if (raw.length > bytes.length) {
    throw rangeError('ERR_OUT_OF_RANGE', `${raw.length} bytes do not fit a c_char array of ${bytes.length}`);
  }
  if (Array.isArray(raw)) {
    for (const b of raw) byteOf(b, 'each .raw element'); // checked before anything is stored
  }
  bytes.set(raw);
}
