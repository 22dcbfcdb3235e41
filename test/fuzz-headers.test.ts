// Hostile segments: over 10,000 headers made by mutating real ones (sizes,
// offsets, kinds, the JSON layout, the lock's location, truncation, random
// bytes), each attached by name in a child process. Every attach must either
// work, after which every element and field can be read and written back, or
// refuse with ERR_SHM_BAD_HEADER / ERR_SHM_LAYOUT_MISMATCH. A child never dies
// by a signal, and keeps no mapping of a refused segment.
import fs from 'fs';
import {
  Array as SharedArray,
  c_bool,
  c_char,
  c_double,
  c_int,
  c_longlong,
  c_short,
  Lock,
  RawArray,
  RawValue,
  RLock,
  Struct,
  Value,
} from '../dist';
import { exitOf, forkFixture, killAll, Peer } from './helpers/processes';
import { testName } from './helpers/names';

const CASES = 10_400;
const BATCH = 650;
const CHILDREN = 2;

const prefix = testName('fuzz');
const written = new Set<string>();

afterEach(async () => {
  await killAll();
  for (const name of written) fs.rmSync(`/dev/shm/${name}`, { force: true });
  written.clear();
});

// ------------------------------------------------------------ randomness

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
let state = seed >>> 0;
/** mulberry32: small, fast, reproducible from the printed seed. */
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
}
const below = (n: number): number => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[below(items.length)];

// ------------------------------------------------------------ header layout (docs/segment-format.md)

const FIXED = 128;
const LOCK_REGION = 128;
const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

type Width = 'u16' | 'u32' | 'u64' | 'f64';
const FIELDS: ReadonlyArray<{ name: string; at: number; width: Width }> = [
  { name: 'version', at: 8, width: 'u16' },
  { name: 'flags', at: 10, width: 'u16' },
  { name: 'headerSize', at: 12, width: 'u32' },
  { name: 'totalSize', at: 16, width: 'u64' },
  { name: 'payloadSize', at: 24, width: 'u64' },
  { name: 'kind', at: 32, width: 'u32' },
  { name: 'lockKind', at: 36, width: 'u32' },
  { name: 'lockOffset', at: 40, width: 'u64' },
  { name: 'creatorPid', at: 48, width: 'u32' },
  { name: 'metaLength', at: 52, width: 'u32' },
  { name: 'createdAt', at: 56, width: 'f64' },
];

function readField(buf: Buffer, f: (typeof FIELDS)[number]): number {
  switch (f.width) {
    case 'u16':
      return buf.readUInt16LE(f.at);
    case 'u32':
      return buf.readUInt32LE(f.at);
    case 'u64':
      return Number(buf.readBigUInt64LE(f.at));
    case 'f64':
      return buf.readDoubleLE(f.at);
  }
}

function writeField(buf: Buffer, f: (typeof FIELDS)[number], v: number | bigint): void {
  switch (f.width) {
    case 'u16':
      buf.writeUInt16LE(Number(BigInt.asUintN(16, BigInt(Math.trunc(Number(v))))), f.at);
      return;
    case 'u32':
      buf.writeUInt32LE(Number(BigInt.asUintN(32, BigInt(Math.trunc(Number(v))))), f.at);
      return;
    case 'u64':
      buf.writeBigUInt64LE(BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(Math.trunc(v))), f.at);
      return;
    case 'f64':
      buf.writeDoubleLE(Number(v), f.at);
  }
}

interface Seed {
  label: string;
  bytes: Buffer;
  meta: Record<string, unknown>;
  headerSize: number;
  lockOffset: number;
  payloadSize: number;
}

