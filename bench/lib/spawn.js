'use strict';
// Runs one measuring process and reads the JSON line it prints last.
const { spawnSync } = require('child_process');

/**
 * Returns the parsed result ({ samples, ... }) or { error } — never throws, so
 * one failing measurement shows up in its cell and the rest of the run goes on.
 */
function runWorker(cmd, args, { timeoutMs = 90_000, cwd } = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 });
  const lines = (s) => (s || '').trim().split('\n').filter(Boolean);
  const lastLine = (s) => lines(s).pop() || '';
  // The message, not the last stack frame; Python puts it last.
  const message = (s) => lines(s).find((l) => /Error|error|Exception/.test(l) && !/^\s+at /.test(l)) || lines(s)[0] || '';
  if (r.error) return { error: r.error.code === 'ETIMEDOUT' ? `timed out after ${timeoutMs / 1000} s` : String(r.error.message) };
  if (r.status !== 0) {
    return { error: `exit ${r.status ?? r.signal}: ${message(r.stderr) || lastLine(r.stdout)}`.slice(0, 300) };
  }
  try {
    const out = JSON.parse(lastLine(r.stdout));
    if (!Array.isArray(out.samples) || out.samples.length === 0) return { error: 'no samples' };
    return out;
  } catch {
    return { error: `unreadable output: ${lastLine(r.stdout).slice(0, 200)}` };
  }
}

module.exports = { runWorker };
