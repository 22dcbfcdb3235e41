'use strict';
// The measuring loop every "ours" worker uses, the same scheme as the Python
// and C sides: grow n until one run takes >= 20 ms, aim it at the target time,
// run once more at that size (JIT warm-up, then re-aim), then take the samples.

const MIN_CAL_NS = 20e6;

/**
 * run(n) does n ops and resolves to { wall, min } in ns: the wall time of the
 * run and the shortest single worker's time (the same for one process).
 * Calibration goes by `min`, so a worker scheduled late cannot shrink n.
 * Returns { n, samples } with samples in units per second.
 */
async function measure(run, { reps, targetMs, unitsPerOp = 1, procs = 1 }) {
  const target = targetMs * 1e6;
  let n = 1;
  let total = 0;
  let t;
  for (;;) {
    t = (await run(n)).min;
    total += n * procs;
    if (t >= MIN_CAL_NS) break;
    n = t < MIN_CAL_NS / 10 ? n * 10 : Math.ceil((n * 1.5 * MIN_CAL_NS) / t);
  }
  n = Math.max(1, Math.round((n * target) / t));
  // One run at full size: optimised code from here on, and a better estimate.
  t = (await run(n)).min;
  total += n * procs;
  n = Math.max(1, Math.round((n * target) / t));
  const samples = [];
  for (let r = 0; r < reps; r++) {
    const { wall } = await run(n);
    total += n * procs;
    samples.push((n * procs * unitsPerOp * 1e9) / wall);
  }
  return { n, samples, totalOps: total };
}

/** One process: time fn(n) with the monotonic clock. */
function timed(fn) {
  return (n) => {
    const t0 = process.hrtime.bigint();
    fn(n);
    const t = Number(process.hrtime.bigint() - t0);
    return { wall: t, min: t };
  };
}

/** Prints the result line run.js reads, or the error, and sets the exit code. */
function report(promise) {
  Promise.resolve(promise).then(
    (out) => {
      process.stdout.write(JSON.stringify(out) + '\n');
    },
    (err) => {
      process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
      process.exitCode = 1;
    },
  );
}

module.exports = { measure, timed, report };
