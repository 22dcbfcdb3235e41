// Raw shared objects with a separate lock (reference 002, "Raw Shared Objects
// (No Locking)"): a RawValue and a RawArray have no lock of their own, so the
// three workers guard every read-modify-write with one shared Lock.
import { ChildProcess } from 'child_process';
import { fork, inherited, Lock, RawArray, RawArrayOf, RawValue, RawValueOf } from 'sharedctypes';

type Shared = { rawValue: RawValueOf<'i'>; rawArray: RawArrayOf<'i'>; lock: Lock };

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function join(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`child exited with ${String(code ?? signal)}`))));
  });
}

function workerWithManualLocking({ rawValue, rawArray, lock }: Shared, workerId: number): void {
  for (let n = 0; n < 5; n++) {
    {
      // Python's `with lock:` — released when this block ends, even on a throw.
      using _held = lock.hold();
      const old = rawValue.value;
      sleep(2); // another worker would overwrite this increment without the lock
      rawValue.value = old + 1;
      for (let i = 0; i < rawArray.length; i++) rawArray[i] += 1;
    }
    console.log(`Worker ${workerId} iteration completed`);
    sleep(10);
  }
}

async function main(): Promise<void> {
  const rawValue = RawValue('i', 0);
  const rawArray = RawArray('i', [0, 0, 0]);
  const lock = new Lock();
  console.log(`Initial value: ${rawValue.value}`);
  console.log(`Initial array: ${JSON.stringify(Array.from(rawArray))}`);
  const workers = [0, 1, 2].map((i) => fork(__filename, ['worker', String(i)], { shared: { rawValue, rawArray, lock } }));
  await Promise.all(workers.map(join));
  console.log(`Final value: ${rawValue.value}`);
  console.log(`Final array: ${JSON.stringify(Array.from(rawArray))}`);
}

if (process.argv[2] === 'worker') {
  workerWithManualLocking(inherited<Shared>(), Number(process.argv[3]));
} else {
  void main();
}
