// Named objects: created exclusively with their mode, attach(name) and
// unlink() / unlink(name), a name reused after unlink, a leading slash, and
// invalid names.
import fs from 'fs';
import {
  Array as SharedArray,
  attach,
  c_int,
  RawArray,
  RawValue,
  Struct,
  unlink,
  Value,
} from '../dist/index';
import { exitOf, killAll } from './helpers/processes';
import { testName } from './helpers/names';
import { codeOf } from './helpers/errors';
import { run, startPeer } from './helpers/peer';
import { shmExists } from './helpers/shm';
import { expectThrow, value } from './helpers/objects';

afterEach(killAll);

describe('named objects', () => {
  const mode = (name: string): number => fs.statSync(`/dev/shm/${name}`).mode & 0o777;

  test('created exclusively with mode 0o600; unlink() is idempotent; unlink(name) of a missing name fails', () => {
    const name = testName('obj-named');
    const v = Value('i', 3, { name });
    try {
      expect(shmExists(name)).toBe(true);
      expect(mode(name)).toBe(0o600);
      expect(v.toJSON().segment).toBe(name);
      expect(codeOf(() => Value('i', 0, { name }))).toBe('ERR_SHM_EXISTS');
      expect(codeOf(() => RawArray('d', 4, { name }))).toBe('ERR_SHM_EXISTS');
      expect(v.value).toBe(3); // the failed creations did not touch it
      const again = attach<{ value: number; close(): void }>(name);
      expect(again.value).toBe(3);
      again.close();
      v.unlink();
      expect(shmExists(name)).toBe(false);
      v.unlink();
      // Unlinking removes the name, not the memory this process mapped.
      v.value = 4;
      expect(v.value).toBe(4);
      expect(codeOf(() => unlink(name))).toBe('ERR_SHM_NOT_FOUND');
      expect(codeOf(() => attach(name))).toBe('ERR_SHM_NOT_FOUND');
    } finally {
      v.close();
      if (shmExists(name)) unlink(name);
    }
  });

  test('a name unlinked while still mapped here can be reused: attach(name) finds the new segment', async () => {
    const name = testName('obj-reuse');
    const made: Array<{ close(): void }> = [];
    const peer = await startPeer();
    try {
      const old = Value('i', 1, { name });
      made.push(old);
      const oldView = attach<{ value: number; close(): void }>(name);
      made.push(oldView);
      old.unlink();
      // Another process takes the name for a new object.
      await run(peer, 'lib.RawArray("d", [2.5, 3.5], { name: arg }).close()', name);
      // attach(name) opens what the name designates now, not the mapping this process still holds.
      const seen = attach<Float64Array & { close(): void }>(name, { type: 'd', length: 2 });
      made.push(seen);
      expect([...seen]).toEqual([2.5, 3.5]);
      expect(old.value).toBe(1);
      expect(oldView.value).toBe(1);
      // The module-level unlink(name) forgets the name the same way.
      unlink(name);
      expect(codeOf(() => attach(name))).toBe('ERR_SHM_NOT_FOUND');
      peer.send({ type: 'exit' });
      expect(await exitOf(peer)).toEqual({ code: 0, signal: null });
    } finally {
      for (const o of made) o.close();
      if (shmExists(name)) unlink(name);
    }
  });

  test('every factory takes name and mode; a leading slash means the same name', () => {
    const names = [testName('obj-raw'), testName('obj-arr'), testName('obj-sarr'), testName('obj-struct'), testName('obj-slash')];
    const made: Array<{ close(): void; unlink(): void }> = [];
    try {
      made.push(RawValue('d', 1.5, { name: names[0], mode: 0o640 }));
      made.push(RawArray('i', [1, 2], { name: names[1] }));
      made.push(SharedArray('c', 'xyz', { name: names[2], mode: 0o604 }));
      made.push(Value(Struct({ a: c_int }), { a: 1 }, { name: names[3] }));
      made.push(Value('i', 0, { name: `/${names[4]}` }));
      expect(names.map(mode)).toEqual([0o640, 0o600, 0o604, 0o600, 0o600]);
      expect(codeOf(() => Value('i', 0, { name: names[4] }))).toBe('ERR_SHM_EXISTS');
      for (const o of made) o.unlink();
      expect(names.filter(shmExists)).toEqual([]);
    } finally {
      for (const o of made) o.close();
      for (const n of names) if (shmExists(n)) unlink(n);
    }
    expect(codeOf(() => unlink(names[0]))).toBe('ERR_SHM_NOT_FOUND');
  });

  test('invalid names are ERR_SHM_INVALID_NAME; 200 bytes is the Linux limit', () => {
    for (const name of ['', 'a/b', 'a\\b', 'a\0b', 'x'.repeat(201)]) {
      expect(codeOf(() => Value('i', 0, { name }))).toBe('ERR_SHM_INVALID_NAME');
      expect(codeOf(() => RawArray('d', 2, { name }))).toBe('ERR_SHM_INVALID_NAME');
      expect(codeOf(() => attach(name))).toBe('ERR_SHM_INVALID_NAME');
      expect(codeOf(() => unlink(name))).toBe('ERR_SHM_INVALID_NAME');
    }
    const base = testName('obj-long');
    const long = base + 'x'.repeat(200 - base.length);
    const v = RawValue('i', 1, { name: long });
    try {
      expect(shmExists(long)).toBe(true);
    } finally {
      v.close();
      unlink(long);
    }
  });

  test('unlinkOnExit needs a name', () => {
    expectThrow(() => value('i', 0, { unlinkOnExit: true }), 'TypeError');
    expectThrow(() => value('i', 0, { unlinkOnExit: 'yes' }), 'TypeError');
  });
});
