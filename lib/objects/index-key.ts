// Index access for array-like Proxies: which property keys are indices.

/** The key is not an index at all ("length", a symbol, …). */
export const NOT_INDEX = -1;
/** The key looks numeric but is no valid index ("-1", "1.5"): a RangeError. */
export const BAD_INDEX = -2;

export function indexOfKey(key: string | symbol): number {
  if (typeof key !== 'string') return NOT_INDEX;
  // Fast path, every a[i] of a Proxy comes here as a string: plain decimal
  // digits without a leading zero are an index. Parsed by hand, since
  // round-tripping through Number() and String() allocates on every access.
  const len = key.length;
  const c0 = key.charCodeAt(0);
  if (c0 >= 49 && c0 <= 57 && len <= 15) {
    let n = c0 - 48;
    for (let k = 1; k < len; k++) {
      const c = key.charCodeAt(k);
      if (c < 48 || c > 57) return slowIndexOfKey(key);
      n = n * 10 + (c - 48);
    }
    return n;
  }
  if (len === 1 && c0 === 48) return 0;
  // Quick reject of ordinary property names.
  if (!((c0 >= 48 && c0 <= 57) || c0 === 45)) return NOT_INDEX;
  return slowIndexOfKey(key);
}

/** Anything numeric-looking that is not plain digits: "-1", "1.5", "1e3", "01". */
function slowIndexOfKey(key: string): number {
  const n = Number(key);
  if (String(n) !== key) return NOT_INDEX;
  return Number.isSafeInteger(n) && n >= 0 ? n : BAD_INDEX;
}
