// Shared statistics (reference 000, "Shared Statistics"): count, sum, min and
// max in four shared Values, updated together under the count's lock by three
// generator processes while a reporter process prints snapshots.
import { ChildProcess } from 'child_process';
import { fork, inherited, Value, ValueOf } from 'sharedctypes';

const GENERATORS = 3;
const VALUES_EACH = 20;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function join(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`child exited with ${String(code ?? signal)}`))));
  });
}

type Parts = { count: ValueOf<'i'>; sum: ValueOf<'d'>; min: ValueOf<'d'>; max: ValueOf<'d'> };

type Stats = { count: 0 } | { count: number; sum: number; avg: number; min: number; max: number };

class SharedStats {
  constructor(readonly parts: Parts) {}

  static create(): SharedStats {
    return new SharedStats({ count: Value('i', 0), sum: Value('d', 0), min: Value('d', Infinity), max: Value('d', -Infinity) });
  }

  update(value: number): void {
    const { count, sum, min, max } = this.parts;
    // One lock guards all four, so a reader never sees a half-made update.
    count.getLock().withLock(() => {
      count.value += 1;
      sum.value += value;
      if (value < min.value) min.value = value;
      if (value > max.value) max.value = value;
    });
  }

  getStats(): Stats {
    const { count, sum, min, max } = this.parts;
    return count.getLock().withLock(() => {
      if (count.value === 0) return { count: 0 };
      return { count: count.value, sum: sum.value, avg: sum.value / count.value, min: min.value, max: max.value };
    });
  }
}

function dataGenerator(stats: SharedStats, numValues: number): void {
  for (let i = 0; i < numValues; i++) {
    stats.update(Math.random() * 200 - 100); // uniform in [-100, 100)
    sleep(2);
  }
}

function statsReporter(stats: SharedStats, expected: number): void {
  // Python reports ten times on a timer; this one reports until it has seen every value.
  for (;;) {
    sleep(20);
    const current = stats.getStats();
    console.log(`Stats: ${JSON.stringify(current)}`);
    if (current.count >= expected) return;
  }
}

async function main(): Promise<void> {
  const stats = SharedStats.create();
  const generators = Array.from({ length: GENERATORS }, () => fork(__filename, ['generator', String(VALUES_EACH)], { shared: stats.parts }));
  const reporter = fork(__filename, ['reporter', String(GENERATORS * VALUES_EACH)], { shared: stats.parts });
  await Promise.all([...generators, reporter].map(join));
  console.log(`Final stats: ${JSON.stringify(stats.getStats())}`);
}

const [role, n] = process.argv.slice(2);
if (role === 'generator') {
  dataGenerator(new SharedStats(inherited<Parts>()), Number(n));
} else if (role === 'reporter') {
  statsReporter(new SharedStats(inherited<Parts>()), Number(n));
} else {
  void main();
}
