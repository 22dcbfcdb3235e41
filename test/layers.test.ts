// The layering of the sources, read from the files themselves: every lib/
// module imports only from its own folder or from a lower layer, every
// native/ file includes only from its own folder or from a layer its own may
// use, Node-API headers appear in native/glue/ only, and every file sits in a
// layer of the tables below (a new folder has to be placed in them).
// The tables are the rule: edit them when the architecture changes.
import fs from 'fs';
import path from 'path';
import ts from 'typescript';
import { ROOT } from './helpers/sources';

// ------------------------------------------------------------------ the rule

/**
 * lib/ layers, top to bottom. A module may import from its own folder and from
 * any folder of a lower layer; never from a higher layer, nor from another
 * folder of its own layer. '.' is lib/ itself (index.ts).
 */
const LIB_LAYERS: ReadonlyArray<readonly string[]> = [
  ['.'],
  ['sharing'],
  ['objects'],
  ['locks'],
  ['memory'],
  ['segment'],
  // The descriptor wire format names type layouts (LayoutJSON, a type-only
  // import from types/layout-json), so it sits on a layer of its own above
  // types instead of beside it; nothing below segment imports it.
  ['descriptor'],
  ['lifetime', 'types'],
  ['base'],
];

/**
 * native/ folders and the other folders each may include from (its own is
 * always allowed): glue is the Node-API layer over core (Node-free tables)
 * over platform (the OS); the watchdog is a separate C program on platform.
 */
const NATIVE_INCLUDES: Readonly<Record<string, readonly string[]>> = {
  glue: ['core', 'platform'],
  core: ['platform'],
  platform: [],
  watchdog: ['platform'],
};

/** The only native folder that may include Node's headers. */
const NODE_API_FOLDER = 'glue';
/** Headers of Node-API and of Node itself (a Node-free layer includes none of them). */
const NODE_HEADERS = /^(napi\.h|napi-inl\.h|node_api\.h|node_api_types\.h|js_native_api\.h|js_native_api_types\.h|node\.h|v8\.h|uv\.h)$/;

const LIB = path.join(ROOT, 'lib');
const NATIVE = path.join(ROOT, 'native');
const NATIVE_SOURCE = /\.(c|cc|cpp|cxx|h|hh|hpp)$/;

// ------------------------------------------------------------------ reading lib/

/** One module reference in a TypeScript file. */
interface Reference {
  specifier: string;
  /** import, export, import=require, require, import(), import type (typeof import('…')) */
  form: string;
  line: number;
}

/** Every module a TypeScript source refers to with a string literal, in any of the forms the compiler resolves. */
function referencesIn(text: string, fileName = 'file.ts'): Reference[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Reference[] = [];
  const add = (node: ts.Node, literal: ts.Node | undefined, form: string): void => {
    if (literal !== undefined && ts.isStringLiteralLike(literal)) {
      found.push({ specifier: literal.text, form, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node, node.moduleSpecifier, 'import');
    else if (ts.isExportDeclaration(node)) add(node, node.moduleSpecifier, 'export');
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, 'import=require');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal, 'import type');
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0], 'import()');
      else if (ts.isIdentifier(node.expression) && node.expression.text === 'require') add(node, node.arguments[0], 'require');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Files under `dir` (recursively), as absolute paths, sorted. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)]))
    .sort();
}

const rel = (file: string): string => path.relative(ROOT, file).split(path.sep).join('/');

/** The TypeScript modules of lib/ (declaration files such as ambient.d.ts are not modules of a layer). */
const libFiles = filesUnder(LIB).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));

/** The file a relative specifier names, as the compiler would find it, or undefined. */
function resolveModule(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base, `${base}.ts`, `${base}.d.ts`, path.join(base, 'index.ts'), path.join(base, 'index.d.ts')];
  if (base.endsWith('.js')) candidates.push(`${base.slice(0, -3)}.ts`);
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
}

/** The lib/ folder a file is in ('.' for lib/ itself), or undefined outside lib/. */
function libFolder(file: string): string | undefined {
  const r = path.relative(LIB, file);
  if (r.startsWith('..') || path.isAbsolute(r)) return undefined;
  const parts = r.split(path.sep);
  return parts.length === 1 ? '.' : parts[0];
}

function libLevel(folder: string | undefined): number {
  return folder === undefined ? -1 : LIB_LAYERS.findIndex((layer) => layer.includes(folder));
}

interface LibEdge {
  from: string;
  target: string;
  specifier: string;
  form: string;
  line: number;
}

