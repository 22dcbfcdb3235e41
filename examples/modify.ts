// The `modify(n, x, s, A)` example of the processing package's sharedctypes
// page (reference 003): a child squares an int, a double, every coordinate of
// an array of Point structs, and upper-cases a char array; the parent prints
// the results.
import { Array as SharedArray, ArrayOf, c_double, fork, inherited, Lock, RawValueOf, Struct, Value, ValueOf } from 'sharedctypes';

const Point = Struct({ x: c_double, y: c_double });

type Shared = {
  n: ValueOf<'i'>;
  x: RawValueOf<typeof c_double>;
  s: ArrayOf<'c'>;
  A: ArrayOf<typeof Point>;
};

function modify({ n, x, s, A }: Shared): void {
  n.value **= 2;
  x.value **= 2;
  s.value = s.value.toUpperCase();
  for (const p of A) {
    p.x **= 2;
    p.y **= 2;
  }
}

if (process.argv[2] === 'child') {
  modify(inherited<Shared>());
} else {
  // One lock guards both s and A, as in the Python original.
  const lock = new Lock();
  const n = Value('i', 7);
  const x = Value(c_double, 1.0 / 3.0, { lock: false });
  const s = SharedArray('c', 'hello world', { lock });
  const A = SharedArray(
    Point,
    [
      [1.875, -6.25],
      [-5.75, 2.0],
      [2.375, 9.5],
    ],
    { lock },
  );

  fork(__filename, ['child'], { shared: { n, x, s, A } }).on('exit', (code) => {
    if (code !== 0) throw new Error(`the child exited with code ${String(code)}`);
    console.log(n.value);
    console.log(x.value);
    console.log(s.value);
    console.log(A.toArray().map((p) => [p.x, p.y]));
  });
}
