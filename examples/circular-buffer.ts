// A circular buffer in shared memory (reference 000, "Circular Buffer"): a
// synchronized int array plus head/tail/count Values, changed together under
// the array's lock. One producer puts 0..9, two consumers take them.
//
// Python's consumers give up at the first empty read, which races with the
// producer. Here the producer raises a shared `done` flag after its last put,
// and a consumer stops only when the buffer is empty and `done` was already up.
import { ChildProcess } from 'child_process';
import { Array as SharedArray, ArrayOf, fork, inherited, Value, ValueOf } from 'sharedctypes';

const ITEMS = 10;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function join(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`child exited with ${String(code ?? signal)}`))));
  });
}

/** The buffer's shared parts: what crosses into the child processes. */
type Parts = { buffer: ArrayOf<'i'>; head: ValueOf<'i'>; tail: ValueOf<'i'>; count: ValueOf<'i'> };

class CircularBuffer {
  readonly size: number;

  constructor(readonly parts: Parts) {
    this.size = parts.buffer.length;
  }

  static create(size: number): CircularBuffer {
    return new CircularBuffer({ buffer: SharedArray('i', size), head: Value('i', 0), tail: Value('i', 0), count: Value('i', 0) });
  }

  /** False when the buffer is full. */
  put(item: number): boolean {
    const { buffer, tail, count } = this.parts;
    return buffer.getLock().withLock(() => {
      if (count.value >= this.size) return false;
      buffer[tail.value] = item;
      tail.value = (tail.value + 1) % this.size;
      count.value += 1;
      return true;
    });
  }

  /** null when the buffer is empty. */
  get(): number | null {
    const { buffer, head, count } = this.parts;
    return buffer.getLock().withLock(() => {
      if (count.value === 0) return null;
      const item = buffer[head.value];
      head.value = (head.value + 1) % this.size;
      count.value -= 1;
      return item;
    });
  }
}

function producer(buffer: CircularBuffer, done: ValueOf<'i'>, items: number): void {
  for (let item = 0; item < items; item++) {
    while (!buffer.put(item)) sleep(2); // full: wait for a consumer
    console.log(`Produced: ${item}`);
    sleep(5);
  }
  done.value = 1;
}

function consumer(buffer: CircularBuffer, done: ValueOf<'i'>, seen: ArrayOf<'i'>, consumerId: number): void {
  for (;;) {
    // Read the flag before trying: if it was up then, an empty buffer stays empty.
    const finished = done.value === 1;
    const item = buffer.get();
    if (item !== null) {
      console.log(`Consumer ${consumerId} got: ${item}`);
      seen.withLock(() => seen.getObj()[item]++);
      sleep(15); // slower than the producer, so the buffer does fill up
    } else if (finished) {
      return;
    } else {
      sleep(2);
    }
  }
}

type Shared = Parts & { done: ValueOf<'i'>; seen: ArrayOf<'i'> };

async function main(): Promise<void> {
  const circ = CircularBuffer.create(5);
  const done = Value('i', 0);
  // How many times each item was consumed, across both consumers.
  const seen = SharedArray('i', ITEMS);
  const shared = { ...circ.parts, done, seen };
  const prod = fork(__filename, ['producer'], { shared });
  const cons = [1, 2].map((id) => fork(__filename, ['consumer', String(id)], { shared }));
  await Promise.all([prod, ...cons].map(join));
  console.log(`Times each item was consumed: ${JSON.stringify(seen.toArray())}`);
}

const role = process.argv[2];
if (role === 'producer' || role === 'consumer') {
  const { done, seen, ...parts } = inherited<Shared>();
  const buffer = new CircularBuffer(parts);
  if (role === 'producer') producer(buffer, done, ITEMS);
  else consumer(buffer, done, seen, Number(process.argv[3]));
} else {
  void main();
}
