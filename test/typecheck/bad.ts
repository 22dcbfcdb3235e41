// Misuses the typings must refuse: the typecheck test requires an error on
// every line marked expect-error, and on no other line.
import { Array as SharedArray, attach, c_char, c_double, c_int, RawArray, RawValue, SharedCtypesError, Struct, Value } from 'sharedctypes';

const i = Value('i');
i.value = 1; // fine
i.value = 'x'; // expect-error
i.value = 1n; // expect-error
const q = Value('q');
q.value = 1n; // fine
q.value = 1; // expect-error
const flag = Value('?');
flag.value = 1; // expect-error
const ch = Value('c');
ch.value = 65; // expect-error

const d = RawArray('d', 3);
d[0] = 1n; // expect-error
const big = RawArray('q', 3);
big[0] = 1; // expect-error
const chars = RawArray('c', 4);
chars.value = 5; // expect-error
const asInts: Int32Array = RawArray('d', 2); // expect-error

const Point = Struct({ x: c_double, y: c_int });
const p = RawValue(Point);
p.x = 1.5; // fine
p.z = 1; // expect-error
p.y = 'one'; // expect-error
const sp = Value(Point);
sp.w = 0; // expect-error

Value('i', 'x'); // expect-error
Value('q', 1); // expect-error
RawValue('d', true); // expect-error
RawValue(Point, { x: 'a' }); // expect-error
RawValue(Point, { z: 1 }); // expect-error
RawArray('i', ['a']); // expect-error
SharedArray('d', 3, { lock: 'x' }); // expect-error
Value('i', 0, { lokc: true }); // expect-error
const s: string = Value('i').value; // expect-error
const n: number = Value('q').value; // expect-error
Value('z'); // expect-error

export { s, n };

const attached = attach('jobs', { type: 'i', kind: 'Value' });
attached.value = 'x'; // expect-error
const tagged = RawValue(Struct({ tags: [c_char, 4] }));
tagged.tags.value = 5; // expect-error
new SharedCtypesError('ERR_NOT_A_CODE', 'no such code'); // expect-error
