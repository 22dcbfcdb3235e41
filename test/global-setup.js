// Gives this run a name prefix of its own (SHAREDCTYPES_NAME_PREFIX, inherited
// by jest's workers and every fixture they fork) and records /dev/shm before
// the run; global-teardown.js fails the run if a segment with this run's
// prefix is left behind. Other runs' segments are never looked at.
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = async function globalSetup() {
  // 'sct' + 6 hex + '-': 10 bytes, the longest prefix the library takes.
  process.env.SHAREDCTYPES_NAME_PREFIX = `sct${crypto.randomBytes(3).toString('hex')}-`;
  const snapshot = fs.existsSync('/dev/shm') ? fs.readdirSync('/dev/shm') : [];
  const file = path.join(os.tmpdir(), `sharedctypes-shm-snapshot-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(snapshot));
  process.env.SHAREDCTYPES_SHM_SNAPSHOT = file;
};
