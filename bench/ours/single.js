'use strict';
// One process, one case: node single.js CASE REPS TARGET_MS
// Prints {"n", "samples": [units per second]} (plus "error" if a check failed).
const { cases, checkCounter } = require('./cases');
const { measure, timed, report } = require('../lib/harness');

async function main() {
  const [name, reps, targetMs] = process.argv.slice(2);
  const c = cases[name];
  if (!c) throw new Error(`unknown case ${name}`);
  const objects = c.make();
  try {
    const out = await measure(timed(c.work(objects)), { reps: Number(reps), targetMs: Number(targetMs), unitsPerOp: c.unitsPerOp });
    const error = checkCounter(c, objects, out.totalOps);
    return { n: out.n, samples: out.samples, ...(error ? { error } : {}) };
  } finally {
    if (c.cleanup) c.cleanup(objects);
  }
}

report(main());
