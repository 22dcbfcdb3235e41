'use strict';
// Number formatting and the one table.

function si(x, unit) {
  if (!Number.isFinite(x)) return '—';
  const steps = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
    [1, ''],
  ];
  for (const [f, p] of steps) {
    if (Math.abs(x) >= f) return `${sig(x / f)} ${p}${unit}`;
  }
  return `${sig(x)} ${unit}`;
}

/** Three significant digits, no exponent. */
function sig(x) {
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** Time per op, from ops/s. */
function latency(opsPerSec, unit) {
  if (!Number.isFinite(opsPerSec) || opsPerSec <= 0) return '—';
  const ns = 1e9 / opsPerSec;
  if (unit === 'us') return `${sig(ns / 1000)} µs`;
  return `${sig(ns)} ns`;
}

function ratio(x) {
  if (!Number.isFinite(x)) return '—';
  return `${sig(x)}x`;
}

/** Left-aligned first column, right-aligned numbers, markdown-compatible. */
function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    '| ' + cells.map((c, i) => (i === 0 || i >= cells.length - 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ') + ' |';
  const rule = '| ' + widths.map((w, i) => (i === 0 || i >= widths.length - 2 ? '-'.repeat(w) : '-'.repeat(w - 1) + ':')).join(' | ') + ' |';
  return [line(header), rule, ...rows.map(line)].join('\n');
}

module.exports = { si, sig, latency, ratio, table };
