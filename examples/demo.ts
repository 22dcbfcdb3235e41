// `npm run demo`: four children share a synchronized counter, an unsynchronized
// RawValue and a per-child Array. Each child makes N increments of both
// counters; the locked one ends exact, the raw one visibly loses updates.
import { ChildProcess } from 'child_process';
import { Array as SharedArray, ArrayOf, fork, inherited, RawValue, RawValueOf, Value, ValueOf } from 'sharedctypes';

const CHILDREN = 4;
// About a second on two cores: long enough for the processes to overlap a lot.
const N = 500_000;

type Shared = {
  counter: ValueOf<'i'>;
  raw: RawValueOf<'i'>;
  ready: ValueOf<'i'>;
  perChild: ArrayOf<'d'>;
};

function join(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`child exited with ${String(code ?? signal)}`))));
  });
}

function child(slot: number, n: number): void {
  const { counter, raw, ready, perChild } = inherited<Shared>();
  // Start together: a child that ran alone would lose nothing and prove nothing.
  ready.withLock(() => ready.getObj().value++);
  while (ready.value < CHILDREN) {
    /* spin: the others are a few milliseconds away */
  }
  const rawCounter = counter.getObj();
  for (let i = 0; i < n; i++) {
    raw.value++; // read, add, write: another process's write in between is lost
    counter.withLock(() => rawCounter.value++);
  }
  perChild[slot] = n;
}

async function main(): Promise<void> {
  const counter = Value('i', 0);
  const raw = RawValue('i', 0);
  const ready = Value('i', 0);
  const perChild = SharedArray('d', CHILDREN);
  const started = performance.now();
  const children = Array.from({ length: CHILDREN }, (_, slot) =>
    fork(__filename, ['child', String(slot), String(N)], { shared: { counter, raw, ready, perChild } }),
  );
  await Promise.all(children.map(join));
  const elapsed = performance.now() - started;

  const expected = CHILDREN * N;
  const exact = counter.value === expected;
  const lost = expected - raw.value;
  const rows: Array<[string, string]> = [
    ['children x increments', `${CHILDREN} x ${N.toLocaleString('en-US')}`],
    ['expected total', expected.toLocaleString('en-US')],
    ['synchronized Value total', `${counter.value.toLocaleString('en-US')} (${exact ? 'exact' : 'WRONG'})`],
    ['unsynchronized RawValue total', `${raw.value.toLocaleString('en-US')} (lost ${lost.toLocaleString('en-US')}, ${((100 * lost) / expected).toFixed(1)}%)`],
    ['per-child Array slots', JSON.stringify(perChild.toArray())],
    ['elapsed', `${(elapsed / 1000).toFixed(2)} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`sharedctypes demo: ${CHILDREN} child processes increment shared counters`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  for (const obj of [counter, raw, ready, perChild]) obj.close();
  if (!exact) process.exitCode = 1;
}

if (process.argv[2] === 'child') {
  child(Number(process.argv[3]), Number(process.argv[4]));
} else {
  void main();
}