/** Every relative reference of every lib/ module, resolved (target '' when it resolves to no file). */
const libEdges: LibEdge[] = libFiles.flatMap((file) =>
  referencesIn(fs.readFileSync(file, 'utf8'), file)
    .filter((r) => r.specifier.startsWith('.'))
    .map((r) => {
      const target = resolveModule(file, r.specifier);
      return { from: file, target: target ?? '', specifier: r.specifier, form: r.form, line: r.line };
    }),
);

// ------------------------------------------------------------------ reading native/

interface Include {
  header: string;
  quoted: boolean;
  line: number;
}

/** The #include directives of a C/C++ source, comments removed first (a commented-out include is none). */
function includesIn(text: string): Include[] {
  // Comments become spaces, newlines kept so line numbers stay right.
  const bare = text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (c) => c.replace(/[^\n]/g, ' '));
  const found: Include[] = [];
  bare.split('\n').forEach((lineText, i) => {
    const m = /^\s*#\s*include\s*(?:"([^"]+)"|<([^>]+)>)/.exec(lineText);
    if (m) found.push({ header: m[1] ?? m[2], quoted: m[1] !== undefined, line: i + 1 });
  });
  return found;
}

const nativeFiles = filesUnder(NATIVE).filter((f) => NATIVE_SOURCE.test(f));

/** The native/ folder a file is in ('.' for native/ itself), or undefined outside native/. */
function nativeFolder(file: string): string | undefined {
  const r = path.relative(NATIVE, file);
  if (r.startsWith('..') || path.isAbsolute(r)) return undefined;
  const parts = r.split(path.sep);
  return parts.length === 1 ? '.' : parts[0];
}

interface NativeEdge {
  from: string;
  include: Include;
  /** The included file when it is a quoted include that exists relative to the includer. */
  target: string | undefined;
}

const nativeEdges: NativeEdge[] = nativeFiles.flatMap((file) =>
  includesIn(fs.readFileSync(file, 'utf8')).map((include) => {
    const candidate = path.resolve(path.dirname(file), include.header);
    const target = include.quoted && fs.existsSync(candidate) ? candidate : undefined;
    return { from: file, include, target };
  }),
);

// ------------------------------------------------------------------ the parsers see what they should

describe('the readers find what they should', () => {
  test('every form of module reference, and nothing in comments or ordinary strings', () => {
    const text = `
      import a from './a';
      import type { B } from "./b";
      import * as c from './c';
      import './d';
      export { e } from './e';
      export * from './f';
      export type { G } from './g';
      import h = require('./h');
      const i = require('./i');
      const j = await import('./j');
      let k: typeof import('./k');
      let l: import('./l').L;
      // import m from './m';
      /* export * from './n'; require('./o') */
      const p = "import q from './q'";
      const r = \`require('./r')\`;
      const s = require(dynamicName);
      import fs from 'fs';
    `;
    expect(referencesIn(text).map((r) => `${r.form} ${r.specifier}`)).toEqual([
      'import ./a',
      'import ./b',
      'import ./c',
      'import ./d',
      'export ./e',
      'export ./f',
      'export ./g',
      'import=require ./h',
      'require ./i',
      'import() ./j',
      'import type ./k',
      'import type ./l',
      'import fs',
    ]);
  });

  test('#include "..." and <...>, not when commented out', () => {
    const text = '#include "a.h"\n  #  include <napi.h>\n// #include "b.h"\n/* #include "c.h"\n#include "d.h" */\n#include "../core/e.h" // why\n';
    expect(includesIn(text)).toEqual([
      { header: 'a.h', quoted: true, line: 1 },
      { header: 'napi.h', quoted: false, line: 2 },
      { header: '../core/e.h', quoted: true, line: 6 },
    ]);
  });

  test('the real tree is read: every lib/ and native/ folder, and imports known to exist', () => {
    expect(libFiles.length).toBeGreaterThan(25);
    expect(nativeFiles.length).toBeGreaterThan(20);
    const libFolders = new Set(libFiles.map(libFolder));
    for (const folder of ['.', 'sharing', 'objects', 'locks', 'memory', 'segment', 'descriptor', 'lifetime', 'types', 'base']) {
      expect([folder, libFolders.has(folder)]).toEqual([folder, true]);
    }
    expect(new Set(nativeFiles.map(nativeFolder))).toEqual(new Set(['glue', 'core', 'platform', 'watchdog']));
    const libSeen = new Set(libEdges.map((e) => `${rel(e.from)} -> ${rel(e.target)}`));
    for (const edge of [
      'lib/index.ts -> lib/locks/lock.ts',
      'lib/index.ts -> lib/sharing/attach.ts',
      'lib/locks/lock.ts -> lib/base/errors.ts',
    ]) {
      expect([edge, libSeen.has(edge)]).toEqual([edge, true]);
    }
    // Hundreds of references: the reader does not stop at the first of a file.
    expect(libEdges.length).toBeGreaterThan(150);
    const nativeSeen = new Set(nativeEdges.filter((e) => e.target).map((e) => `${rel(e.from)} -> ${rel(e.target!)}`));
    for (const edge of [
      'native/glue/binding.cc -> native/glue/addon_data.h',
      'native/core/lock_table.h -> native/platform/mutex.h',
      'native/watchdog/watchdog.c -> native/platform/owner_check.h',
    ]) {
      expect([edge, nativeSeen.has(edge)]).toEqual([edge, true]);
    }
    expect(nativeEdges.some((e) => e.include.header === 'napi.h' && nativeFolder(e.from) === 'glue')).toBe(true);
  });
});

