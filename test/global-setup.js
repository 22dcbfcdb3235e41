// Records /dev/shm before the run; global-teardown.js fails the run if any
// entry was added (a leaked segment) and removes it.
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = async function globalSetup() {
  const snapshot = fs.existsSync('/dev/shm') ? fs.readdirSync('/dev/shm') : [];
  const file = path.join(os.tmpdir(), `sharedctypes-shm-snapshot-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(snapshot));
  process.env.SHAREDCTYPES_SHM_SNAPSHOT = file;
};
