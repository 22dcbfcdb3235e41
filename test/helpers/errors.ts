// What a call throws, by `code`: native errors come from another realm than
// jest's sandbox, so they are compared by tag and code, never by instanceof.

/** The `code` of what `fn` throws, or undefined if it returns. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

/** Asserts that `fn` throws an Error carrying `code`. */
export function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(Object.prototype.toString.call(thrown)).toBe('[object Error]');
  expect((thrown as { code?: string }).code).toBe(code);
}
