// What a call throws, by `code`. Native errors are built from the classes of
// the realm that loaded the library (this test file's jest sandbox), so they
// pass instanceof like the errors TypeScript throws.

/** The `code` of what `fn` throws, or undefined if it returns. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

/** Asserts that `fn` throws an Error of this realm carrying `code`. */
export function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(Error);
  expect((thrown as { code?: string }).code).toBe(code);
}
