// Index access for array-like Proxies: which property keys are indices.

/** The key is not an index at all ("length", a symbol, …). */
export const NOT_INDEX = -1;
/** The key looks numeric but is no valid index ("-1", "1.5"): a RangeError. */
export const BAD_INDEX = -2;

export function indexOfKey(key: string | symbol): number {
  if (typeof key !== 'string') return NOT_INDEX;
  const c = key.charCodeAt(0);
  // Quick reject of ordinary property names.
  if (!((c >= 48 && c <= 57) || c === 45)) return NOT_INDEX;
  const n = Number(key);
  if (String(n) !== key) return NOT_INDEX;
  return Number.isSafeInteger(n) && n >= 0 ? n : BAD_INDEX;
}