function parseSeed(label: string, name: string): Seed {
  const bytes = fs.readFileSync(`/dev/shm/${name}`);
  const metaLength = bytes.readUInt32LE(52);
  return {
    label,
    bytes,
    meta: JSON.parse(bytes.subarray(FIXED, FIXED + metaLength).toString('utf8')) as Record<string, unknown>,
    headerSize: bytes.readUInt32LE(12),
    lockOffset: Number(bytes.readBigUInt64LE(40)),
    payloadSize: Number(bytes.readBigUInt64LE(24)),
  };
}

/** A segment laid out as a creator would, around new metadata bytes: sizes and offsets consistent. */
function relayout(seed: Seed, metaBytes: Buffer): Buffer {
  const hasLock = seed.lockOffset !== 0;
  const afterMeta = alignUp(FIXED + metaBytes.length, 64);
  const lockOffset = hasLock ? afterMeta : 0;
  const headerSize = hasLock ? alignUp(afterMeta + LOCK_REGION, 64) : afterMeta;
  const out = Buffer.alloc(headerSize + seed.payloadSize);
  seed.bytes.copy(out, 0, 0, FIXED);
  out.writeUInt32LE(headerSize, 12);
  out.writeBigUInt64LE(BigInt(out.length), 16);
  out.writeBigUInt64LE(BigInt(lockOffset), 40);
  out.writeUInt32LE(metaBytes.length, 52);
  metaBytes.copy(out, FIXED);
  if (hasLock) seed.bytes.copy(out, lockOffset, seed.lockOffset, seed.lockOffset + LOCK_REGION);
  seed.bytes.copy(out, headerSize, seed.headerSize, seed.headerSize + seed.payloadSize);
  return out;
}

// ------------------------------------------------------------ JSON mutations

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const SIZES: Record<string, number> = { c: 1, b: 1, B: 1, h: 2, H: 2, i: 4, I: 4, l: 8, L: 8, q: 8, Q: 8, f: 4, d: 8, '?': 1 };
const CODES = Object.keys(SIZES);
const HOSTILE_NUMBERS = [-1, 0, 1, 2, 3, 7, 8, 63, 64, 65, 1.5, -0.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e300, -1e300, 4096, 65536];
const HOSTILE_VALUES: Json[] = [...HOSTILE_NUMBERS, '3', '', 'i', 'inline', null, true, false, [], {}, [1, 2], { array: 'i' }];

/** A random layout: valid (C-laid-out) or, sometimes, with one claim off. */
function randomType(depth: number): { json: Json; size: number; align: number } {
  const roll = random();
  if (depth > 3 || roll < 0.45) {
    const code = pick(CODES);
    return { json: code, size: SIZES[code], align: SIZES[code] };
  }
  if (roll < 0.65) {
    const el = randomType(depth + 1);
    const length = pick([0, 1, 2, 3, 5, 16]);
    return { json: { array: el.json, length }, size: el.size * length, align: el.align };
  }
  const fields: Array<{ name: string; type: Json; offset: number }> = [];
  let offset = 0;
  let align = 1;
  const count = 1 + below(4);
  for (let i = 0; i < count; i++) {
    const t = randomType(depth + 1);
    offset = alignUp(offset, t.align);
    fields.push({ name: `f${i}`, type: t.json, offset });
    offset += t.size;
    align = Math.max(align, t.align);
  }
  const size = alignUp(offset, align);
  const struct: { [k: string]: Json } = { struct: fields, size, align };
  if (random() < 0.3) {
    const f = pick(fields);
    const what = below(6);
    if (what === 0) f.offset += pick([1, -1, 8, -8, 1e9]);
    else if (what === 1) struct.size = pick([size + 1, size - 1, 0, 2 ** 53, -size]);
    else if (what === 2) struct.align = pick([0, 3, align * 2, 128]);
    else if (what === 3) f.name = pick(['', 'toJSON', '__proto__', 'constructor', 'x'.repeat(300), fields[0].name]);
    else if (what === 4) f.offset = pick(HOSTILE_VALUES) as number;
    else f.type = pick(HOSTILE_VALUES);
  }
  return { json: struct, size, align };
}

