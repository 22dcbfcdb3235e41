// After close(), every accessor of every kind of object says ERR_SHM_CLOSED
// (raw TypedArrays are detached instead, as TypedArrays are); and the
// character rules: one character per `c` scalar, bytes 0-255 for `c` array
// elements, init lists and .raw alike.
import { Array as SharedArray, attach, c_char, c_double, c_int, Lock, RawArray, RawValue, RLock, Struct, Value } from '../dist';
import { thrown } from './helpers/shm';

const Point = Struct({ x: c_double, y: c_int, tag: [c_char, 4] });
const CLOSED = { name: 'SharedCtypesError', code: 'ERR_SHM_CLOSED' };

type Probe = [string, (o: Record<string | number, unknown>, sample: unknown, element: unknown) => unknown];
const scalarProbes: Probe[] = [
  ['.value', (o) => o.value],
  ['.value =', (o, sample) => (o.value = sample)],
  ['toJSON()', (o) => (o as unknown as { toJSON(): unknown }).toJSON()],
];
const syncProbes: Probe[] = [
  ['getObj()', (o) => (o as unknown as { getObj(): unknown }).getObj()],
  ['acquire()', (o) => (o as unknown as { acquire(): unknown }).acquire()],
  ['withLock()', (o) => (o as unknown as { withLock(f: () => void): unknown }).withLock(() => {})],
];
const arrayProbes: Probe[] = [
  ['.length', (o) => o.length],
  ['[0]', (o) => o[0]],
  ['[0] =', (o, _s, element) => (o[0] = element)],
  ['toJSON()', (o) => (o as unknown as { toJSON(): unknown }).toJSON()],
];
const charArrayProbes: Probe[] = [
  ['.value', (o) => o.value],
  ['.value =', (o) => (o.value = 'ab')],
  ['.raw', (o) => o.raw],
  ['.raw =', (o) => (o.raw = Buffer.from('ab'))],
];

interface Case {
  what: string;
  make: () => Record<string | number, unknown>;
  probes: Probe[];
}

const cases: Case[] = [
  { what: "RawValue('i')", make: () => sampled(RawValue('i', 1), 2), probes: scalarProbes },
  { what: "RawValue('c')", make: () => sampled(RawValue('c', 'a'), 'b'), probes: scalarProbes },
  { what: "Value('i')", make: () => sampled(Value('i', 1), 2), probes: [...scalarProbes, ...syncProbes] },
  { what: "Value('c')", make: () => sampled(Value('c', 'a'), 'b'), probes: [...scalarProbes, ...syncProbes] },
  { what: 'RawValue(Point) fields', make: () => sampled(RawValue(Point, { x: 1 }), 0), probes: [['.x', (o) => o.x], ['.x =', (o) => (o.x = 2)], ['.tag', (o) => o.tag]] },
  { what: 'Value(Point) fields', make: () => sampled(Value(Point, { x: 1 }), 0), probes: [['.x', (o) => o.x], ['.x =', (o) => (o.x = 2)], ...syncProbes] },
  { what: "RawArray('c')", make: () => sampled(RawArray('c', 4), 0, 1), probes: charArrayProbes },
  { what: "Array('c')", make: () => sampled(SharedArray('c', 4), 0, 1), probes: [...arrayProbes, ...charArrayProbes, ...syncProbes] },
  { what: "Array('i')", make: () => sampled(SharedArray('i', 4), 0, 1), probes: [...arrayProbes, ...syncProbes] },
  { what: "RawArray('?')", make: () => sampled(RawArray('?', 4), 0, true), probes: arrayProbes },
  { what: 'RawArray(Point)', make: () => sampled(RawArray(Point, 2), 0, { x: 1 }), probes: arrayProbes },
  { what: 'Array(Point)', make: () => sampled(SharedArray(Point, 2), 0, { x: 1 }), probes: [...arrayProbes, ...syncProbes] },
];

/** Remembers a sample scalar and element value for the setter probes. */
function sampled(o: object, sample: unknown, element?: unknown): Record<string | number, unknown> {
  samples.set(o, { sample, element });
  return o as Record<string | number, unknown>;
}
const samples = new WeakMap<object, { sample: unknown; element: unknown }>();

const rows = cases.flatMap((c) => c.probes.map(([name, probe]) => [`${c.what} ${name}`, c.make, probe] as const));

test.each(rows)('after close(): %s is ERR_SHM_CLOSED', (_what, make, probe) => {
  const o = make();
  const { sample, element } = samples.get(o) as { sample: unknown; element: unknown };
  (o as unknown as { close(): void }).close();
  expect(thrown(() => probe(o, sample, element))).toEqual(CLOSED);
});

test('after close(): locks say ERR_SHM_CLOSED for every call; raw TypedArrays are detached', () => {
  for (const lock of [new Lock(), new RLock()]) {
    lock.close();
    for (const call of [() => lock.acquire(), () => lock.acquire({ timeout: 1 }), () => lock.release(), () => lock.locked(), () => lock.withLock(() => 0), () => lock.hold(), () => lock.toJSON()]) {
      expect(thrown(call)).toEqual(CLOSED);
    }
  }
  const ta = RawArray('d', [1.5, 2.5]);
  ta.close();
  expect([ta.length, ta[0], ta.byteLength]).toEqual([0, undefined, 0]);
});

