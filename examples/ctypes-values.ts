// ctypes shared values (reference 002, "ctypes Shared Values"): two children
// each add 10 to a shared int and double every element of a shared float
// array, each change made while holding the object's own lock.
import { ChildProcess } from 'child_process';
import { Array as SharedArray, ArrayOf, fork, inherited, Value, ValueOf } from 'sharedctypes';

type Shared = { sharedValue: ValueOf<'i'>; sharedArray: ArrayOf<'f'> };

function join(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`child exited with ${String(code ?? signal)}`))));
  });
}

function modifySharedData({ sharedValue, sharedArray }: Shared): void {
  sharedValue.withLock(() => {
    sharedValue.value += 10;
  });
  sharedArray.withLock(() => {
    for (let i = 0; i < sharedArray.length; i++) sharedArray[i] = sharedArray[i] * 2;
  });
}

async function main(): Promise<void> {
  const sharedValue = Value('i', 5);
  const sharedArray = SharedArray('f', [1.0, 2.0, 3.0, 4.0]); // 'f': C float
  console.log(`Initial value: ${sharedValue.value}`);
  console.log(`Initial array: ${JSON.stringify(sharedArray.toArray())}`);
  const children = [0, 1].map(() => fork(__filename, ['child'], { shared: { sharedValue, sharedArray } }));
  await Promise.all(children.map(join));
  console.log(`Final value: ${sharedValue.value}`);
  console.log(`Final array: ${JSON.stringify(sharedArray.toArray())}`);
}

if (process.argv[2] === 'child') {
  modifySharedData(inherited<Shared>());
} else {
  void main();
}
