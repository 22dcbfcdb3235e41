// Fails the run when the tests left anything new in /dev/shm.
const fs = require('fs');

module.exports = async function globalTeardown() {
  const file = process.env.SHAREDCTYPES_SHM_SNAPSHOT;
  if (!file || !fs.existsSync('/dev/shm')) return;
  const before = new Set(JSON.parse(fs.readFileSync(file, 'utf8')));
  fs.unlinkSync(file);
  // The watchdog unlinks a dead owner's segments asynchronously; give it a moment.
  let leaked = [];
  for (let i = 0; i < 30; i++) {
    leaked = fs.readdirSync('/dev/shm').filter((name) => !before.has(name));
    if (leaked.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const name of leaked) fs.rmSync(`/dev/shm/${name}`, { force: true });
  throw new Error(`tests leaked ${leaked.length} shared-memory segment(s): ${leaked.join(', ')}`);
};