/** JSON text of a layout nested `depth` levels deep (built as text: too deep for JSON.stringify's recursion). */
function nestedText(depth: number, leaf: string): string {
  const asArray = random() < 0.5;
  const open = asArray ? '{"array":' : '{"size":8,"align":8,"struct":[{"name":"n","offset":0,"type":';
  const close = asArray ? ',"length":1}' : '}]}';
  return open.repeat(depth) + JSON.stringify(leaf) + close.repeat(depth);
}

/** Every path to a node of `j`, for targeted replacement. */
function paths(j: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(j)) j.forEach((v, i) => paths(v, [...at, i], out));
  else if (j !== null && typeof j === 'object') for (const k of Object.keys(j)) paths(j[k], [...at, k], out);
  return out;
}

function setAt(root: Json, path: Array<string | number>, v: Json | undefined): Json {
  if (path.length === 0) return v === undefined ? null : v;
  let node = root as { [k: string]: Json } | Json[];
  for (const k of path.slice(0, -1)) node = (node as Record<string | number, Json>)[k] as { [k: string]: Json };
  const last = path[path.length - 1];
  if (v === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete (node as Record<string, Json>)[last];
  } else {
    (node as Record<string | number, Json>)[last] = v;
  }
  return root;
}

function mutateMeta(meta: Record<string, unknown>, extName: string): { json: Json; how: string; text?: string } {
  const m = JSON.parse(JSON.stringify(meta)) as { [k: string]: Json };
  const op = below(12);
  switch (op) {
    case 0: {
      const p = pick(paths(m).slice(1));
      const v = pick(HOSTILE_VALUES);
      return { json: setAt(m, p, v), how: `meta.${p.join('.')} = ${JSON.stringify(v)}` };
    }
    case 1: {
      const p = pick(paths(m).slice(1));
      return { json: setAt(m, p, undefined), how: `delete meta.${p.join('.')}` };
    }
    case 2: {
      const t = randomType(0);
      m.type = t.json;
      return { json: m, how: `meta.type = ${JSON.stringify(t.json).slice(0, 120)}` };
    }
    case 3: {
      const depth = pick([31, 32, 33, 40, 200, 2900]);
      m.type = '@deep@';
      const text = JSON.stringify(m).replace('"@deep@"', nestedText(depth, pick(['i', 'd', 'c'])));
      return { json: m, text, how: `meta.type nested ${depth} deep` };
    }
    case 4: {
      const n = pick([100, 4097, 6000]);
      m.type = { struct: Array.from({ length: n }, (_, i) => ({ name: `f${i}`, type: 'c', offset: i })), size: n, align: 1 };
      return { json: m, how: `meta.type: struct of ${n} fields` };
    }
    case 5: {
      const v = pick<Json>(['RawValue', 'RawArray', 'Value', 'Array', 'Lock', 'Bogus', 5, null]);
      m.object = v;
      return { json: m, how: `meta.object = ${JSON.stringify(v)}` };
    }
    case 6: {
      const v = pick<Json>([-1, 0, 1, 2, 1.5, 2 ** 32, 2 ** 53, 1e300, '3', null, [], 'x']);
      m.length = v;
      return { json: m, how: `meta.length = ${JSON.stringify(v)}` };
    }
    case 7: {
      const lock: Json = pick<Json>([
        'inline',
        null,
        'elsewhere',
        { $sharedctypes: 1, kind: 'Lock', segment: extName, offset: pick([0, 64, 128, 192, 256, 4096, 1e12, -64, 3, 1.5]) },
        { $sharedctypes: 1, kind: pick(['Lock', 'RLock', 'Bogus']), segment: pick(['', 'a/b', '..', 'x'.repeat(300), `${extName}-missing`, extName]), offset: 192 },
        { $sharedctypes: 1, kind: 'Lock', segment: 5, offset: '192' },
        { kind: 'Lock', segment: extName, offset: 192 },
      ]);
      m.lock = lock;
      return { json: m, how: `meta.lock = ${JSON.stringify(lock).slice(0, 120)}` };
    }
    case 8: {
      const v = pick<Json>([[], 5, 'str', null, true, [m]]);
      return { json: v, how: `meta = ${JSON.stringify(v).slice(0, 60)}` };
    }
    case 9: {
      m[pick(['extra', 'constructor', 'toString', 'prototype'])] = pick(HOSTILE_VALUES);
      return { json: m, how: 'meta with an extra key' };
    }
    case 10: {
      // The kind of a lock segment, or the type of a value, swapped for another valid-looking one.
      if ('kind' in m) m.kind = pick<Json>(['Lock', 'RLock', 'Bogus', 1, null]);
      else m.type = pick(CODES);
      return { json: m, how: `meta kind/type swapped: ${JSON.stringify(m).slice(0, 100)}` };
    }
    default: {
      const t = randomType(0);
      m.type = t.json;
      m.object = pick(['RawValue', 'RawArray', 'Value', 'Array']);
      m.length = m.object === 'RawArray' || m.object === 'Array' ? pick([0, 1, 2, 3, 10]) : null;
      m.lock = m.object === 'Value' || m.object === 'Array' ? pick<Json>(['inline', null]) : null;
      return { json: m, how: `meta = ${JSON.stringify(m).slice(0, 140)}` };
    }
  }
}

