// Runs a command under another major version of Node (installed on demand by
// other-node.sh), passing the exit status through:
//   node scripts/run-with-node.js 22 node_modules/jest/bin/jest.js test/x.test.ts
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const path = require('path');

const [major, ...args] = process.argv.slice(2);
const node = execFileSync('bash', [path.join(__dirname, 'other-node.sh'), major], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
const r = spawnSync(node, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
