// Performance comparison (reference 002): a child increments a synchronized
// Value under its own lock, then another child increments a RawValue under a
// separate Lock; each prints how long its loop took.
import { ChildProcess } from 'child_process';
import { fork, inherited, Lock, RawValue, RawValueOf, Value, ValueOf } from 'sharedctypes';

const ITERATIONS = 10000;

type SyncShared = { syncVal: ValueOf<'i'> };
type RawShared = { rawVal: RawValueOf<'i'>; lock: Lock };

function join(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`child exited with ${String(code ?? signal)}`))));
  });
}

function testSynchronizedValue(sharedVal: ValueOf<'i'>, iterations: number): number {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    sharedVal.getLock().withLock(() => {
      sharedVal.value += 1;
    });
  }
  return (performance.now() - start) / 1000;
}

function testRawValue(rawVal: RawValueOf<'i'>, lock: Lock, iterations: number): number {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    lock.withLock(() => {
      rawVal.value += 1;
    });
  }
  return (performance.now() - start) / 1000;
}

function benchmarkWorker(testType: string, iterations: number): void {
  let seconds: number;
  if (testType === 'synchronized') {
    seconds = testSynchronizedValue(inherited<SyncShared>().syncVal, iterations);
  } else {
    const { rawVal, lock } = inherited<RawShared>();
    seconds = testRawValue(rawVal, lock, iterations);
  }
  console.log(`${testType} test completed in ${seconds.toFixed(3)} seconds`);
}

async function main(): Promise<void> {
  console.log('Testing synchronized Value...');
  const syncVal = Value('i', 0);
  await join(fork(__filename, ['worker', 'synchronized', String(ITERATIONS)], { shared: { syncVal } }));
  console.log(`Synchronized final value: ${syncVal.value}`);

  console.log('\nTesting raw Value with manual lock...');
  const rawVal = RawValue('i', 0);
  const manualLock = new Lock();
  await join(fork(__filename, ['worker', 'raw', String(ITERATIONS)], { shared: { rawVal, lock: manualLock } }));
  console.log(`Raw final value: ${rawVal.value}`);
}

if (process.argv[2] === 'worker') {
  benchmarkWorker(process.argv[3], Number(process.argv[4]));
} else {
  void main();
}
