// Array workers and a reader (reference 000, "array_worker"/"array_reader"):
// three children each fill their own three slots of a synchronized int array
// while holding its lock, and a reader prints the contents and the sum. Then
// an array from an initialiser, and a 3x4 matrix filled one row per child.
import { ChildProcess } from 'child_process';
import { Array as SharedArray, ArrayOf, fork, inherited, Value, ValueOf } from 'sharedctypes';

type Shared = { arr: ArrayOf<'i'>; writersDone: ValueOf<'i'>; matrix: ArrayOf<'i'> };

const WRITERS = 3;
const ROWS = 3;
const COLS = 4;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function join(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`child exited with ${String(code ?? signal)}`))));
  });
}

function arrayWorker(arr: ArrayOf<'i'>, writersDone: ValueOf<'i'>, workerId: number, start: number, count: number): void {
  // Holding the lock for the whole loop keeps each worker's three writes together.
  arr.getLock().withLock(() => {
    for (let i = 0; i < count; i++) {
      const idx = start + i;
      if (idx < arr.length) {
        arr[idx] = workerId * 100 + i;
        console.log(`Worker ${workerId}: set array[${idx}] = ${arr[idx]}`);
        sleep(10);
      }
    }
  });
  writersDone.withLock(() => writersDone.getObj().value++);
}

function arrayReader(arr: ArrayOf<'i'>, writersDone: ValueOf<'i'>): void {
  // Python's reader sleeps a second and hopes; this one waits until every writer has finished.
  while (writersDone.value < WRITERS) sleep(5);
  arr.getLock().withLock(() => {
    const contents = arr.toArray();
    console.log(`Array contents: ${JSON.stringify(contents)}`);
    console.log(`Array sum: ${contents.reduce((a, b) => a + b, 0)}`);
  });
}

function matrixWorker(matrix: ArrayOf<'i'>, row: number, cols: number): void {
  // Each child owns one row, so the per-element lock is all it needs.
  for (let col = 0; col < cols; col++) {
    const idx = row * cols + col;
    matrix[idx] = idx + 1;
    sleep(5);
  }
}

async function main(): Promise<void> {
  const arr = SharedArray('i', 10);
  const writersDone = Value('i', 0);
  console.log(`Initial array: ${JSON.stringify(arr.toArray())}`);
  const children: ChildProcess[] = [];
  for (let i = 0; i < WRITERS; i++) {
    children.push(fork(__filename, ['writer', String(i), String(i * 3), '3'], { shared: { arr, writersDone } }));
  }
  children.push(fork(__filename, ['reader'], { shared: { arr, writersDone } }));
  await Promise.all(children.map(join));

  const initialized = SharedArray('i', [1, 2, 3, 4, 5]);
  console.log(`Initialized array: ${JSON.stringify(initialized.toArray())}`);

  const matrix = SharedArray('i', ROWS * COLS);
  const rowWorkers: ChildProcess[] = [];
  for (let row = 0; row < ROWS; row++) rowWorkers.push(fork(__filename, ['row', String(row), String(COLS)], { shared: { matrix } }));
  await Promise.all(rowWorkers.map(join));
  console.log('Matrix:');
  for (let row = 0; row < ROWS; row++) console.log(JSON.stringify(matrix.slice(row * COLS, (row + 1) * COLS)));
}

const [role, a, b, c] = process.argv.slice(2);
if (role === 'writer') {
  const { arr, writersDone } = inherited<Shared>();
  arrayWorker(arr, writersDone, Number(a), Number(b), Number(c));
} else if (role === 'reader') {
  const { arr, writersDone } = inherited<Shared>();
  arrayReader(arr, writersDone);
} else if (role === 'row') {
  matrixWorker(inherited<Shared>().matrix, Number(a), Number(b));
} else {
  void main();
}
