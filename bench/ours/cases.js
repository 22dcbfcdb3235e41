'use strict';
// What "ours" measures, one entry per case. make() creates the shared objects
// (in the parent for contended cases; children get them through fork()'s
// `shared` + inherited()), work(objects) returns the loop doing n ops.
// Every loop is its own function literal so V8 keeps separate type feedback.
const sct = require('../../dist');

const BIG_N = 1_000_000;

function bigArray() {
  const a = sct.RawArray('d', BIG_N);
  const src = new Float64Array(BIG_N);
  for (let i = 0; i < BIG_N; i++) src[i] = i * 0.5;
  return { a, src };
}

const cases = {
  'lockinc-getobj': {
    make: () => ({ v: sct.Value('i', 0) }),
    work: ({ v }) => (n) => {
      for (let i = 0; i < n; i++) v.withLock(() => { v.getObj().value++; });
    },
    counter: 'v',
  },
  'lockinc-value': {
    make: () => ({ v: sct.Value('i', 0) }),
    work: ({ v }) => (n) => {
      for (let i = 0; i < n; i++) v.withLock(() => v.value++);
    },
    counter: 'v',
  },
  acqrel: {
    make: () => ({ v: sct.Value('i', 0) }),
    work: ({ v }) => (n) => {
      for (let i = 0; i < n; i++) {
        v.acquire();
        v.getObj().value++;
        v.release();
      }
    },
    counter: 'v',
  },
  lock: {
    make: () => ({ lock: new sct.Lock() }),
    work: ({ lock }) => (n) => {
      for (let i = 0; i < n; i++) {
        lock.acquire();
        lock.release();
      }
    },
  },
  rlock: {
    make: () => ({ lock: new sct.RLock() }),
    work: ({ lock }) => (n) => {
      for (let i = 0; i < n; i++) {
        lock.acquire();
        lock.release();
      }
    },
  },
  'atomic-i': {
    make: () => ({ v: sct.RawValue('i', 0) }),
    work: ({ v }) => (n) => {
      for (let i = 0; i < n; i++) v.add(1);
    },
    counter: 'v',
  },
  'atomic-q': {
    make: () => ({ v: sct.Value('q', 0n) }),
    work: ({ v }) => (n) => {
      for (let i = 0; i < n; i++) v.add(1n);
    },
    counter: 'v',
  },
  syncarr: {
    make: () => ({ a: sct.Array('i', 1024) }),
    work: ({ a }) => (n) => {
      for (let i = 0; i < n; i++) a[i & 1023] = i;
    },
    unitsPerOp: 4,
  },
  set: {
    make: bigArray,
    work: ({ a, src }) => (n) => {
      for (let r = 0; r < n; r++) a.set(src);
    },
    unitsPerOp: BIG_N * 8,
  },
  fill: {
    make: bigArray,
    work: ({ a }) => (n) => {
      for (let r = 0; r < n; r++) a.fill(1.5);
    },
    unitsPerOp: BIG_N * 8,
  },
  writeloop: {
    make: bigArray,
    work: ({ a }) => (n) => {
      for (let r = 0; r < n; r++) {
        for (let i = 0; i < a.length; i++) a[i] = i;
      }
    },
    unitsPerOp: BIG_N * 8,
  },
  sumloop: {
    make: bigArray,
    work: (st) => (n) => {
      const a = st.a;
      let s = 0;
      for (let r = 0; r < n; r++) {
        s = 0;
        for (let i = 0; i < a.length; i++) s += a[i];
      }
      st.sink = s; // keeps the loop from being dead code
    },
    unitsPerOp: BIG_N * 8,
  },
  'create-value': {
    make: () => ({}),
    work: () => (n) => {
      for (let i = 0; i < n; i++) sct.Value('i', 0).close();
    },
  },
  'create-rawvalue': {
    make: () => ({}),
    work: () => (n) => {
      for (let i = 0; i < n; i++) sct.RawValue('i', 0).close();
    },
  },
  'create-rawarray-small': {
    make: () => ({}),
    work: () => (n) => {
      for (let i = 0; i < n; i++) sct.RawArray('d', 1000).close();
    },
  },
  'create-rawarray-big': {
    make: () => ({}),
    work: () => (n) => {
      for (let i = 0; i < n; i++) sct.RawArray('d', BIG_N).close();
    },
  },
  attach: {
    make: () => {
      const name = `sct-bench-${process.pid}-attach`;
      return { name, v: sct.Value('i', 0, { name, unlinkOnExit: true }) };
    },
    work: ({ name }) => (n) => {
      for (let i = 0; i < n; i++) sct.attach(name).close();
    },
    cleanup: ({ v }) => {
      v.unlink();
      v.close();
    },
  },
};

/** Checks a counter case: the shared value must equal the ops done (mod 2^32 for 'i'). */
function checkCounter(c, objects, totalOps) {
  if (!c.counter) return undefined;
  const got = objects[c.counter].value;
  const want = typeof got === 'bigint' ? BigInt(totalOps) : totalOps | 0;
  return got === want ? undefined : `counter is ${got}, expected ${want}: lost updates`;
}

module.exports = { cases, checkCounter, BIG_N };
