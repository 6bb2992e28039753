/**
 * Reads the import graph of the repository's own TypeScript: every module specifier of a file (static
 * or dynamic), resolved to a repository-relative path for relative imports.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

/** Every .ts file under `dir` (repository-relative), generated code and node_modules left out. */
export function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'generated') files.push(...sourceFiles(relative));
    } else if (entry.name.endsWith('.ts')) {
      files.push(relative);
    }
  }
  return files;
}

/** Tests and test helpers: `*.test.ts` and anything inside a `testing/` folder. */
export const isTestCode = (file: string): boolean => file.endsWith('.test.ts') || file.split(path.sep).includes('testing');

/** Every module specifier in `source`: `from '…'`, `import '…'`, `import('…')`, `require('…')`. */
export function importSpecifiers(source: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;
  return [...source.matchAll(pattern)].map((match) => match[2]);
}

/** The repository-relative paths `file` imports (packages such as `node:fs` or `axios` left out). */
export function localImports(file: string): string[] {
  return importSpecifiers(fs.readFileSync(path.join(ROOT, file), 'utf8'))
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), specifier)));
}
