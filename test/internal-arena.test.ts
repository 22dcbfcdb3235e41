// INTERNAL: the arena allocator's own bookkeeping (lib/memory/arena.ts): the
// list of blocks the creator released while other processes still referenced
// them (pendingBlocks), the references this process took by attaching
// (attachedBlocks), and the bytes of its arenas (arenaBytes). arena-reuse.test.ts
// shows the public behaviour (blocks reused, records in shared memory, freed
// descriptors refused); these counters are what keeps that bounded: a block
// stuck on the pending list, or an attach reference never dropped, is memory
// that is never reused, and the public API would show it only as slow growth
// over a very long run.
import { attach, Lock, RawValue, Value } from '../dist/index';
import { arenaBytes, attachedBlocks, pendingBlocks } from '../dist/memory/arena';
import { killAll } from './helpers/processes';
import { run, startPeer } from './helpers/peer';
import { landsOn, placeOf, quit } from './helpers/arena';

afterEach(killAll);

test('a block released while a child references it stays pending until the child closes it, then is reclaimed', async () => {
  const peer = await startPeer();
  const v = RawValue('i', 11);
  const place = placeOf(v);
  const pending = pendingBlocks();
  await run(peer, 'objs.v = lib.attach(arg)', v.toJSON());
  v.close();
  expect(pendingBlocks()).toBe(pending + 1);
  await run(peer, 'objs.v.close()');
  // The next allocations poll the pending list and take the block back.
  expect(landsOn(place, () => RawValue('i'))).toBe(true);
  expect(pendingBlocks()).toBe(pending);
  await quit(peer);
});

test("a child that exits without close() empties the pending list of a Value's two blocks", async () => {
  const peer = await startPeer();
  const v = Value('i', 5);
  const d = v.toJSON();
  const place = placeOf(v);
  const pending = pendingBlocks();
  await run(peer, 'objs.v = lib.attach(arg)', d);
  v.close();
  expect(pendingBlocks()).toBe(pending + 2);
  await quit(peer);
  expect(landsOn(place, () => RawValue('i'))).toBe(true);
  expect(landsOn(`${d.lock!.segment}@${d.lock!.offset}`, () => new Lock())).toBe(true);
  expect(pendingBlocks()).toBe(pending);
});

test('attach() in the creating process takes one reference per attach and close() drops it', () => {
  const v = RawValue('i', 3);
  const d = v.toJSON();
  const held = attachedBlocks();
  const mine = attach<{ value: number; close(): void }>(d);
  const second = attach<{ value: number; close(): void }>(d);
  expect(attachedBlocks()).toBe(held + 2);
  v.close(); // the creator's own reference is not an attach
  expect(attachedBlocks()).toBe(held + 2);
  second.close();
  second.close(); // idempotent
  expect(attachedBlocks()).toBe(held + 1);
  mine.close();
  expect(attachedBlocks()).toBe(held);
});

test('20,000 Value create/close cycles: arena bytes flat and nothing pending', () => {
  const cycle = (n: number): void => {
    for (let i = 0; i < n; i++) Value('i', i).close();
  };
  cycle(1000);
  const bytes = arenaBytes();
  cycle(20000);
  expect(arenaBytes()).toBe(bytes);
  expect(pendingBlocks()).toBe(0);
});
