// A consumer of the published typings: every line here must type-check under
// strict options, and the Equal<> checks pin the exact types (an `any` would
// slip through plain annotations, not through these).
import {
  Array as SharedArray,
  attach,
  c_bool,
  c_char,
  c_double,
  c_int,
  c_longlong,
  c_ubyte,
  copy,
  Lock,
  RawArray,
  RawValue,
  RLock,
  SharedCtypesError,
  Struct,
  synchronized,
  Value,
} from 'sharedctypes';
import type { ArrayOf, ErrorCode, ObjectDescriptor, RawArrayOf, RawValueOf, ValueOf } from 'sharedctypes';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

// Scalars: number, bigint, boolean, one-character string.
const i = Value('i');
const n = i.value;
assertType<Equal<typeof n, number>>();
i.value = 41;
i.value++;
const q = Value('q', 1n);
assertType<Equal<typeof q.value, bigint>>();
q.value = 2n ** 40n;
const ul = Value('L');
const sl = Value('l');
const b = Value('?');
const ch = Value('c', 'é');
const f64 = Value('d');
const f32 = RawValue('f', 0.5);
const ll = RawValue(c_longlong);
const cb = RawValue(c_bool, true);
const cc = RawValue(c_char, 'x');
assertType<Equal<typeof ul.value, bigint>>();
assertType<Equal<typeof sl.value, bigint>>();
assertType<Equal<typeof b.value, boolean>>();
assertType<Equal<typeof ch.value, string>>();
assertType<Equal<typeof f64.value, number>>();
assertType<Equal<typeof f32.value, number>>();
assertType<Equal<typeof ll.value, bigint>>();
assertType<Equal<typeof cb.value, boolean>>();
assertType<Equal<typeof cc.value, string>>();
const typed: ValueOf<'i'> = Value('i', 3);
const typedQ: ValueOf<typeof c_longlong> = Value(c_longlong);
assertType<Equal<typeof typedQ.value, bigint>>();
const rawI: RawValueOf<'i'> = typed.getObj();
assertType<Equal<typeof rawI.value, number>>();

// Raw arrays are the matching TypedArray, a Buffer with .value/.raw, or array-likes.
const d: Float64Array = RawArray('d', 3);
d[0] = 1.5;
const big: BigInt64Array = RawArray('q', [1n, 2n]);
big[1] = 5n;
const u8: Uint8Array = RawArray(c_ubyte, 4);
const ints: RawArrayOf<'i'> = RawArray('i', [1, 2, 3]);
const i32: Int32Array = ints;
assertType<Equal<(typeof d)[number], number>>();
const chars = RawArray('c', 8);
chars.value = 'hello';
const text: string = chars.value;
const bytes: Uint8Array = chars.raw;
const flags = RawArray('?', [true, false]);
assertType<Equal<(typeof flags)[number], boolean>>();
for (const f of flags) assertType<Equal<typeof f, boolean>>();

// Synchronized arrays.
const sa = SharedArray('c', 5);
const sv: string = sa.value;
assertType<Equal<typeof sa.value, string>>();
assertType<Equal<(typeof sa)[number], number>>();
const sd: ArrayOf<'d'> = SharedArray('d', [1, 2]);
assertType<Equal<(typeof sd)[number], number>>();
const sq = SharedArray('Q', 2);
assertType<Equal<(typeof sq)[number], bigint>>();
const fast: Float64Array = sd.getObj();
sd.withLock(() => fast.fill(0));
const rawArr: Int32Array = SharedArray('i', 3, { lock: false });

// Structs: fields typed, nested structs and array fields.
const Point = Struct({ x: c_double, y: c_double });
const Shape = Struct({ id: c_int, origin: Point, tags: [c_int, 4], label: [c_char, 8], ok: c_bool });
const p = Value(Point, { x: 1 });
p.x = 2;
assertType<Equal<typeof p.y, number>>();
const s = RawValue(Shape, { id: 1, origin: { x: 1, y: 2 }, tags: [1, 2] });
assertType<Equal<typeof s.id, number>>();
assertType<Equal<typeof s.origin.x, number>>();
assertType<Equal<typeof s.tags[0], number>>();
assertType<Equal<typeof s.ok, boolean>>();
s.origin.y = 3;
s.tags[1] = 7;
const pts = SharedArray(Point, [[1.875, -6.25], { x: -5.75, y: 2 }]);
assertType<Equal<typeof pts[0]['x'], number>>();
const rawPts = RawArray(Point, 2);
rawPts[0].y = 1;

// Locks, options, copy, synchronized, descriptors.
const lock = new Lock();
const withLock = Value('i', 0, { lock });
declare const segmentName: string; // never run: only the types matter
const shared = Value('d', undefined, { lock: new RLock(), name: segmentName, mode: 0o600 });
const raw = Value('i', 5, { lock: false });
assertType<Equal<typeof raw.value, number>>();
const result: number = withLock.withLock(() => withLock.getObj().value + 1);
{
  using held = withLock.hold({ timeout: 100 });
  held.release();
}
const c = copy(typed);
assertType<Equal<typeof c.value, number>>();
const wrapped = synchronized(RawArray('d', 2), lock);
assertType<Equal<(typeof wrapped)[number], number>>();
const wrappedValue = synchronized(RawValue('q'));
assertType<Equal<typeof wrappedValue.value, bigint>>();
const descriptor: ObjectDescriptor = typed.toJSON();
const back = attach<ValueOf<'i'>>(descriptor, { type: 'i' });
back.value = 1;

export { n, typed, rawI, d, big, u8, i32, text, bytes, sv, rawArr, shared, result, pts };

// A c_char array field reads as a character array.
{
  const Tagged = Struct({ id: c_int, tags: [c_char, 4] });
  const t = RawValue(Tagged);
  const s: string = t.tags.value;
  t.tags.value = s;
  const b: Uint8Array = t.tags.raw;
  const n: number = t.tags[0];
  void b;
  void n;
  t.close();
}

// attach() typed by its expectations: no cast needed.
{
  const v = attach('jobs', { type: 'i', kind: 'Value' });
  const n: number = v.value;
  v.withLock(() => v.value++);
  const a = attach('samples', { type: 'd', length: 3, kind: 'RawArray' });
  const f: Float64Array = a;
  const q = attach('big', { type: c_longlong, kind: 'RawValue' });
  const big: bigint = q.value;
  void n;
  void f;
  void big;
}

// instanceof SharedCtypesError narrows (through its Symbol.hasInstance), a
// subclass narrows to itself, and the OS details are typed.
{
  class Special extends SharedCtypesError {
    readonly extra = 1;
  }
  const check = (err: unknown): void => {
    if (err instanceof Special) assertType<Equal<typeof err.extra, 1>>();
    if (err instanceof SharedCtypesError) {
      assertType<Equal<typeof err.code, ErrorCode>>();
      assertType<Equal<typeof err.errno, number | undefined>>();
      assertType<Equal<typeof err.syscall, string | undefined>>();
      if (err.code === 'ERR_ILLEGAL_CONSTRUCTOR') void err;
    }
  };
  check(new SharedCtypesError('ERR_SHM_NO_SPACE', 'full', { errno: -28, syscall: 'statvfs', cause: new Error('low') }));
}
