'use strict';
// Several processes doing the same case at once.
//   node contended.js CASE PROCS REPS TARGET_MS      (the coordinator)
// The coordinator creates the shared objects and forks PROCS workers with
// sharedctypes' fork(); each round it sends them n, waits until all are
// ready, then raises a shared "go" generation they spin on. Workers report
// their start and end times (CLOCK_MONOTONIC, so comparable across
// processes); a sample is total ops / (last end - first start).
const sct = require('../../dist');
const { cases, checkCounter } = require('./cases');
const { measure, report } = require('../lib/harness');

const GO = 0; // ctl[GO]: generation the workers wait for

function worker(name) {
  const c = cases[name];
  const objects = sct.inherited();
  const ctl = objects.ctl;
  const work = c.work(objects);
  process.on('message', ({ gen, n }) => {
    process.send({ ready: gen });
    // Spin rather than block: Atomics.wait needs a SharedArrayBuffer.
    let spins = 0;
    const deadline = Date.now() + 30_000;
    while (Atomics.load(ctl, GO) !== gen) {
      if (++spins % 1_000_000 === 0 && Date.now() > deadline) {
        process.stderr.write('worker: no go signal in 30 s\n');
        process.exit(3);
      }
    }
    const start = process.hrtime.bigint();
    work(n);
    const end = process.hrtime.bigint();
    process.send({ start: String(start), end: String(end) });
  });
  process.on('disconnect', () => process.exit(0));
}

/** Resolves with the next message from each child that passes `pick`. */
function nextFromAll(children, pick) {
  return Promise.all(
    children.map(
      (child) =>
        new Promise((resolve, reject) => {
          const onMessage = (m) => {
            if (!pick(m)) return;
            child.off('message', onMessage);
            child.off('exit', onExit);
            resolve(m);
          };
          const onExit = (code) => reject(new Error(`worker exited with code ${code}`));
          child.on('message', onMessage);
          child.once('exit', onExit);
        }),
    ),
  );
}

async function coordinator(name, procs, reps, targetMs) {
  const c = cases[name];
  if (!c) throw new Error(`unknown case ${name}`);
  const objects = c.make();
  const ctl = sct.RawArray('i', 4);
  const children = [];
  for (let i = 0; i < procs; i++) {
    children.push(sct.fork(__filename, ['--worker', name], { shared: { ...objects, ctl }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  }
  let gen = 0;
  const run = async (n) => {
    gen++;
    const ready = nextFromAll(children, (m) => m.ready === gen);
    const done = nextFromAll(children, (m) => m.start !== undefined);
    for (const child of children) child.send({ gen, n });
    await ready;
    Atomics.store(ctl, GO, gen);
    const times = (await done).map((m) => [BigInt(m.start), BigInt(m.end)]);
    const first = times.reduce((a, [s]) => (s < a ? s : a), times[0][0]);
    const last = times.reduce((a, [, e]) => (e > a ? e : a), times[0][1]);
    const min = times.reduce((a, [s, e]) => Math.min(a, Number(e - s)), Infinity);
    return { wall: Number(last - first), min };
  };
  try {
    const out = await measure(run, { reps, targetMs, unitsPerOp: c.unitsPerOp, procs });
    const error = checkCounter(c, objects, out.totalOps);
    return { n: out.n, samples: out.samples, ...(error ? { error } : {}) };
  } finally {
    await Promise.all(
      children.map((child) => new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', resolve);
        if (child.connected) child.disconnect();
      })),
    );
    if (c.cleanup) c.cleanup(objects);
  }
}

if (process.argv[2] === '--worker') {
  worker(process.argv[3]);
} else {
  const [name, procs, reps, targetMs] = process.argv.slice(2);
  report(coordinator(name, Number(procs), Number(reps), Number(targetMs)));
}
