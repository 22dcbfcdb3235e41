// No crash on bad input: a table of bad calls across the public API. Each row
// names the error class and code it must throw; after each, nothing new is
// left in /dev/shm by this process and the process still works. (That a
// refused creation leaves the registry of owned names as it was is
// internal-owned-names.test.ts's.)
import fs from 'fs';
import path from 'path';
import {
  Array as SharedArray,
  attach,
  attachLock,
  c_char,
  c_double,
  c_int,
  copy,
  fork,
  inherited,
  Lock,
  RawArray,
  RawValue,
  RLock,
  sharedEnv,
  Struct,
  synchronized,
  unlink,
  SharedCtypesError,
  Value,
} from '../dist';
import type { LockDescriptor, ObjectDescriptor, Shareable, ValueOf } from '../dist';
import { exitOf, forkFixture, killAll, Peer } from './helpers/processes';
import { GENERATED, RUN_PREFIX, testName } from './helpers/names';

type ErrorClass = 'TypeError' | 'RangeError' | 'SharedCtypesError';

interface Row {
  what: string;
  cls: ErrorClass;
  code: string;
  call: () => unknown;
  /** Undoes what the row's setup left (a lock it took), whatever happened. */
  after?: () => void;
}

// Names of this file's segments all start with TAG, so a leak is attributable.
const TAG = `${RUN_PREFIX}test-badinput-${process.pid}`;
const fresh = (): string => testName('badinput');
const Point = Struct({ x: c_double, y: c_int, tag: [c_char, 8] });

// Fixtures made once: named objects to attach to, a lock another process holds.
let namedValue: string;
let namedArray: string;
let namedLock: string;
let valueDesc: ObjectDescriptor;
let lockDesc: LockDescriptor;
let heldLock: Lock;
let heldValue: ValueOf<'i'>;
let holder: Peer;
const keep: Array<{ close(): void; unlink(): void }> = [];

beforeAll(async () => {
  namedValue = fresh();
  namedArray = fresh();
  namedLock = fresh();
  keep.push(Value('i', 5, { name: namedValue }), SharedArray('d', 4, { name: namedArray }), new RLock({ name: namedLock }));
  const v = Value('i', 1);
  valueDesc = v.toJSON();
  lockDesc = v.getLock().toJSON();
  keep.push(v);
  // Another process takes this lock and keeps it for the whole file.
  heldLock = new Lock();
  heldValue = Value('i', 0, { lock: heldLock });
  holder = forkFixture('lock-peer.js', [JSON.stringify(heldLock.toJSON())]);
  expect(await holder.next()).toEqual({ type: 'ready', kind: 'Lock' });
  holder.send({ type: 'acquire' });
  expect(await holder.next()).toEqual({ type: 'acquired', kind: 'Lock' });
});

afterAll(async () => {
  holder.send({ type: 'release' });
  await holder.next();
  holder.send({ type: 'exit' });
  expect(await exitOf(holder)).toEqual({ code: 0, signal: null });
  await killAll();
  for (const o of keep) {
    o.unlink();
    o.close();
  }
  heldValue.close();
  heldLock.close();
  expect(fs.readdirSync('/dev/shm').filter((n) => n.startsWith(TAG))).toEqual([]);
});

/** Runs `body` with SHAREDCTYPES_SHARED set to `text`, restoring it after. */
function withSharedEnv(text: string, body: () => unknown): unknown {
  const saved = process.env.SHAREDCTYPES_SHARED;
  process.env.SHAREDCTYPES_SHARED = text;
  try {
    return body();
  } finally {
    if (saved === undefined) delete process.env.SHAREDCTYPES_SHARED;
    else process.env.SHAREDCTYPES_SHARED = saved;
  }
}

const closed = <T extends { close(): void }>(obj: T): T => {
  obj.close();
  return obj;
};

// Values of the wrong type are passed through `unknown` on purpose: the table
// is about what the library does with input TypeScript would reject.
const bad = (v: unknown): never => v as never;

