// Lock-free atomics: semantics in one process, and exact totals when two
// processes add to the same shared integer at once.
import { RawArray, RawValue, Value } from '../dist';
import { expectCode } from './helpers/errors';
import { exitOf, forkFixture, killAll, Peer } from './helpers/processes';

afterEach(killAll);

const N = 1_000_000;

/** Two children each add 1 to the target N times, started together. */
async function addFromTwo(target: { toJSON(): unknown }, bigint: boolean, index?: number): Promise<void> {
  const peers: Peer[] = [forkFixture('atomic-adder.js'), forkFixture('atomic-adder.js')];
  for (const p of peers) p.send({ target: target.toJSON(), bigint, index });
  for (const p of peers) expect((await p.next<{ type: string }>()).type).toBe('ready');
  for (const p of peers) p.send({ type: 'go', n: N });
  for (const p of peers) expect((await p.next<{ type: string }>()).type).toBe('done');
  for (const p of peers) expect(await exitOf(p)).toEqual({ code: 0, signal: null });
}

describe('atomic add from 2 processes x 1,000,000', () => {
  test("32-bit: RawValue('i') ends exact", async () => {
    const v = RawValue('i', 0);
    await addFromTwo(v, false);
    expect(v.value).toBe(2 * N);
    v.close();
  });

  test("64-bit: Value('q') ends exact (no lock taken)", async () => {
    const v = Value('q', 5n);
    await addFromTwo(v, true);
    expect(v.value).toBe(5n + BigInt(2 * N));
    expect(v.getLock().locked()).toBe(false);
    v.close();
  });

  test("RawArray('Q') element ends exact, neighbours untouched", async () => {
    const a = RawArray('Q', 3);
    await addFromTwo(a, true, 1);
    expect([...a]).toEqual([0n, BigInt(2 * N), 0n]);
    a.close();
  });
});

describe('atomic operations', () => {
  test('each returns the previous value and stores with C wrap-around', () => {
    const v = RawValue('i', 10);
    expect(v.add(5)).toBe(10);
    expect(v.sub(3)).toBe(15);
    expect(v.and(0b1010)).toBe(12);
    expect(v.or(0b0101)).toBe(8);
    expect(v.xor(0b1111)).toBe(13);
    expect(v.exchange(7)).toBe(2);
    expect(v.compareExchange(6, 100)).toBe(7); // no match: unchanged
    expect(v.compareExchange(7, 100)).toBe(7);
    expect(v.load()).toBe(100);
    v.store(2 ** 31); // stored as a C int
    expect(v.value).toBe(-(2 ** 31));
    const b = RawValue('B', 250);
    b.add(10);
    expect(b.value).toBe(4);
    v.close();
    b.close();
  });

  test('wrong value types and non-integer types are refused', () => {
    const q = RawValue('q', 0n);
    expectCode(() => (q as unknown as { add(n: number): void }).add(1), 'ERR_INVALID_ARG_TYPE');
    const i = RawValue('i', 0);
    expectCode(() => i.add(1.5), 'ERR_INVALID_ARG_TYPE');
    const d = RawValue('d', 0);
    expectCode(() => (d as unknown as { add(n: number): void }).add(1), 'ERR_INVALID_TYPE');
    const a = RawArray('i', 2);
    expectCode(() => a.add(2, 1), 'ERR_OUT_OF_RANGE');
    for (const o of [q, i, d, a]) o.close();
    expectCode(() => i.add(1), 'ERR_SHM_CLOSED');
  });
});
