// Fails the run when the tests left a segment of this run (its name prefix,
// set by global-setup.js) in /dev/shm, and removes it.
const fs = require('fs');

// Creator pid from a sharedctypes header (magic "SCTYPES\0", u32 pid at byte 48), or 0.
function creatorOf(name) {
  try {
    const fd = fs.openSync(`/dev/shm/${name}`, 'r');
    try {
      const head = Buffer.alloc(52);
      if (fs.readSync(fd, head, 0, 52, 0) < 52 || head.toString('latin1', 0, 8) !== 'SCTYPES\0') return 0;
      return head.readUInt32LE(48);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return 0;
  }
}

module.exports = async function globalTeardown() {
  const file = process.env.SHAREDCTYPES_SHM_SNAPSHOT;
  const prefix = process.env.SHAREDCTYPES_NAME_PREFIX;
  if (!file || !prefix || !fs.existsSync('/dev/shm')) return;
  const before = new Set(JSON.parse(fs.readFileSync(file, 'utf8')));
  fs.unlinkSync(file);
  // With a single test file jest runs it in this very process: the unnamed
  // segments it still owns are removed by its exit handler, after this. Only
  // generated names made by this process may remain; test names never.
  const ownedHere = (name) => !name.startsWith(`${prefix}test-`) && creatorOf(name) === process.pid;
  const pending = (name) => !before.has(name) && name.startsWith(prefix) && !ownedHere(name);
  // The watchdog unlinks a dead owner's segments asynchronously; give it a moment.
  let leaked = [];
  for (let i = 0; i < 30; i++) {
    leaked = fs.readdirSync('/dev/shm').filter(pending);
    if (leaked.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const name of leaked) fs.rmSync(`/dev/shm/${name}`, { force: true });
  throw new Error(`tests leaked ${leaked.length} shared-memory segment(s): ${leaked.join(', ')}`);
};
