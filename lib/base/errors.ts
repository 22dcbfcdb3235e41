// Error codes and the library's error class. Native failures are built from
// the same classes (lib/base/native.ts hands them to the addon), so a cause
// has one class and one `code` whether TypeScript or native code saw it.

/**
 * Every `code` this library puts on an error, as a runtime list (the README's
 * error table and the native code table are checked against it).
 */
export const ERROR_CODES = [
  'ERR_SHM_EXISTS',
  'ERR_SHM_NOT_FOUND',
  'ERR_SHM_PERMISSION',
  'ERR_SHM_NO_SPACE',
  'ERR_SHM_MAP_LIMIT',
  'ERR_SHM_INVALID_NAME',
  'ERR_SHM_CLOSED',
  'ERR_SHM_BAD_HEADER',
  'ERR_SHM_LAYOUT_MISMATCH',
  'ERR_SHM_INCOMPLETE',
  'ERR_SHM_TOO_LARGE',
  'ERR_SHM_SYSTEM',
  'ERR_INVALID_TYPE',
  'ERR_LOCK_NOT_OWNER',
  'ERR_LOCK_TIMEOUT',
  'ERR_LOCK_DEADLOCK',
  'ERR_LOCK_NOT_RECOVERABLE',
  'ERR_LOCK_INVALID',
  'ERR_LOCK_SYSTEM',
  'ERR_NO_LOCK',
  'ERR_ILLEGAL_CONSTRUCTOR',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_OUT_OF_RANGE',
] as const;

/** Every `code` this library puts on an error. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Options of a {@link SharedCtypesError}: the lower-level error, and the OS failure's details. */
export interface SharedCtypesErrorOptions {
  cause?: unknown;
  /** The OS error number, with libuv's sign as in Node's own errors (negative on POSIX). */
  errno?: number;
  /** The OS call that failed. */
  syscall?: string;
}

// jest evaluates this module once per test file while the addon (and the
// errors it made for an earlier file) stays, and a bundle may hold two copies:
// membership is a registered symbol on the prototype, not class identity.
const BRAND = Symbol.for('sharedctypes.SharedCtypesError');

/**
 * The error of every failure that is not a bad argument: a stable `code`;
 * for OS failures also `errno` and `syscall`; `cause` holds the lower-level
 * error, if any. Bad arguments are `TypeError`s and `RangeError`s with a
 * `code`, as in Node.
 */
export class SharedCtypesError extends Error {
  readonly code: ErrorCode;
  /** The OS error number (libuv's sign: negative on POSIX), for OS failures. */
  declare readonly errno?: number;
  /** The OS call that failed, for OS failures. */
  declare readonly syscall?: string;

  constructor(code: ErrorCode, message: string, options?: SharedCtypesErrorOptions) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.name = 'SharedCtypesError';
    if (options?.errno !== undefined) (this as { errno?: number }).errno = options.errno;
    if (options?.syscall !== undefined) (this as { syscall?: string }).syscall = options.syscall;
  }

  /**
   * `x instanceof SharedCtypesError` holds for errors made by any copy of this
   * module; subclasses keep the ordinary prototype test.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== SharedCtypesError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }
}
Object.defineProperty(SharedCtypesError.prototype, BRAND, { value: true });

export function typeError(code: ErrorCode, message: string): TypeError & { code: ErrorCode } {
  const err = new TypeError(message) as TypeError & { code: ErrorCode };
  err.code = code;
  return err;
}

export function rangeError(code: ErrorCode, message: string): RangeError & { code: ErrorCode } {
  const err = new RangeError(message) as RangeError & { code: ErrorCode };
  err.code = code;
  return err;
}

/** The `code` of anything thrown, or undefined. */
export function codeOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
