// The published typings, checked the way a consumer's compiler sees them:
// test/typecheck/good.ts must compile cleanly under strict options, and
// bad.ts must fail on exactly the lines marked `// expect-error`.
import fs from 'fs';
import path from 'path';
import ts from 'typescript';

const root = path.join(__dirname, '..');
const dir = path.join(__dirname, 'typecheck');

const options: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  esModuleInterop: true,
  types: ['node'],
  typeRoots: [path.join(root, 'node_modules', '@types')],
  // The package as a consumer resolves it: its shipped declarations.
  baseUrl: root,
  paths: { sharedctypes: ['dist/index.d.ts'] },
};

interface Diag {
  file: string;
  line: number;
  text: string;
}

const good = path.join(dir, 'good.ts');
const bad = path.join(dir, 'bad.ts');
const dist = path.join(root, 'dist') + path.sep;
let program: ts.Program;

beforeAll(() => {
  // One program for both files (they are modules: nothing clashes), checked
  // file by file so the time goes to our code and declarations, not @types/node's.
  program = ts.createProgram([good, bad], options);
});

function toDiag(d: ts.Diagnostic): Diag {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (d.file === undefined || d.start === undefined) return { file: '', line: 0, text };
  return { file: path.resolve(d.file.fileName), line: d.file.getLineAndCharacterOfPosition(d.start).line + 1, text };
}

function diagnose(file: string): Diag[] {
  const sf = program.getSourceFile(file);
  if (sf === undefined) throw new Error(`${file} is not in the program`);
  return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map(toDiag);
}

test('the options are valid and the shipped declarations check cleanly', () => {
  expect([...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map(toDiag)).toEqual([]);
  const shipped = program.getSourceFiles().filter((sf) => path.resolve(sf.fileName).startsWith(dist));
  // 'sharedctypes' resolved to dist/index.d.ts and pulled in its declaration graph.
  expect(shipped.map((sf) => path.resolve(sf.fileName))).toContain(path.join(dist, 'index.d.ts'));
  expect(shipped.length).toBeGreaterThan(5);
  expect(shipped.flatMap((sf) => diagnose(sf.fileName))).toEqual([]);
});

test('good.ts: a correct consumer type-checks with no diagnostics', () => {
  expect(diagnose(good)).toEqual([]);
});

test('bad.ts: an error on exactly the lines marked expect-error', () => {
  const lines = fs.readFileSync(bad, 'utf8').split('\n');
  const marked = lines.flatMap((l, i) => (l.includes('// expect-error') ? [i + 1] : []));
  expect(marked.length).toBeGreaterThanOrEqual(20);
  const diags = diagnose(bad);
  expect(diags.every((d) => d.file === bad)).toBe(true);
  const erring = [...new Set(diags.map((d) => d.line))].sort((a, b) => a - b);
  const show = (ls: number[]): string[] => ls.map((l) => `${l}: ${lines[l - 1].trim()}`);
  expect(show(erring)).toEqual(show(marked));
});
