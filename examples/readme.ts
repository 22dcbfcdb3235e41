// The README's first example, kept here so the tests run it.
import { Value, Array, fork, inherited, type ValueOf, type ArrayOf } from 'sharedctypes';

if (process.argv[2] !== 'child') {
  const counter = Value('i', 0);                 // a C int in shared memory, with its own lock
  const data = Array('d', [1.5, 2.5, 3.5]);      // three C doubles
  const child = fork(__filename, ['child'], { shared: { counter, data } });
  child.on('exit', () => console.log(counter.value, data.toArray())); // 1000 [ 3, 5, 7 ]
} else {
  const { counter, data } = inherited<{ counter: ValueOf<'i'>; data: ArrayOf<'d'> }>();
  for (let i = 0; i < 1000; i++) counter.withLock(() => counter.value++);
  data.withLock(() => data.getObj().forEach((v, i, a) => (a[i] = v * 2)));
}
