// The README's first example as an ES module (Node runs it as written).
import { fileURLToPath } from 'node:url';
import * as sc from 'sharedctypes'; // sc.Array: a named `Array` import would shadow the global one

if (process.argv[2] !== 'child') {
  const counter = sc.Value('i', 0);              // a C int in shared memory, with its own lock
  const data = sc.Array('d', [1.5, 2.5, 3.5]);   // three C doubles
  const child = sc.fork(fileURLToPath(import.meta.url), ['child'], { shared: { counter, data } });
  child.on('exit', () => console.log(counter.value, data.toArray())); // 1000 [ 3, 5, 7 ]
} else {
  const { counter, data } = sc.inherited();
  for (let i = 0; i < 1000; i++) counter.withLock(() => counter.value++);
  data.withLock(() => data.getObj().forEach((v, i, a) => (a[i] = v * 2)));
}