describe('characters', () => {
  test("a c scalar holds one character: '' and two are TypeErrors, as in Python", () => {
    expect(thrown(() => Value('c', ''))).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    expect(thrown(() => RawValue('c', 'ab'))).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    const v = RawValue('c', '\0');
    expect(v.value).toBe('\0');
    expect(thrown(() => (v.value = ''))).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    v.close();
  });

  test('elements of a synchronized c array are bytes: a string is a TypeError', () => {
    const a = SharedArray('c', 2);
    expect(thrown(() => ((a as unknown as Record<number, unknown>)[0] = 'H'))).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    a[0] = 72;
    expect(a.value).toBe('H');
    a.close();
  });

  test('init lists and .raw take integers 0-255 only: a RangeError otherwise, and nothing changes', () => {
    expect(thrown(() => RawArray('c', [300]))).toEqual({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    expect(thrown(() => RawArray('c', [-1]))).toEqual({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    expect(thrown(() => RawArray('c', [1.5]))).toEqual({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    expect(thrown(() => RawArray('c', ['a' as unknown as number]))).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    const a = RawArray('c', [104, 105]);
    expect(thrown(() => (a.raw = [65, 256] as unknown as Uint8Array))).toEqual({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    expect(a.value).toBe('hi');
    a.raw = [65, 66] as unknown as Uint8Array;
    expect(a.value).toBe('AB');
    a.close();
  });
});

describe('disposal and inspection', () => {
  test('`using` closes shared objects and locks at the end of the scope', () => {
    const seen: Array<{ close(): void }> = [];
    {
      using v = Value('i', 1);
      using r = RawValue(Point, { x: 1 });
      using t = RawArray('d', 2);
      using b = RawArray('?', 2);
      using a = SharedArray('c', 3);
      using l = new Lock();
      using rl = RLock();
      seen.push(v, r, t, b, a, l, rl);
      expect(v.value).toBe(1);
    }
    const [v, r, t, b, a, l, rl] = seen as unknown as [
      { value: number },
      { x: number },
      Float64Array,
      ArrayLike<boolean>,
      { value: string },
      Lock,
      RLock,
    ];
    expect(thrown(() => v.value)).toEqual(CLOSED);
    expect(thrown(() => r.x)).toEqual(CLOSED);
    expect(t.length).toBe(0);
    expect(thrown(() => b[0])).toEqual(CLOSED);
    expect(thrown(() => a.value)).toEqual(CLOSED);
    expect(thrown(() => l.acquire())).toEqual(CLOSED);
    expect(thrown(() => rl.acquire())).toEqual(CLOSED);
  });

  test('util.inspect of a lock shows its kind, place and ownerDied, no internal symbols', () => {
    const l = new Lock();
    const text = require('util').inspect(l) as string;
    expect(text).toMatch(/^Lock \[.+@\d+\] \{ ownerDied: false \}$/);
    expect(text).not.toContain('Symbol(');
    l.close();
    expect(require('util').inspect(l)).toBe('Lock <closed>');
  });
});

describe('c_char array fields are character arrays', () => {
  const Rec = Struct({ id: c_int, tags: [c_char, 4] });

  test('.value (up to the first NUL), .raw, string stores with the RawArray(c) rules, in raw and synchronized structs', () => {
    for (const o of [RawValue(Rec, { tags: 'ab' }), Value(Rec, { tags: 'ab' })]) {
      expect(o.tags.value).toBe('ab');
      expect([...o.tags]).toEqual([97, 98, 0, 0]);
      expect(Buffer.from(o.tags.raw)).toEqual(Buffer.from([97, 98, 0, 0]));
      o.tags.value = 'wxyz'; // fills it exactly: no NUL, as in Python
      expect(o.tags.value).toBe('wxyz');
      expect(thrown(() => (o.tags.value = 'abcde'))).toEqual({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
      expect(o.tags.value).toBe('wxyz'); // nothing changed
      o.tags.value = 'q';
      expect([...o.tags]).toEqual([113, 0, 121, 122]);
      o.tags.raw = Buffer.from('AB');
      expect(o.tags.value).toBe('ABy' + 'z');
      expect(thrown(() => (o.tags.value = '\u0101'))).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
      const tags = o.tags;
      o.close();
      expect(thrown(() => tags.value)).toEqual(CLOSED);
    }
    const arr = RawArray(Rec, 2);
    arr[1].tags.value = 'zz';
    expect(arr[1].tags.value).toBe('zz');
    expect(arr[0].tags.value).toBe('');
    arr.close();
  });
});

describe('attach() with a kind', () => {
  test('checks the kind (ERR_SHM_LAYOUT_MISMATCH) and an unknown kind is a TypeError', () => {
    const v = Value('i', 3);
    const d = v.toJSON();
    const again = attach(d, { type: 'i', kind: 'Value' });
    expect(again.value).toBe(3);
    again.close();
    expect(thrown(() => attach(d, { type: 'i', kind: 'RawValue' }))).toEqual({ name: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH' });
    expect(thrown(() => attach(d, { kind: 'Thing' as never }))).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    v.close();
  });
});
