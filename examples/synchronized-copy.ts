// synchronized() and copy() (reference 000): a raw array gets a lock through
// synchronized(); three children each add their id to every element while
// holding it; copy() then makes a new raw shared array with the same contents.
import { ChildProcess } from 'child_process';
import { ArrayOf, copy, fork, inherited, RawArray, synchronized } from 'sharedctypes';

type Shared = { arr: ArrayOf<'i'> };

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function join(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`child exited with ${String(code ?? signal)}`))));
  });
}

function syncWorker(arr: ArrayOf<'i'>, workerId: number): void {
  // `+=` is a read then a write; the lock held around the loop makes the pair atomic.
  arr.getLock().withLock(() => {
    for (let i = 0; i < arr.length; i++) {
      arr[i] += workerId;
      sleep(2);
    }
  });
  console.log(`Worker ${workerId} completed`);
}

async function main(): Promise<void> {
  const rawArr = RawArray('i', new Array<number>(10).fill(0));
  const syncArr = synchronized(rawArr);
  const workers = [1, 2, 3].map((id) => fork(__filename, ['worker', String(id)], { shared: { arr: syncArr } }));
  await Promise.all(workers.map(join));
  console.log(`Final array: ${JSON.stringify(syncArr.toArray())}`);

  const arrCopy = copy(syncArr);
  console.log(`Copied array: ${JSON.stringify(Array.from(arrCopy))}`);
}

if (process.argv[2] === 'worker') {
  syncWorker(inherited<Shared>().arr, Number(process.argv[3]));
} else {
  void main();
}
