/**
 * Production code never imports test helpers: no module under pkg/ or cmd/ that is not itself a test
 * (`*.test.ts`) or a test helper (inside a `testing/` folder) may import anything inside a `testing/`
 * folder or under tests/. Reads every import specifier, static or dynamic, and resolves relative ones.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'generated') files.push(...sourceFiles(full));
    } else if (entry.name.endsWith('.ts')) {
      files.push(full);
    }
  }
  return files;
}

const isTestCode = (file: string): boolean =>
  file.endsWith('.test.ts') || path.relative(ROOT, file).split(path.sep).includes('testing');

/** Every module specifier in `source`: `from '…'`, `import '…'`, `import('…')`, `require('…')`. */
function importSpecifiers(source: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;
  return [...source.matchAll(pattern)].map((match) => match[2]);
}

/** The repository-relative path a specifier points at, or undefined for packages (`node:fs`, `axios`). */
function resolveSpecifier(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return path.relative(ROOT, path.resolve(path.dirname(file), specifier));
}

function importsTestCode(target: string): boolean {
  const parts = target.split(path.sep);
  return parts.includes('testing') || parts[0] === 'tests' || target.endsWith('.test');
}

describe('production code imports no test helpers', () => {
  const production = [...sourceFiles(path.join(ROOT, 'pkg')), ...sourceFiles(path.join(ROOT, 'cmd'))].filter(
    (file) => !isTestCode(file),
  );

  it('finds the production modules (the scan is not vacuous)', () => {
    expect(production.length).toBeGreaterThan(100);
    expect(production.map((file) => path.relative(ROOT, file))).toContain(path.join('pkg', 'stack', 'stack.ts'));
  });

  it('recognises every import form it checks', () => {
    const sample = [
      `import { a } from './testing/a';`,
      `import type { B } from "../testing/b";`,
      `export * from './testing/c';`,
      `import './testing/d';`,
      `const e = await import('./testing/e');`,
      `const f = require('./testing/f');`,
    ].join('\n');
    expect(importSpecifiers(sample)).toEqual([
      './testing/a',
      '../testing/b',
      './testing/c',
      './testing/d',
      './testing/e',
      './testing/f',
    ]);
  });

  it('no production module imports a testing/ module or tests/', () => {
    const offences: string[] = [];
    for (const file of production) {
      for (const specifier of importSpecifiers(fs.readFileSync(file, 'utf8'))) {
        const target = resolveSpecifier(file, specifier);
        if (target !== undefined && importsTestCode(target)) {
          offences.push(`${path.relative(ROOT, file)} imports ${specifier}`);
        }
      }
    }
    expect(offences).toEqual([]);
  });
});