// ------------------------------------------------------------ case generator

function interesting(orig: number, size: number): number | bigint {
  return pick<number | bigint>([
    0, 1, 63, 64, 65, 127, 128, 129, 192, 256, size - 1, size, size + 1, size + 64, orig - 1, orig + 1, orig - 64, orig + 64,
    orig * 2, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, 2n ** 63n, 2n ** 64n - 1n, below(2 ** 32),
  ]);
}

function mutate(seed: Seed, extName: string): { bytes: Buffer; how: string } {
  const size = seed.bytes.length;
  const op = below(100);
  if (op < 30) {
    // One fixed header field set to a boundary value (1-3 at once).
    const out = Buffer.from(seed.bytes);
    const hows: string[] = [];
    for (let k = 0, n = 1 + below(3); k < n; k++) {
      const f = pick(FIELDS);
      const v = f.width === 'f64' ? pick([NaN, Infinity, -Infinity, -1, 0, 1e300]) : interesting(readField(out, f), size);
      writeField(out, f, v);
      hows.push(`${f.name} = ${String(v)}`);
    }
    return { bytes: out, how: hows.join(', ') };
  }
  if (op < 60) {
    const mutated = mutateMeta(seed.meta, extName);
    const how = mutated.how;
    const text = Buffer.from(mutated.text ?? JSON.stringify(mutated.json) ?? 'null', 'utf8');
    if (random() < 0.8) return { bytes: relayout(seed, text), how: `${how} (laid out consistently)` };
    // Written over the old metadata with its new length, nothing else adjusted.
    const out = Buffer.from(seed.bytes);
    const room = Math.max(0, out.length - FIXED);
    text.copy(out, FIXED, 0, Math.min(text.length, room));
    out.writeUInt32LE(text.length, 52);
    return { bytes: out, how: `${how} (in place)` };
  }
  if (op < 68) {
    // Metadata text that is not the JSON of an object.
    const original = seed.bytes.subarray(FIXED, FIXED + seed.bytes.readUInt32LE(52));
    const variants: Array<[string, Buffer]> = [
      ['truncated JSON', original.subarray(0, below(original.length))],
      ['invalid UTF-8', Buffer.concat([original.subarray(0, 5), Buffer.from([0xff, 0xfe, 0xc0]), original.subarray(5)])],
      ['a BOM first', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), original])],
      ['trailing garbage', Buffer.concat([original, Buffer.from('}}]]', 'latin1')])],
      ['NUL bytes', Buffer.alloc(original.length)],
      ['__proto__ injected', Buffer.from(original.toString('utf8').replace('{', '{"__proto__":{"object":"Value","lock":"inline"},'), 'utf8')],
      ['a huge number', Buffer.from(original.toString('utf8').replace(/\d+/, '1' + '0'.repeat(400)), 'utf8')],
    ];
    const [how, text] = pick(variants);
    return { bytes: relayout(seed, text), how: `metadata: ${how}` };
  }
  if (op < 78) {
    // Truncated or extended file.
    const headerEnd = seed.headerSize;
    if (random() < 0.7) {
      const length = pick([0, 1, 8, 56, 127, 128, 129, headerEnd - 1, headerEnd, size - 1, below(size)]);
      return { bytes: Buffer.from(seed.bytes.subarray(0, Math.max(0, length))), how: `truncated to ${length} bytes` };
    }
    const extra = pick([1, 63, 4096]);
    return { bytes: Buffer.concat([seed.bytes, Buffer.alloc(extra, 0xa5)]), how: `extended by ${extra} bytes` };
  }
  if (op < 82) {
    // Magic broken, or the version changed.
    const out = Buffer.from(seed.bytes);
    if (random() < 0.5) {
      const at = below(8);
      out[at] ^= 1 + below(255);
      return { bytes: out, how: `magic byte ${at} changed` };
    }
    const v = pick([0, 1, 3, 255, 65535]);
    out.writeUInt16LE(v, 8);
    return { bytes: out, how: `version ${v}` };
  }
  if (op < 95) {
    // Random bytes flipped anywhere: header, metadata, lock region, payload.
    const out = Buffer.from(seed.bytes);
    const at: number[] = [];
    for (let k = 0, n = 1 + below(8); k < n; k++) {
      const i = random() < 0.7 ? below(Math.min(size, seed.headerSize)) : below(size);
      out[i] = below(256);
      at.push(i);
    }
    return { bytes: out, how: `random bytes at ${at.join(', ')}` };
  }
  // Garbage behind a valid magic and version.
  const out = Buffer.alloc(pick([128, 256, 1024, size]));
  for (let i = 0; i < out.length; i++) out[i] = below(256);
  seed.bytes.copy(out, 0, 0, 10);
  if (random() < 0.5) out.writeUInt32LE(below(out.length), 52);
  return { bytes: out, how: `random ${out.length} bytes after magic and version` };
}

