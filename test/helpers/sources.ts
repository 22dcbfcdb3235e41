// The native sources as the package and the prebuild script see them: every
// .c, .cc and .h file in the folders of native/ (one folder per layer).
import fs from 'fs';
import path from 'path';

export const ROOT = path.join(__dirname, '..', '..');

/** Paths relative to the project root, sorted. */
export function nativeSources(): string[] {
  const native = path.join(ROOT, 'native');
  return fs
    .readdirSync(native, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      fs
        .readdirSync(path.join(native, d.name))
        .filter((f) => /\.(c|cc|h)$/.test(f))
        .map((f) => `native/${d.name}/${f}`),
    )
    .sort();
}
