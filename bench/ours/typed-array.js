'use strict';
// RawArray('i', 1024) vs a plain Int32Array(1024), a[i]++ over every element,
// in the same process with repetitions interleaved (order alternating), so
// both see the same machine noise.
//   node typed-array.js REPS TARGET_MS
// Prints samples (RawArray elements/s), refSamples (Int32Array elements/s) and
// ratios (RawArray time / Int32Array time, per interleaved pair), REPS x 4
// pairs of TARGET_MS / 4 each.
const sct = require('../../dist');
const { measure, timed, report } = require('../lib/harness');

const LEN = 1024;

// Two identical functions (separate literals, so separate type feedback): V8
// optimises each for the one array kind it sees.
function incShared(a, passes) {
  for (let r = 0; r < passes; r++) {
    for (let i = 0; i < a.length; i++) a[i]++;
  }
}
function incPlain(a, passes) {
  for (let r = 0; r < passes; r++) {
    for (let i = 0; i < a.length; i++) a[i]++;
  }
}

function once(fn, a, passes) {
  const t0 = process.hrtime.bigint();
  fn(a, passes);
  return Number(process.hrtime.bigint() - t0);
}

async function main() {
  const [reps, targetMs] = process.argv.slice(2).map(Number);
  const shared = sct.RawArray('i', LEN);
  const plain = new Int32Array(LEN);
  // Calibrate (and warm up) each with the common harness, then use the larger n for both.
  // Many short pairs: noise from other processes comes in bursts, and a short
  // pair sees the same burst on both sides.
  const pairs = reps * 4;
  const pairMs = targetMs / 4;
  const a = await measure(timed((n) => incShared(shared, n)), { reps: 1, targetMs: pairMs / 2 });
  const b = await measure(timed((n) => incPlain(plain, n)), { reps: 1, targetMs: pairMs / 2 });
  const passes = Math.max(a.n, b.n);
  const samples = [];
  const refSamples = [];
  const ratios = [];
  for (let r = 0; r < pairs; r++) {
    let ts, tp;
    if (r % 2 === 0) {
      ts = once(incShared, shared, passes);
      tp = once(incPlain, plain, passes);
    } else {
      tp = once(incPlain, plain, passes);
      ts = once(incShared, shared, passes);
    }
    samples.push((passes * LEN * 1e9) / ts);
    refSamples.push((passes * LEN * 1e9) / tp);
    ratios.push(ts / tp);
  }
  // Every element was incremented once per pass, calibration included.
  const wantShared = a.totalOps + pairs * passes;
  const wantPlain = b.totalOps + pairs * passes;
  const error =
    shared[0] === wantShared && shared[LEN - 1] === wantShared && plain[0] === wantPlain
      ? undefined
      : `RawArray holds ${shared[0]} (expected ${wantShared}), Int32Array ${plain[0]} (expected ${wantPlain})`;
  return { n: passes, samples, refSamples, ratios, ...(error ? { error } : {}) };
}

report(main());