// ------------------------------------------------------------ the test

const Inner = Struct({ p: c_short, q: [c_char, 3] });
const Record = Struct({ id: c_int, pos: [c_double, 2], inner: Inner, flags: [c_bool, 3], big: c_longlong });

test(`${CASES.toLocaleString('en-US')} mutated headers attached in child processes: clean refusal or safe use, never a crash`, async () => {
  const extName = `${prefix}-extlock`;
  const extLock = new Lock({ name: extName });
  const seeds: Array<{ label: string; make: (name: string) => { close(): void; unlink(): void } }> = [
    { label: "Value('i')", make: (name) => Value('i', 42, { name }) },
    { label: 'Array(Record, 3)', make: (name) => SharedArray(Record, [{ id: 1, pos: [1.5, 2.5], inner: { p: 3, q: [97, 98] }, flags: [true, false, true], big: 5n }, {}, { id: 3 }], { name }) },
    { label: 'Lock', make: (name) => new Lock({ name }) },
    { label: 'RLock', make: (name) => new RLock({ name }) },
    { label: "RawArray('d', 8)", make: (name) => RawArray('d', [1, 2, 3, 4, 5, 6, 7, 8], { name }) },
    { label: 'RawValue(Record)', make: (name) => RawValue(Record, { id: 7, big: -9n }, { name }) },
    { label: "Value('q') with a separate named Lock", make: (name) => Value('q', 7n, { name, lock: extLock }) },
    { label: "RawArray('c', 16)", make: (name) => RawArray('c', 'hello, fuzz', { name }) },
    { label: "Array('?', 5)", make: (name) => SharedArray('?', [true, false, true, true, false], { name }) },
  ];
  const made = seeds.map((s, i) => ({ ...s, name: `${prefix}-seed${i}` }));
  const objects = made.map((s) => s.make(s.name));
  const children: Peer[] = [];
  try {
    const parsed = made.map((s) => parseSeed(s.label, s.name));
    for (let i = 0; i < CHILDREN; i++) {
      const child = forkFixture('fuzz-attacher.js', [], ['--no-warnings']);
      expect(await child.next()).toEqual({ type: 'ready' });
      children.push(child);
    }

    const tally = new Map<string, number>();
    const findings: string[] = [];
    let next = 0;
    let ownerDiedWarnings = 0;
    // Each child takes batches until all cases are done; the seeds themselves go first, unmutated.
    const runChild = async (child: Peer): Promise<void> => {
      while (next < CASES) {
        const first = next;
        next = Math.min(CASES, next + BATCH);
        const cases: Array<{ name: string; how: string }> = [];
        for (let i = first; i < next; i++) {
          const seedIndex = i % parsed.length;
          const base = parsed[seedIndex];
          const { bytes, how } = i < parsed.length ? { bytes: base.bytes, how: 'unmutated' } : mutate(base, extName);
          const name = `${prefix}-${i}`;
          fs.writeFileSync(`/dev/shm/${name}`, bytes, { mode: 0o600 });
          written.add(name);
          cases.push({ name, how: `${base.label}: ${how}` });
        }
        child.send({ type: 'batch', names: cases.map((c) => c.name), prefix });
        const reply = await child.next<{ type: string; outcomes: string[]; mappings: number; ownerDied: number }>();
        expect(reply.type).toBe('results');
        ownerDiedWarnings += reply.ownerDied;
        if (reply.mappings !== 0) findings.push(`a child kept ${reply.mappings} mappings of the test's segments after a batch`);
        reply.outcomes.forEach((outcome, k) => {
          const key = outcome.startsWith('finding:') ? 'finding' : outcome;
          tally.set(key, (tally.get(key) ?? 0) + 1);
          if (key === 'finding') findings.push(`${cases[k].how} -> ${outcome.slice(8)}`);
          if (first + k < parsed.length && outcome !== 'ok') findings.push(`unmutated ${cases[k].how} did not attach: ${outcome}`);
        });
        for (const c of cases) {
          fs.rmSync(`/dev/shm/${c.name}`, { force: true });
          written.delete(c.name);
        }
      }
    };
    await Promise.all(children.map(runChild));
    for (const child of children) {
      child.send({ type: 'exit' });
      expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    }

    const summary = [...tally.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`);
    console.log(`header fuzz (FUZZ_SEED=${seed}): ${CASES.toLocaleString('en-US')} cases in ${CHILDREN} children: ${summary.join(', ')}; scribbled locks reported as owner-died ${ownerDiedWarnings}`);
    if (findings.length > 0) console.log(`findings (FUZZ_SEED=${seed}):\n${findings.slice(0, 40).join('\n')}`);
    expect([...tally.values()].reduce((a, b) => a + b, 0)).toBe(CASES);
    // Both outcomes really happen: the mutations are neither all harmless nor all rejected.
    expect(tally.get('ok') ?? 0).toBeGreaterThan(CASES / 20);
    expect(tally.get('rejected:ERR_SHM_BAD_HEADER') ?? 0).toBeGreaterThan(CASES / 4);
    expect(findings).toEqual([]);
  } finally {
    for (const o of objects) {
      o.unlink();
      o.close();
    }
    extLock.unlink();
    extLock.close();
  }
  expect(fs.readdirSync('/dev/shm').filter((n) => n.startsWith(prefix))).toEqual([]);
});
