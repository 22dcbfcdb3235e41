// The README's first example in CommonJS (Node runs it as written).
const { Value, Array: SharedArray, fork, inherited } = require('sharedctypes');

if (process.argv[2] !== 'child') {
  const counter = Value('i', 0);                 // a C int in shared memory, with its own lock
  const data = SharedArray('d', [1.5, 2.5, 3.5]); // three C doubles
  const child = fork(__filename, ['child'], { shared: { counter, data } });
  child.on('exit', () => console.log(counter.value, data.toArray())); // 1000 [ 3, 5, 7 ]
} else {
  const { counter, data } = inherited();
  for (let i = 0; i < 1000; i++) counter.withLock(() => counter.value++);
  data.withLock(() => data.getObj().forEach((v, i, a) => (a[i] = v * 2)));
}
