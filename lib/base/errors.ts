// Error codes and the error class for failures that originate in TypeScript.
// Native failures arrive as plain Errors carrying the same `code` values.

/** Every `code` this library puts on an Error. */
export type ErrorCode =
  | 'ERR_SHM_EXISTS'
  | 'ERR_SHM_NOT_FOUND'
  | 'ERR_SHM_PERMISSION'
  | 'ERR_SHM_NO_SPACE'
  | 'ERR_SHM_MAP_LIMIT'
  | 'ERR_SHM_INVALID_NAME'
  | 'ERR_SHM_CLOSED'
  | 'ERR_SHM_BAD_HEADER'
  | 'ERR_SHM_LAYOUT_MISMATCH'
  | 'ERR_SHM_INCOMPLETE'
  | 'ERR_SHM_TOO_LARGE'
  | 'ERR_SHM_SYSTEM'
  | 'ERR_INVALID_TYPE'
  | 'ERR_LOCK_NOT_OWNER'
  | 'ERR_LOCK_TIMEOUT'
  | 'ERR_LOCK_DEADLOCK'
  | 'ERR_LOCK_NOT_RECOVERABLE'
  | 'ERR_LOCK_INVALID'
  | 'ERR_LOCK_SYSTEM'
  | 'ERR_NO_LOCK'
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_INVALID_ARG_VALUE'
  | 'ERR_OUT_OF_RANGE';

/** An Error with a stable `code`; `cause` holds the lower-level error, if any. */
export class SharedCtypesError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'SharedCtypesError';
  }
}

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