const rows: Row[] = [
  // Type specs
  { what: "RawValue('x'): unknown typecode", cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => RawValue(bad('x')) },
  { what: "RawValue('ii'): two typecodes", cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => RawValue(bad('ii')) },
  { what: "Value('z'): unknown typecode", cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => Value(bad('z')) },
  { what: "Value(''): empty typecode", cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => Value(bad('')) },
  { what: "Value('C'): typecodes are case-sensitive", cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => Value(bad('C')) },
  { what: 'Value(5): a number is not a type', cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => Value(bad(5)) },
  { what: 'Value(null)', cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => Value(bad(null)) },
  { what: 'Value(Number): a JS class is not a type', cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => Value(bad(Number)) },
  { what: 'RawValue({ x: c_int }): a plain object where a Struct is needed', cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => RawValue(bad({ x: c_int })) },
  { what: 'RawValue({}): not a type', cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => RawValue(bad({})) },
  { what: 'RawValue(undefined)', cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => RawValue(bad(undefined)) },
  { what: "RawArray('zz', 3)", cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => RawArray(bad('zz'), 3) },
  { what: "Value('int')", cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => Value(bad('int')) },
  { what: 'Array(Int32Array, 3)', cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => SharedArray(bad(Int32Array), 3) },

  // Init values of the wrong type
  { what: "RawValue('i', 1.5)", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue('i', 1.5) },
  { what: "RawValue('i', '1')", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue('i', bad('1')) },
  { what: "RawValue('i', 1n): bigint for a number", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue('i', bad(1n)) },
  { what: "RawValue('q', 1): number for a bigint", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue('q', bad(1)) },
  { what: "RawValue('L', 1)", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue('L', bad(1)) },
  { what: "RawValue('?', 1): number for a boolean", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue('?', bad(1)) },
  { what: "RawValue('d', true): boolean for a number", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue('d', bad(true)) },
  { what: "RawValue('i', NaN)", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue('i', NaN) },
  { what: "RawValue('c', 'ab')", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue('c', 'ab') },
  { what: "RawValue('c', 'Ā'): above U+00FF", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue('c', '\u0100') },
  { what: "Value('c', 65)", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => Value('c', bad(65)) },
  { what: 'RawValue(Point, { z: 1 }): unknown field', cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => RawValue(Point, bad({ z: 1 })) },
  { what: 'RawValue(Point, [1, 2, [], 4]): too many', cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => RawValue(Point, [1, 2, [], 4]) },
  { what: 'RawValue(Point, 5)', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue(Point, bad(5)) },
  { what: "RawValue(Point, { x: 'a' })", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue(Point, bad({ x: 'a' })) },
  { what: 'RawValue(Point, { tag: 9 chars }): too long for char[8]', cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawValue(Point, { tag: bad('123456789') }) },
  { what: "RawValue(Point, { tag: 'Ā' })", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue(Point, { tag: bad('\u0100') }) },

  // Sizes and sequence initialisers
  { what: "RawArray('d', -1)", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawArray('d', -1) },
  { what: "RawArray('d', NaN)", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawArray('d', NaN) },
  { what: "RawArray('d', 1.5)", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawArray('d', 1.5) },
  { what: "RawArray('d', Infinity)", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawArray('d', Infinity) },
  { what: "RawArray('d', 2**53): unsafe integer", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawArray('d', 2 ** 53) },
  { what: "RawArray('d', 2**52): byte size unsafe", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawArray('d', 2 ** 52) },
  { what: "RawArray('B', 2**46): more than any /dev/shm", cls: 'SharedCtypesError', code: 'ERR_SHM_NO_SPACE', call: () => RawArray('B', 2 ** 46) },
  { what: "Array(Point, 2**45): more than any /dev/shm", cls: 'SharedCtypesError', code: 'ERR_SHM_NO_SPACE', call: () => SharedArray(Point, 2 ** 45) },
  { what: "RawArray('d', 3n): bigint size", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawArray('d', bad(3n)) },
  { what: "RawArray('d', 'abc'): string for numbers", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawArray('d', bad('abc')) },
  { what: "RawArray('d', null)", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawArray('d', bad(null)) },
  { what: "RawArray('d', {}): no length", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawArray('d', bad({})) },
  { what: "RawArray('i', [1, 'x'])", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawArray('i', bad([1, 'x'])) },
  { what: "RawArray('i', [1, 2n])", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawArray('i', bad([1, 2n])) },
  { what: "RawArray('q', [1, 2]): numbers for bigints", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawArray('q', bad([1, 2])) },
  { what: "RawArray('?', [true, 0])", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawArray('?', bad([true, 0])) },
  { what: "RawArray('i', [1, undefined, 3])", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawArray('i', bad([1, undefined, 3])) },
  { what: "RawArray('c', 'abĀ')", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawArray('c', 'ab\u0100') },
  { what: "RawArray('c', [300]): bytes do not wrap", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawArray('c', [300]) },
  { what: "Value('c', ''): no character", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => Value('c', '') },
  { what: "Array('c', 2)[0] = 'H': elements are bytes", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => ((SharedArray('c', 2) as unknown as Record<number, unknown>)[0] = 'H') },
  { what: "RawArray('c', [1.5])", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawArray('c', [1.5]) },
  { what: 'RawArray(Point, [{ z: 1 }])', cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => RawArray(Point, bad([{ z: 1 }])) },
  {
    what: "RawArray('d', 9,001 items, the last bad): a segment of its own, removed",
    cls: 'TypeError',
    code: 'ERR_INVALID_ARG_TYPE',
    call: () => RawArray('d', bad([...new Array<number>(9000).fill(1.5), 'x'])),
  },

  // Options
  { what: "RawValue('i', 0, 'name'): options not an object", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue('i', 0, bad('name')) },
  { what: "RawValue('i', 0, null)", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue('i', 0, bad(null)) },
  { what: "RawArray('d', 2, [])", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawArray('d', 2, bad([])) },
  { what: "RawValue('i', 0, { nmae }): unknown option", cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => RawValue('i', 0, bad({ nmae: fresh() })) },
  { what: "RawValue('i', 0, { lock: true }): raw objects have no lock", cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => RawValue('i', 0, bad({ lock: true })) },
  { what: "Value('i', 0, { lokc: false }): unknown option", cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => Value('i', 0, bad({ lokc: false })) },
  { what: "Value('i', 0, { lock: 'yes' })", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => Value('i', 0, { lock: bad('yes') }) },
  { what: "Value('i', 0, { lock: {} })", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => Value('i', 0, { lock: bad({}) }) },
  { what: "Array('d', 2, { lock: lockDescriptor })", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => SharedArray('d', 2, { lock: bad(lockDesc) }) },
  { what: "Value('i', 0, { name: 42 })", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => Value('i', 0, { name: bad(42) }) },
  { what: "RawValue('i', 0, { mode: '600' })", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue('i', 0, { name: fresh(), mode: bad('600') }) },
  { what: "RawValue('i', 0, { mode: 0o1777 })", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawValue('i', 0, { name: fresh(), mode: 0o1777 }) },
  { what: "RawValue('i', 0, { mode: 1.5 })", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawValue('i', 0, { name: fresh(), mode: 1.5 }) },
  { what: "RawValue('i', 0, { unlinkOnExit: 1 })", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawValue('i', 0, { name: fresh(), unlinkOnExit: bad(1) }) },
  { what: "RawValue('i', 0, { unlinkOnExit: true }) without a name", cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => RawValue('i', 0, { unlinkOnExit: true }) },

  // Names
  { what: "Value('i', 0, { name: '' })", cls: 'SharedCtypesError', code: 'ERR_SHM_INVALID_NAME', call: () => Value('i', 0, { name: '' }) },
  { what: "Value('i', 0, { name: '/' })", cls: 'SharedCtypesError', code: 'ERR_SHM_INVALID_NAME', call: () => Value('i', 0, { name: '/' }) },
  { what: "RawValue('i', 0, { name: 'a/b' })", cls: 'SharedCtypesError', code: 'ERR_SHM_INVALID_NAME', call: () => RawValue('i', 0, { name: `${fresh()}/x` }) },
  { what: 'RawValue with a NUL in the name', cls: 'SharedCtypesError', code: 'ERR_SHM_INVALID_NAME', call: () => RawValue('i', 0, { name: `${fresh()}\0x` }) },
  { what: 'RawArray with a 300-character name', cls: 'SharedCtypesError', code: 'ERR_SHM_INVALID_NAME', call: () => RawArray('d', 2, { name: fresh().padEnd(300, 'x') }) },
  { what: "RawValue('i', 0, { name: '..' })", cls: 'SharedCtypesError', code: 'ERR_SHM_INVALID_NAME', call: () => RawValue('i', 0, { name: '..' }) },
  { what: "Value('i', 0, { name: existing })", cls: 'SharedCtypesError', code: 'ERR_SHM_EXISTS', call: () => Value('i', 0, { name: namedValue }) },
  { what: "RawArray('d', 2, { name: existing lock })", cls: 'SharedCtypesError', code: 'ERR_SHM_EXISTS', call: () => RawArray('d', 2, { name: namedLock }) },

  // Named creations that fail half-way leave no segment behind
  { what: "named Value('i', 'x')", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => Value('i', bad('x'), { name: fresh() }) },
  { what: "named RawArray('i', [1, 2, 'x'])", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawArray('i', bad([1, 2, 'x']), { name: fresh() }) },
  { what: 'named Array(Point, [{ x: 1 }, { z: 2 }])', cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => SharedArray(Point, bad([{ x: 1 }, { z: 2 }]), { name: fresh() }) },
  { what: 'named RawValue(Point, { tag: too long })', cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawValue(Point, { tag: bad('far too long') }, { name: fresh() }) },
  { what: "named RawArray('d', 2**46)", cls: 'SharedCtypesError', code: 'ERR_SHM_NO_SPACE', call: () => RawArray('d', 2 ** 46, { name: fresh() }) },

  // .value setters and element setters
  { what: "Value('i').value = 'x'", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => (Value('i').value = bad('x')) },
  { what: "Value('i').value = 1n", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => (Value('i').value = bad(1n)) },
  { what: "Value('q').value = 1", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => (Value('q').value = bad(1)) },
  { what: "Value('?').value = 0", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => (Value('?').value = bad(0)) },
  { what: "RawValue('h').value = null", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => (RawValue('h').value = bad(null)) },
  { what: "RawValue('c').value = 'Ā'", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => (RawValue('c').value = '\u0100') },
  { what: "RawValue(Point).z = 1: unknown field", cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => ((RawValue(Point) as unknown as Record<string, unknown>).z = 1) },
  { what: "Value(Point).y = 2.5", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => (Value(Point).y = 2.5) },
  { what: "RawArray('c', 4).value = 'hello': too long", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => (RawArray('c', 4).value = 'hello') },
  { what: "RawArray('c', 4).value = 'Ā'", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => (RawArray('c', 4).value = '\u0100') },
  { what: "RawArray('c', 4).value = 5", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => (RawArray('c', 4).value = bad(5)) },
  { what: "RawArray('c', 4).raw = 5 bytes", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => (RawArray('c', 4).raw = Buffer.alloc(5)) },
  { what: "RawArray('c', 4).raw = [256]", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => (RawArray('c', 4).raw = bad([256])) },
  { what: "Array('c', 3).value = 'abcd'", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => (SharedArray('c', 3).value = 'abcd') },
  { what: "Array('i', 3)[3] = 1", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => (SharedArray('i', 3)[3] = 1) },
  { what: "Array('i', 3)[-1] = 1", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => (SharedArray('i', 3)[-1] = 1) },
  { what: "Array('i', 3)[1e10] read", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => SharedArray('i', 3)[1e10] },
  { what: "Array('i', 3)['1.5'] read", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => SharedArray('i', 3)[bad('1.5')] },
  { what: "Array('i', 3)[0] = 1.5", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => (SharedArray('i', 3)[0] = 1.5) },
  { what: "Array('i', 3)[0] = 1n", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => (SharedArray('i', 3)[0] = bad(1n)) },
  { what: "Array('Q', 3)[0] = 1", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => (SharedArray('Q', 3)[0] = bad(1)) },
  { what: "Array('d', 3).foo = 1: no new properties", cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => ((SharedArray('d', 3) as unknown as Record<string, unknown>).foo = 1) },
  { what: "RawArray('?', 3)[3] = true", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => (RawArray('?', 3)[3] = true) },
  { what: "RawArray('?', 3)[0] = 1", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => (RawArray('?', 3)[0] = bad(1)) },
  { what: 'RawArray(Point, 2)[0] = 5', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => (RawArray(Point, 2)[0] = bad(5)) },
  { what: 'Array(Point, 2)[2] read', cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => SharedArray(Point, 2)[2] },

  // Atomics
  { what: "Value('i').add(1n)", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => Value('i').add(bad(1n)) },
  { what: "Value('q').add(1)", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => Value('q').add(bad(1)) },
  { what: "Value('i').compareExchange(0, 'x')", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => Value('i').compareExchange(0, bad('x')) },
  { what: "RawValue('d').add(1): no atomics on floats", cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => (RawValue('d') as unknown as { add(n: number): number }).add(1) },
  { what: "RawArray('i', 3).add(3, 1)", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawArray('i', 3).add(3, 1) },
  { what: "RawArray('i', 3).add(-1, 1)", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawArray('i', 3).add(-1, 1) },
  { what: "RawArray('i', 3).add(NaN, 1)", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => RawArray('i', 3).add(NaN, 1) },
  { what: "RawArray('i', 3).compareExchange(0, 1n, 2)", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawArray('i', 3).compareExchange(0, bad(1n), 2) },
  { what: "RawArray('Q', 2).compareExchange(0, 0n, 1)", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => RawArray('Q', 2).compareExchange(0, 0n, bad(1)) },

  // copy and synchronized
  { what: 'copy({})', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => copy({}) },
  { what: 'copy(null)', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => copy(bad(null)) },
  { what: 'copy(a plain Float64Array)', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => copy(new Float64Array(3)) },
  { what: 'copy(a closed RawArray)', cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => copy(closed(RawArray('d', 3))) },
  { what: "synchronized(Value('i')): already synchronized", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => synchronized(Value('i')) },
  { what: 'synchronized({})', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => synchronized({}) },
  { what: "synchronized(RawValue('i'), {})", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => synchronized(RawValue('i'), bad({})) },
  { what: "synchronized(RawValue('i'), a lock descriptor)", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => synchronized(RawValue('i'), bad(lockDesc)) },

  // Struct definitions
  { what: 'Struct({})', cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => Struct({}) },
  { what: 'Struct([])', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => Struct(bad([])) },
  { what: 'Struct(null)', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => Struct(bad(null)) },
  { what: "Struct({ x: 'zz' })", cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => Struct({ x: bad('zz') }) },
  { what: 'Struct({ x: [c_int] })', cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => Struct({ x: bad([c_int]) }) },
  { what: 'Struct({ x: [c_int, -1] })', cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => Struct({ x: [c_int, -1] }) },
  { what: 'Struct({ x: [c_int, 2**60] })', cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => Struct({ x: [c_int, 2 ** 60] }) },
  { what: "Struct({ x: [c_int, '3'] })", cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => Struct({ x: [c_int, bad('3')] }) },
  { what: 'Struct({ toJSON: c_int }): reserved name', cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => Struct({ toJSON: c_int }) },

  // Locks
  { what: "new Lock('x')", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => new Lock(bad('x')) },
  { what: 'new Lock({ nmae }): unknown option', cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => new Lock(bad({ nmae: fresh() })) },
  { what: "new RLock({ name: 'a/b' })", cls: 'SharedCtypesError', code: 'ERR_SHM_INVALID_NAME', call: () => new RLock({ name: `${fresh()}/b` }) },
  { what: 'new Lock({ name: 42 })', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => new Lock({ name: bad(42) }) },
  { what: 'new RLock({ name: existing })', cls: 'SharedCtypesError', code: 'ERR_SHM_EXISTS', call: () => new RLock({ name: namedLock }) },
  { what: 'new Lock({ mode: -1 })', cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => new Lock({ mode: -1 }) },
  { what: 'new Lock({ name, mode: 0o1000 })', cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => new Lock({ name: fresh(), mode: 0o1000 }) },
  { what: "lock.acquire('x')", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => new Lock().acquire(bad('x')) },
  { what: "lock.acquire({ timeout: '10' })", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => new Lock().acquire({ timeout: bad('10') }) },
  { what: 'lock.acquire({ timeout: 10n })', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => new Lock().acquire({ timeout: bad(10n) }) },
  { what: 'lock.acquire({ timeout: NaN })', cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => new Lock().acquire({ timeout: NaN }) },
  { what: 'lock.acquire({ blocking: 1 })', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => new Lock().acquire({ blocking: bad(1) }) },
  { what: 'lock.acquire({ blocking: false, timeout: 10 })', cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => new Lock().acquire({ blocking: false, timeout: 10 }) },
  { what: 'lock.release() never acquired', cls: 'SharedCtypesError', code: 'ERR_LOCK_NOT_OWNER', call: () => new RLock().release() },
  {
    what: 'lock.release() twice',
    cls: 'SharedCtypesError',
    code: 'ERR_LOCK_NOT_OWNER',
    call: () => {
      const l = new Lock();
      l.acquire();
      l.release();
      l.release();
    },
  },
  { what: 'release() of a lock another process holds', cls: 'SharedCtypesError', code: 'ERR_LOCK_NOT_OWNER', call: () => heldLock.release() },
  { what: 'release() of a Value whose lock another process holds', cls: 'SharedCtypesError', code: 'ERR_LOCK_NOT_OWNER', call: () => heldValue.release() },
  { what: 'withLock() of a lock another process holds, timeout 10', cls: 'SharedCtypesError', code: 'ERR_LOCK_TIMEOUT', call: () => heldLock.withLock(() => 1, { timeout: 10 }) },
  { what: 'hold() of a Value whose lock another process holds, timeout 10', cls: 'SharedCtypesError', code: 'ERR_LOCK_TIMEOUT', call: () => heldValue.hold({ timeout: 10 }) },
  { what: "withLock('not a function')", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => new Lock().withLock(bad('nope')) },
  { what: "value.withLock(fn, { timeout: 'x' })", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => Value('i').withLock(() => 1, { timeout: bad('x') }) },
  { what: "lock.hold({ timeout: 'x' })", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => new RLock().hold({ timeout: bad('x') }) },
  (() => {
    const l = new Lock();
    return {
      what: 'a plain Lock acquired again by its holder',
      cls: 'SharedCtypesError' as const,
      code: 'ERR_LOCK_DEADLOCK',
      call: () => {
        l.acquire();
        l.acquire();
      },
      after: () => {
        if (l.locked()) l.release();
      },
    };
  })(),

  // Use after close
  { what: 'acquire() of a closed Lock', cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => closed(new Lock()).acquire() },
  { what: 'release() of a closed RLock', cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => closed(new RLock()).release() },
  { what: 'toJSON() of a closed Lock', cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => closed(new Lock()).toJSON() },
  { what: "closed Value('i').value", cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => closed(Value('i')).value },
  { what: "closed Value('i').value = 1", cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => (closed(Value('i')).value = 1) },
  { what: "closed Value('i').add(1)", cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => closed(Value('i')).add(1) },
  { what: "closed Value('i').acquire()", cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => closed(Value('i')).acquire() },
  { what: "closed RawValue('d').value", cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => closed(RawValue('d')).value },
  { what: "closed Array('d', 3)[0]", cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => closed(SharedArray('d', 3))[0] },
  { what: "closed Array('d', 3).toArray()", cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => closed(SharedArray('d', 3)).toArray() },
  { what: "closed Array('d', 3).length", cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => closed(SharedArray('d', 3)).length },
  { what: "closed RawArray('?', 2).length", cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => closed(RawArray('?', 2)).length },
  { what: 'closed RawValue(Point).x', cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => closed(RawValue(Point)).x },
  { what: 'closed Value(Point).x = 1', cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => (closed(Value(Point)).x = 1) },
  { what: "closed RawArray('?', 2)[0]", cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => closed(RawArray('?', 2))[0] },
  { what: "toJSON() of a closed Value('i')", cls: 'SharedCtypesError', code: 'ERR_SHM_CLOSED', call: () => closed(Value('i')).toJSON() },
  { what: "RawValue('i').getLock(): no lock", cls: 'SharedCtypesError', code: 'ERR_NO_LOCK', call: () => (RawValue('i') as unknown as { getLock(): unknown }).getLock() },
  { what: "Value('i', 0, { lock: false }).getLock()", cls: 'SharedCtypesError', code: 'ERR_NO_LOCK', call: () => (Value('i', 0, { lock: false }) as unknown as { getLock(): unknown }).getLock() },

  // attach and attachLock
  { what: 'attach(42)', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => attach(bad(42)) },
  { what: 'attach(null)', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => attach(bad(null)) },
  { what: 'attach({})', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => attach(bad({})) },
  { what: "attach('')", cls: 'SharedCtypesError', code: 'ERR_SHM_INVALID_NAME', call: () => attach('') },
  { what: "attach('a/b')", cls: 'SharedCtypesError', code: 'ERR_SHM_INVALID_NAME', call: () => attach(`${fresh()}/b`) },
  { what: 'attach(300-character name)', cls: 'SharedCtypesError', code: 'ERR_SHM_INVALID_NAME', call: () => attach('n'.repeat(300)) },
  { what: 'attach(missing name)', cls: 'SharedCtypesError', code: 'ERR_SHM_NOT_FOUND', call: () => attach(fresh()) },
  { what: "attach(Value('i') name, { type: 'd' })", cls: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH', call: () => attach(namedValue, { type: 'd' }) },
  { what: "attach(Value('i') name, { length: 3 })", cls: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH', call: () => attach(namedValue, { length: 3 }) },
  { what: "attach(Array('d', 4) name, { type: 'd', length: 5 })", cls: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH', call: () => attach(namedArray, { type: 'd', length: 5 }) },
  { what: "attach(Array('d', 4) name, { type: Point })", cls: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH', call: () => attach(namedArray, { type: Point }) },
  { what: "attach(RLock name, { type: 'i' })", cls: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH', call: () => attach(namedLock, { type: 'i' }) },
  { what: "attach(name, 'i'): expectation not an object", cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => attach(namedValue, bad('i')) },
  { what: "attach(name, { type: 'zz' })", cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => attach(namedValue, { type: bad('zz') }) },
  { what: "attach(descriptor, { type: 'q' })", cls: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH', call: () => attach(valueDesc, { type: 'q' }) },
  { what: 'attach(descriptor with offset 1e12)', cls: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH', call: () => attach({ ...valueDesc, offset: 1e12 }) },
  { what: 'attach(descriptor with offset -64)', cls: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH', call: () => attach({ ...valueDesc, offset: -64 }) },
  { what: 'attach(descriptor with a misaligned offset)', cls: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH', call: () => attach({ ...valueDesc, offset: valueDesc.offset + 1 }) },
  { what: 'attach(descriptor with offset 0: the header)', cls: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH', call: () => attach({ ...valueDesc, offset: 0 }) },
  { what: 'attach(descriptor with length 1e9)', cls: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH', call: () => attach({ ...valueDesc, kind: 'Array', length: 1e9 }) },
  { what: "attach(descriptor of kind 'Bogus')", cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => attach({ ...valueDesc, kind: bad('Bogus') }) },
  { what: "attach(descriptor with type 'zz')", cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => attach({ ...valueDesc, type: 'zz' }) },
  { what: 'attach(descriptor with an empty struct type)', cls: 'TypeError', code: 'ERR_INVALID_TYPE', call: () => attach({ ...valueDesc, type: { struct: [], size: 0, align: 1 } }) },
  { what: 'attach(descriptor of a missing segment)', cls: 'SharedCtypesError', code: 'ERR_SHM_NOT_FOUND', call: () => attach({ ...valueDesc, segment: fresh() }) },
  { what: "attach(descriptor with segment 'a/b')", cls: 'SharedCtypesError', code: 'ERR_SHM_INVALID_NAME', call: () => attach({ ...valueDesc, segment: 'a/b' }) },
  { what: 'attach(descriptor with segment 5)', cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => attach({ ...valueDesc, segment: bad(5) }) },
  { what: 'attach(Value descriptor without its lock)', cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => attach({ ...valueDesc, lock: undefined }) },
  { what: 'attach(lock descriptor, { type })', cls: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH', call: () => attach(lockDesc, { type: 'i' }) },
  { what: 'attachLock(42)', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => attachLock(bad(42)) },
  { what: 'attachLock(an object descriptor)', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => attachLock(bad(valueDesc)) },
  { what: "attachLock(Value('i') name)", cls: 'SharedCtypesError', code: 'ERR_SHM_LAYOUT_MISMATCH', call: () => attachLock(namedValue) },
  { what: 'attachLock(missing name)', cls: 'SharedCtypesError', code: 'ERR_SHM_NOT_FOUND', call: () => attachLock(fresh()) },
  {
    what: 'attachLock(descriptor at offset 0: no lock there), then acquire()',
    cls: 'SharedCtypesError',
    code: 'ERR_LOCK_INVALID',
    call: () => attachLock({ ...lockDesc, offset: 0 }).acquire({ blocking: false }),
  },
  { what: 'attachLock(descriptor with offset 1e12)', cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => attachLock({ ...lockDesc, offset: 1e12 }) },
  { what: 'attachLock(descriptor with a misaligned offset)', cls: 'RangeError', code: 'ERR_OUT_OF_RANGE', call: () => attachLock({ ...lockDesc, offset: lockDesc.offset + 8 }) },

  // unlink
  { what: "unlink('')", cls: 'SharedCtypesError', code: 'ERR_SHM_INVALID_NAME', call: () => unlink('') },
  { what: "unlink('a/b')", cls: 'SharedCtypesError', code: 'ERR_SHM_INVALID_NAME', call: () => unlink('a/b') },
  { what: 'unlink(42)', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => unlink(bad(42)) },
  { what: 'unlink(missing name)', cls: 'SharedCtypesError', code: 'ERR_SHM_NOT_FOUND', call: () => unlink(fresh()) },

  // fork, sharedEnv, inherited
  { what: 'sharedEnv(null)', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => sharedEnv(bad(null)) },
  { what: 'sharedEnv({ a: 5 })', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => sharedEnv({ a: bad(5) }) },
  { what: 'sharedEnv({ a: a fake toJSON })', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => sharedEnv({ a: { toJSON: () => bad({}) } as Shareable }) },
  {
    what: 'fork(file, [], { shared: { a: 5 } }) throws before starting anything',
    cls: 'TypeError',
    code: 'ERR_INVALID_ARG_TYPE',
    call: () => fork(path.join(__dirname, 'fixtures', 'ipc.js'), [], { shared: { a: bad(5) } }),
  },
  { what: 'inherited() with invalid JSON', cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => withSharedEnv('{oops', () => inherited()) },
  { what: 'inherited() with a JSON number', cls: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', call: () => withSharedEnv('5', () => inherited()) },
  { what: 'inherited() with a non-descriptor entry', cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', call: () => withSharedEnv('{"a": 1}', () => inherited()) },
  {
    what: 'inherited() naming a missing segment',
    cls: 'SharedCtypesError',
    code: 'ERR_SHM_NOT_FOUND',
    call: () => withSharedEnv(JSON.stringify({ a: { ...valueDesc, segment: fresh() } }), () => inherited()),
  },
];

/**
 * SharedCtypesError, TypeError or RangeError, by instanceof: native errors are
 * built from the classes of the realm that loaded the library (this test
 * file's), so a plain Error or one of another realm shows as such.
 */
function errorClass(err: unknown): string {
  if (err instanceof SharedCtypesError) return 'SharedCtypesError';
  if (err instanceof TypeError) return 'TypeError';
  if (err instanceof RangeError) return 'RangeError';
  if (err instanceof Error) return `a plain ${err.name}`;
  return `not an Error of this realm: ${Object.prototype.toString.call(err)} ${String(err)}`;
}

/**
 * This process's segments among those not in `before`: named ones by TAG,
 * generated ones (the run prefix + 16 base32) by the creator pid in their header.
 * (Other tests' named segments may hold anything, a pid like ours included.)
 */
function newSegmentsOfOurs(before: Set<string>): string[] {
  return fs.readdirSync('/dev/shm').filter((name) => {
    if (before.has(name)) return false;
    if (name.startsWith(TAG)) return true;
    if (!GENERATED.test(name)) return false;
    try {
      const fd = fs.openSync(`/dev/shm/${name}`, 'r');
      try {
        const head = Buffer.alloc(56);
        return fs.readSync(fd, head, 0, 56, 0) === 56 && head.readUInt32LE(48) === process.pid;
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return false; // gone already, or not ours to read
    }
  });
}

test(`the table has at least 60 rows (${rows.length}), all distinct`, () => {
  expect(rows.length).toBeGreaterThanOrEqual(60);
  expect(new Set(rows.map((r) => r.what)).size).toBe(rows.length);
});

const canary = RawValue('i', 0);

test.each(rows.map((row) => [row.what, row] as const))('%s', (_what, row) => {
  const before = new Set(fs.readdirSync('/dev/shm'));
  let thrown: unknown;
  let returned = false;
  try {
    row.call();
    returned = true;
  } catch (err) {
    thrown = err;
  } finally {
    row.after?.();
  }
  const got = returned
    ? { cls: 'returned normally', code: undefined }
    : { cls: errorClass(thrown), code: (thrown as { code?: unknown } | undefined)?.code };
  expect(got).toEqual({ cls: row.cls, code: row.code });
  // Nothing left behind.
  expect(newSegmentsOfOurs(before)).toEqual([]);
  // And the process still works.
  canary.value += 1;
  expect(canary.value).toBeGreaterThan(0);
});