// ------------------------------------------------------------------ the rules

describe('lib/ layers', () => {
  test('every module is in a layer of LIB_LAYERS', () => {
    const unplaced = libFiles.filter((f) => libLevel(libFolder(f)) < 0).map(rel);
    expect(unplaced).toEqual([]);
  });

  test('every relative reference resolves to a module of lib/', () => {
    const broken = libEdges
      .filter((e) => e.target === '' || libFolder(e.target) === undefined)
      .map((e) => `${rel(e.from)}:${e.line} ${e.form} '${e.specifier}' ${e.target === '' ? 'resolves to no file' : `is outside lib/ (${rel(e.target)})`}`);
    expect(broken).toEqual([]);
  });

  test('no module imports from a higher layer, or from another folder of its own layer', () => {
    const wrong: string[] = [];
    for (const e of libEdges) {
      if (e.target === '') continue;
      const [fromFolder, toFolder] = [libFolder(e.from), libFolder(e.target)];
      const [fromLevel, toLevel] = [libLevel(fromFolder), libLevel(toFolder)];
      if (fromFolder === toFolder || fromLevel < 0 || toLevel < 0) continue;
      const at = `${rel(e.from)}:${e.line} ${e.form} '${e.specifier}' (${rel(e.target)})`;
      if (toLevel < fromLevel) wrong.push(`${at}: upward, from layer ${fromLevel + 1} (${fromFolder}) to layer ${toLevel + 1} (${toFolder})`);
      else if (toLevel === fromLevel) wrong.push(`${at}: sideways, ${fromFolder} and ${toFolder} are one layer (${fromLevel + 1})`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('native/ layers', () => {
  test('every source is in a folder of NATIVE_INCLUDES', () => {
    const unplaced = nativeFiles.filter((f) => !(nativeFolder(f)! in NATIVE_INCLUDES)).map(rel);
    expect(unplaced).toEqual([]);
  });

  test('every quoted include (but Node\'s) is a file of native/, named relative to the includer', () => {
    const broken = nativeEdges
      // "napi.h" may be quoted too: it comes from node-addon-api's include path (and is checked below).
      .filter((e) => e.include.quoted && !NODE_HEADERS.test(path.basename(e.include.header)))
      .filter((e) => e.target === undefined || nativeFolder(e.target) === undefined)
      .map((e) => `${rel(e.from)}:${e.include.line} #include "${e.include.header}" ${e.target === undefined ? 'is no file next to it' : 'is outside native/'}`);
    expect(broken).toEqual([]);
  });

  test('no file includes from a folder its own may not use', () => {
    const wrong: string[] = [];
    for (const e of nativeEdges) {
      if (e.target === undefined) continue;
      const [fromFolder, toFolder] = [nativeFolder(e.from)!, nativeFolder(e.target)];
      if (toFolder === undefined || toFolder === fromFolder || !(fromFolder in NATIVE_INCLUDES)) continue;
      if (!NATIVE_INCLUDES[fromFolder].includes(toFolder)) {
        const may = NATIVE_INCLUDES[fromFolder].join(', ') || 'only its own folder';
        wrong.push(`${rel(e.from)}:${e.include.line} #include "${e.include.header}" (${rel(e.target)}): ${fromFolder} may include ${may}, not ${toFolder}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test(`Node-API and Node headers are included in native/${NODE_API_FOLDER}/ only`, () => {
    const wrong = nativeEdges
      .filter((e) => NODE_HEADERS.test(path.basename(e.include.header)) && nativeFolder(e.from) !== NODE_API_FOLDER)
      .map((e) => `${rel(e.from)}:${e.include.line} #include ${e.include.quoted ? `"${e.include.header}"` : `<${e.include.header}>`}`);
    expect(wrong).toEqual([]);
  });
});
