// Locked counter workers (reference 000, "worker_with_shared_value"): three
// children each make five read-sleep-write increments of a shared int while
// holding its lock, so none is lost. Then a Value of a ctypes type, and two
// children incrementing a RawValue with no lock at all.
import { ChildProcess } from 'child_process';
import { c_double, fork, inherited, RawValue, RawValueOf, Value, ValueOf } from 'sharedctypes';

type Shared = { counter: ValueOf<'i'>; raw: RawValueOf<'i'> };

/** A blocking sleep, like Python's time.sleep (fine in a child: nothing else runs there). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Resolves when the child exits; a failed child fails the example. */
function join(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`child exited with ${String(code ?? signal)}`))));
  });
}

function workerWithSharedValue(counter: ValueOf<'i'>, workerId: number, iterations: number): void {
  for (let i = 0; i < iterations; i++) {
    // The sleep between read and write would lose updates without the lock.
    counter.getLock().withLock(() => {
      const old = counter.value;
      sleep(1);
      counter.value = old + 1;
    });
    console.log(`Worker ${workerId}: counter = ${counter.value}`);
  }
}

function rawValueWorker(raw: RawValueOf<'i'>, workerId: number): void {
  for (let i = 0; i < 5; i++) {
    raw.value += 1; // not atomic: two processes may overwrite each other
    console.log(`Worker ${workerId}: raw value = ${raw.value}`);
    sleep(20);
  }
}

async function main(): Promise<void> {
  const counter = Value('i', 0);
  console.log(`Initial counter value: ${counter.value}`);
  const workers = [0, 1, 2].map((i) => fork(__filename, ['counter', String(i), '5'], { shared: { counter } }));
  await Promise.all(workers.map(join));
  console.log(`Final counter value: ${counter.value}`);

  const floatValue = Value(c_double, 3.14159);
  console.log(`Float value: ${floatValue.value}`);

  const raw = RawValue('i', 0);
  const rawWorkers = [0, 1].map((i) => fork(__filename, ['raw', String(i)], { shared: { raw } }));
  await Promise.all(rawWorkers.map(join));
  console.log(`Final raw counter: ${raw.value}`);
}

const [role, id, iterations] = process.argv.slice(2);
if (role === 'counter') {
  workerWithSharedValue(inherited<Shared>().counter, Number(id), Number(iterations));
} else if (role === 'raw') {
  rawValueWorker(inherited<Shared>().raw, Number(id));
} else {
  void main();
}
