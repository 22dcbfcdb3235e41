// The Array tutorial (reference 004): a child fills a shared int array with
// 0..4; the parent prints it.
import { Array as SharedArray, ArrayOf, fork, inherited } from 'sharedctypes';

if (process.argv[2] === 'child') {
  const { arr } = inherited<{ arr: ArrayOf<'i'> }>();
  for (let i = 0; i < arr.length; i++) arr[i] = i;
} else {
  const arr = SharedArray('i', 5);
  fork(__filename, ['child'], { shared: { arr } }).on('exit', () => {
    console.log(arr.slice());
  });
}
