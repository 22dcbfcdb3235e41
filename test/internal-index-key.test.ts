// INTERNAL: lib/objects/index-key.ts, the parser that tells which Proxy
// property keys of a synchronized or '?' array are array indices. Its
// hand-written fast path must agree with the canonical rule
// (String(Number(key)) === key) for keys that start like a number; names such
// as "Infinity" stay plain properties. Tested directly because the public API
// shows the parser only through a few keys at a time (a RangeError, a plain
// property, undefined), while the rule has to hold for every one of the
// ~4,700 keys checked here.
import { BAD_INDEX, indexOfKey, NOT_INDEX } from '../dist/objects/index-key';

function canonical(key: string): number {
  if (!/^[0-9-]/.test(key)) return NOT_INDEX;
  const n = Number(key);
  if (String(n) !== key) return NOT_INDEX;
  return Number.isSafeInteger(n) && n >= 0 ? n : BAD_INDEX;
}

test('plain decimal keys are indices; everything else is not, or is a bad index', () => {
  const cases: Array<[string, number]> = [
    ['0', 0], ['7', 7], ['10', 10], ['1023', 1023], ['999999999999999', 999999999999999],
    ['9007199254740991', 9007199254740991], ['9007199254740993', NOT_INDEX],
    ['01', NOT_INDEX], ['00', NOT_INDEX], ['1e3', NOT_INDEX], ['1.5', BAD_INDEX], ['-1', BAD_INDEX],
    ['-0', NOT_INDEX], ['1 ', NOT_INDEX], [' 1', NOT_INDEX], ['+1', NOT_INDEX], ['0x10', NOT_INDEX],
    ['', NOT_INDEX], ['length', NOT_INDEX], ['1a', NOT_INDEX], ['12345678901234567890', NOT_INDEX],
    ['1e+21', BAD_INDEX], ['Infinity', NOT_INDEX], ['NaN', NOT_INDEX],
  ];
  for (const [key, expected] of cases) {
    expect([key, indexOfKey(key)]).toEqual([key, expected]);
    expect([key, indexOfKey(key)]).toEqual([key, canonical(key)]);
  }
  expect(indexOfKey(Symbol.iterator)).toBe(NOT_INDEX);
});

test('agrees with the canonical rule on every key up to 4 characters from digits, sign, dot and e', () => {
  const alphabet = ['0', '1', '5', '9', '-', '.', 'e', '+'];
  let keys = [''];
  let checked = 0;
  for (let len = 1; len <= 4; len++) {
    keys = keys.flatMap((k) => alphabet.map((c) => k + c));
    for (const key of keys) {
      if (indexOfKey(key) !== canonical(key)) throw new Error(`indexOfKey(${JSON.stringify(key)}) = ${indexOfKey(key)}, canonical ${canonical(key)}`);
      checked++;
    }
  }
  expect(checked).toBe(8 + 64 + 512 + 4096);
});
