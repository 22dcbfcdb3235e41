// What npm would publish: `npm pack --dry-run --json` must list the compiled
// library with its declarations, the demo, the sources for a fallback build,
// the prebuilds, README and LICENSE, and nothing else; and package.json must
// carry what a registry page and a consumer's tools read.
import { execFile } from 'child_process';
import fs from 'fs';
import path from 'path';
import { nativeSources } from './helpers/sources';

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

interface PackEntry {
  path: string;
  mode: number;
}

let packed: string[];
let modes: Map<string, number>;

beforeAll(async () => {
  // --ignore-scripts: prepack would recompile dist/ under the other test files' feet (pretest built it).
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, timeout: 60000 }, (err, out, stderr) =>
      err ? reject(new Error(`npm pack failed: ${stderr}`)) : resolve(out),
    );
  });
  const [report] = JSON.parse(stdout) as Array<{ files: PackEntry[] }>;
  packed = report.files.map((f) => f.path).sort();
  modes = new Map(report.files.map((f) => [f.path, f.mode]));
});

/** Every .ts module under lib/ (not ambient .d.ts files), relative to lib/, without extension. */
function libModules(dir = path.join(root, 'lib')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return libModules(full);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [path.relative(path.join(root, 'lib'), full).slice(0, -3)] : [];
  });
}

test('the tarball holds dist (JS + .d.ts), the demo, the native sources, the prebuilds, README and LICENSE only', () => {
  const expected = [
    'package.json',
    'README.md',
    'LICENSE',
    'binding.gyp',
    ...libModules().flatMap((m) => [`dist/${m}.js`, `dist/${m}.d.ts`]),
    'dist/index.mjs',
    'dist/index.d.mts',
    'dist-examples/demo.js',
    ...nativeSources(),
    'prebuilds/linux-arm64/sharedctypes.glibc.node',
    'prebuilds/linux-arm64/sharedctypes-watchdog',
    'prebuilds/linux-x64/sharedctypes.glibc.node',
    'prebuilds/linux-x64/sharedctypes-watchdog',
  ].sort();
  expect(packed).toEqual(expected);
});

test('the watchdog helpers are packed executable', () => {
  const helpers = packed.filter((f) => f.endsWith('/sharedctypes-watchdog'));
  expect(helpers).toHaveLength(2);
  expect(helpers.filter((f) => ((modes.get(f) ?? 0) & 0o111) !== 0o111)).toEqual([]);
});

test('no tests, TypeScript sources, source maps, build output or benchmarks are packed', () => {
  const unwanted = /^(test|lib|bench|build|examples|scripts|docs|\.ci)\/|\.map$|\.tgz$|^tsconfig|^jest/;
  expect(packed.filter((f) => unwanted.test(f))).toEqual([]);
});

test('every source binding.gyp compiles is packed, for the build on platforms without a prebuild', () => {
  const gyp = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8');
  const sources = [...new Set(gyp.match(/native\/[\w./]+/g))];
  expect(sources.length).toBeGreaterThan(5);
  expect(sources.filter((s) => !packed.includes(s))).toEqual([]);
});

test('main, types and every exports target are in the tarball, types first in each condition', () => {
  const targets: string[] = [pkg.main, pkg.types];
  for (const [key, entry] of Object.entries(pkg.exports as Record<string, unknown>)) {
    if (typeof entry === 'string') {
      targets.push(entry);
      continue;
    }
    for (const [condition, inner] of Object.entries(entry as Record<string, Record<string, string>>)) {
      // TypeScript takes the first matching condition: "types" must come before "default".
      expect({ key, condition, order: Object.keys(inner) }).toEqual({ key, condition, order: ['types', 'default'] });
      targets.push(...Object.values(inner));
    }
  }
  expect(targets.map((t) => t.replace(/^\.\//, '')).filter((t) => !packed.includes(t))).toEqual([]);
});

test('package.json carries license, repository, engines, keywords and the prebuild-aware install script', () => {
  expect(pkg).toMatchObject({
    name: 'sharedctypes',
    license: 'MIT',
    repository: { type: 'git', url: expect.stringMatching(/^git\+https:\/\/.+\/sharedctypes\.git$/) },
    engines: { node: '>=20' },
    gypfile: true,
    binary: { napi_versions: [8] },
    scripts: { install: 'node-gyp-build' },
    dependencies: { 'node-gyp-build': expect.any(String), 'node-addon-api': expect.any(String) },
  });
  expect(pkg.keywords.length).toBeGreaterThanOrEqual(5);
  expect(fs.readFileSync(path.join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
});
