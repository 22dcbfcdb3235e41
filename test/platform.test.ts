// Runs the platform layer's own test (test/native/platform_test.cc, plain
// C++ without Node, built by scripts/platform-test.sh) and requires every one
// of its checks to be reported passed: a run that builds or checks nothing
// fails here, and so does a missing compiler (CI has g++).
import { spawnSync, SpawnSyncReturns } from 'child_process';
import fs from 'fs';
import path from 'path';
import { testName } from './helpers/names';
import { ROOT } from './helpers/sources';

/** Every check the program makes; each must print "ok <id>". */
const CHECKS = [
  'shm.name-rules',
  'shm.invalid-name-refused',
  'shm.create',
  'shm.create-exclusive',
  'shm.open',
  'shm.cross-process',
  'shm.unlink',
  'shm.not-found',
  'shm.zero-size-refused',
  'shm.no-space',
  'shm.reserve',
  'shm.mode-exact',
  'watchdog.unlink-if-ours',
  'mutex.plain',
  'mutex.recursive-depth',
  'mutex.unlock-not-owner',
  'mutex.uninitialised-refused',
  'mutex.try-lock-other-process',
  'mutex.wait-for-other-process',
  'mutex.owner-died',
  'mutex.owner-died-try-lock',
  'mutex.owner-died-seen-by-probe',
  'mutex.owner-died-recursive',
  'held-mappings.kept-while-held',
  'cleanup.nothing-left',
];

test('the platform layer passes its C++ checks: segments, robust locks across processes, owner death, kept mappings', () => {
  const compiler = process.env.CXX ?? 'g++';
  const found = spawnSync(compiler, ['--version'], { encoding: 'utf8' });
  if (found.error !== undefined || found.status !== 0) {
    throw new Error(`the platform test needs a C++17 compiler: '${compiler}' did not run (${found.error?.message ?? `exit ${found.status}`}); install g++ or set CXX`);
  }

  const prefix = testName('platform');
  const leftovers = (): string[] => fs.readdirSync('/dev/shm').filter((n) => n.startsWith(prefix));
  let run: SpawnSyncReturns<string>;
  try {
    run = spawnSync('bash', [path.join(ROOT, 'scripts', 'platform-test.sh'), prefix], {
      encoding: 'utf8',
      timeout: 120000,
      killSignal: 'SIGKILL',
    });
  } finally {
    // Whatever happened, nothing of the run may stay (the program proves it too: cleanup.nothing-left).
    const left = leftovers();
    for (const name of left) fs.rmSync(`/dev/shm/${name}`, { force: true });
    expect(left).toEqual([]);
  }
  const report = `exit ${run.status ?? run.signal}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;
  if (run.status !== 0) throw new Error(`the platform test failed: ${report}`);
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  expect(lines.filter((l) => !l.startsWith('ok '))).toEqual(['0 check(s) failed']);
  // Every check ran and passed, once, and no check is missing from this list.
  const passed = lines.filter((l) => l.startsWith('ok ')).map((l) => l.slice(3));
  expect(passed).toEqual(CHECKS);
});
