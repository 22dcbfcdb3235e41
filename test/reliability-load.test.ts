// Nothing lost under load: 4 processes hammer one lock at once, and every
// update counts; a struct updated field by field under one shared Lock is
// never seen half-written by a reader that takes the same lock.
import { c_double, c_int, c_longlong, Lock, Struct, Value } from '../dist';
import { exitOf, forkFixture, killAll, Peer } from './helpers/processes';

afterEach(killAll);

const PROCESSES = 4;
const PER_PROCESS = 250_000;
const TOTAL = PROCESSES * PER_PROCESS;

const fmt = (n: number): string => n.toLocaleString('en-US');

function worker(cmd: Record<string, unknown>): Peer {
  return forkFixture('load-worker.js', [JSON.stringify(cmd)]);
}

/** Waits until every process is ready, starts them together; resolves with their reports and the seconds taken. */
async function race(peers: Peer[]): Promise<{ reports: Array<Record<string, unknown>>; seconds: number }> {
  for (const p of peers) expect(await p.next()).toEqual({ type: 'ready' });
  const started = performance.now();
  for (const p of peers) p.send({ type: 'go' });
  const reports = await Promise.all(peers.map((p) => p.next()));
  const seconds = (performance.now() - started) / 1000;
  for (const p of peers) expect(await exitOf(p)).toEqual({ code: 0, signal: null });
  for (const r of reports) expect(r.type).toBe('done');
  return { reports, seconds };
}

test(`${PROCESSES} processes x ${fmt(PER_PROCESS)} locked increments of one Value('i') give exactly ${fmt(TOTAL)}`, async () => {
  const counter = Value('i', 0);
  try {
    const peers = Array.from({ length: PROCESSES }, () => worker({ op: 'count', value: counter.toJSON(), n: PER_PROCESS }));
    const { seconds } = await race(peers);
    const value = counter.value;
    console.log(`${PROCESSES} x ${fmt(PER_PROCESS)} locked increments: ${fmt(value)} (expected ${fmt(TOTAL)}) in ${seconds.toFixed(1)} s`);
    expect(value).toBe(TOTAL);
    expect(counter.getLock().locked()).toBe(false);
  } finally {
    counter.close();
  }
});

test(`${PROCESSES} writers x ${fmt(PER_PROCESS)} struct updates under one Lock, with a concurrent reader: exact, never torn`, async () => {
  const Record = Struct({ a: c_int, b: c_int, c: c_double, d: c_longlong });
  const lock = new Lock();
  const shared = Value(Record, undefined, { lock });
  try {
    const struct = shared.toJSON();
    const writers = Array.from({ length: PROCESSES }, () => worker({ op: 'struct-write', struct, n: PER_PROCESS }));
    // The reader stops when it sees the final total (or at its own deadline, which then fails below).
    const reader = worker({ op: 'struct-read', struct, total: TOTAL, deadlineMs: 50_000 });
    const { reports, seconds } = await race([...writers, reader]);
    const read = reports[PROCESSES] as { checks: number; midway: number; backwards: number; torn: number; examples: unknown[]; last: number };
    const final = shared.withLock(() => {
      const o = shared.getObj();
      return { a: o.a, b: o.b, c: o.c, d: o.d };
    });
    console.log(
      `${PROCESSES} x ${fmt(PER_PROCESS)} locked struct updates: a = ${fmt(final.a)} (expected ${fmt(TOTAL)}) in ${seconds.toFixed(1)} s; ` +
        `reader: ${fmt(read.checks)} locked snapshots (${fmt(read.midway)} mid-run), ${read.torn} torn`,
    );
    expect(final).toEqual({ a: TOTAL, b: -TOTAL, c: TOTAL * 0.5, d: BigInt(TOTAL) });
    expect(read.examples).toEqual([]);
    expect(read.torn).toBe(0);
    expect(read.backwards).toBe(0);
    expect(read.last).toBe(TOTAL);
    // The reader really ran alongside the writers, not only before or after them.
    expect(read.midway).toBeGreaterThan(0);
    expect(lock.locked()).toBe(false);
  } finally {
    shared.close();
    lock.close();
  }
});
