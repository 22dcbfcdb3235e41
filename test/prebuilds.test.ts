// The committed prebuilds: built from the current native sources, for the
// platforms the README names, stripped, tagged glibc, and working when loaded
// on their own; and each test run on the binary it means to test.
import { execFile } from 'child_process';
import { createHash } from 'crypto';
import fs from 'fs';
import path from 'path';
import { nativeSources } from './helpers/sources';

const root = path.join(__dirname, '..');
const prebuilds = path.join(root, 'prebuilds');
// node-gyp-build ships no types; resolve() is the path load() would require.
const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };

/** What prebuilds/ must hold, with each file's ELF e_machine. */
const SHIPPED = [
  { file: 'linux-x64/sharedctypes.glibc.node', machine: 62 }, // EM_X86_64
  { file: 'linux-arm64/sharedctypes.glibc.node', machine: 183 }, // EM_AARCH64
];
/** The watchdog helper executables, next to each addon. */
const HELPERS = SHIPPED.map(({ file, machine }) => ({ file: `${path.dirname(file)}/sharedctypes-watchdog`, machine }));

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, timeout: 30000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** sha256 per file of what scripts/prebuild.sh hashes: binding.gyp and the native sources. */
function currentSources(): Map<string, string> {
  const files = ['binding.gyp', ...nativeSources()];
  return new Map(files.map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(root, f))).digest('hex')]));
}

test('prebuilds/ were built from the current native/ sources and binding.gyp', () => {
  const recorded = new Map(
    fs
      .readFileSync(path.join(prebuilds, 'SOURCES.sha256'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const [hash, file] = l.split(/ +/);
        return [file, hash] as const;
      }),
  );
  const now = currentSources();
  const changed = [...now.keys()].filter((f) => recorded.has(f) && recorded.get(f) !== now.get(f));
  const added = [...now.keys()].filter((f) => !recorded.has(f));
  const removed = [...recorded.keys()].filter((f) => !now.has(f));
  const stale = [...changed.map((f) => `changed ${f}`), ...added.map((f) => `new ${f}`), ...removed.map((f) => `removed ${f}`)];
  if (stale.length > 0) {
    throw new Error(
      `The prebuilt binaries in prebuilds/ are stale: ${stale.join(', ')}.\n` +
        'Rebuild them with `bash scripts/prebuild.sh` (npm run build:prebuilds) and commit prebuilds/.',
    );
  }
});

test.each(SHIPPED)('$file is a stripped shared object for its architecture', ({ file, machine }) => {
  const elf = fs.readFileSync(path.join(prebuilds, file));
  expect(elf.toString('latin1', 0, 4)).toBe('\x7fELF');
  // 64-bit little-endian, ET_DYN, the right machine.
  expect([elf[4], elf[5], elf.readUInt16LE(16), elf.readUInt16LE(18)]).toEqual([2, 1, 3, machine]);
  // Stripped: no SHT_SYMTAB section (only the dynamic symbols remain).
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const types = Array.from({ length: elf.readUInt16LE(0x3c) }, (_, i) => elf.readUInt32LE(shoff + i * shentsize + 4));
  expect(types.length).toBeGreaterThan(5);
  expect(types).not.toContain(2);
});

test.each(HELPERS)('$file is a stripped executable for its architecture', ({ file, machine }) => {
  const full = path.join(prebuilds, file);
  expect(fs.statSync(full).mode & 0o111).toBe(0o111);
  const elf = fs.readFileSync(full);
  expect(elf.toString('latin1', 0, 4)).toBe('\x7fELF');
  // 64-bit little-endian, an executable (ET_EXEC, or ET_DYN with an interpreter: PIE), the right machine.
  expect([elf[4], elf[5], elf.readUInt16LE(18)]).toEqual([2, 1, machine]);
  expect([2, 3]).toContain(elf.readUInt16LE(16));
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const ptypes = Array.from({ length: elf.readUInt16LE(0x38) }, (_, i) => elf.readUInt32LE(phoff + i * phentsize));
  if (elf.readUInt16LE(16) === 3) expect(ptypes).toContain(3); // PT_INTERP: a program, not a library
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const types = Array.from({ length: elf.readUInt16LE(0x3c) }, (_, i) => elf.readUInt32LE(shoff + i * shentsize + 4));
  expect(types).not.toContain(2); // no SHT_SYMTAB
});

test('prebuilds/ holds exactly the shipped binaries and their SOURCES.sha256', () => {
  const found = fs.readdirSync(prebuilds, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
  const names = found.map((d) => path.relative(prebuilds, path.join(d.parentPath, d.name))).sort();
  expect(names).toEqual([...SHIPPED.map((s) => s.file), ...HELPERS.map((s) => s.file), 'SOURCES.sha256'].sort());
});

const hostPrebuild = `${process.platform}-${process.arch}/sharedctypes.glibc.node`;
const onShippedHost = SHIPPED.some((s) => s.file === hostPrebuild);

(onShippedHost ? test : test.skip)(`PREBUILDS_ONLY=1: this machine's prebuild (${hostPrebuild}) loads and works across processes`, async () => {
  const r = await run([path.join(__dirname, 'fixtures', 'prebuild-smoke.js')], { PREBUILDS_ONLY: '1' });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  expect(JSON.parse(r.stdout)).toMatchObject({ binary: path.join('prebuilds', hostPrebuild), childExit: 0, counter: 4000 });
});

test('a musl system is not offered the glibc binaries (it builds from source instead)', async () => {
  const script = `try { require('node-gyp-build').resolve(${JSON.stringify(root)}); } catch (e) { console.log(e.message.split('\\n')[0]); }`;
  const r = await run(['-e', script], { PREBUILDS_ONLY: '1', LIBC: 'musl' });
  expect(r.stdout).toMatch(/^No native build was found for .*libc=musl/);
});

// .ci/run compiles native/ after npm ci (which, with prebuilds present, does
// not), runs the suite, then runs it again with PREBUILDS_ONLY=1. This keeps
// each pass on the binary it is meant to test, not on whatever node-gyp-build finds.
const prebuildsOnly = process.env.PREBUILDS_ONLY !== undefined && process.env.PREBUILDS_ONLY !== '';
(process.env.CI || prebuildsOnly ? test : test.skip)(
  `this run loads ${prebuildsOnly ? 'the prebuild (PREBUILDS_ONLY is set)' : 'build/Release, the current source compiled here (CI)'}`,
  () => {
    const want = prebuildsOnly ? path.join('prebuilds', hostPrebuild) : path.join('build', 'Release', 'sharedctypes.node');
    expect(path.relative(root, nodeGypBuild.resolve(root))).toBe(want);
  },
);
