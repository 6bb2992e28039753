/**
 * Production code never imports test helpers: no module under pkg/ or cmd/ that is not itself a test
 * (`*.test.ts`) or a test helper (inside a `testing/` folder) may import anything inside a `testing/`
 * folder or under tests/.
 */
import * as path from 'node:path';
import { importSpecifiers, isTestCode, localImports, sourceFiles } from './imports';

function importsTestCode(target: string): boolean {
  const parts = target.split(path.sep);
  return parts.includes('testing') || parts[0] === 'tests' || target.endsWith('.test');
}

describe('production code imports no test helpers', () => {
  const production = [...sourceFiles('pkg'), ...sourceFiles('cmd')].filter((file) => !isTestCode(file));

  it('finds the production modules (the scan is not vacuous)', () => {
    expect(production.length).toBeGreaterThan(100);
    expect(production).toContain(path.join('pkg', 'stack', 'stack.ts'));
    expect(localImports(path.join('pkg', 'stack', 'stack.ts'))).toContain(path.join('pkg', 'csi', 'client'));
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
    const offences = production.flatMap((file) =>
      localImports(file)
        .filter(importsTestCode)
        .map((target) => `${file} imports ${target}`),
    );
    expect(offences).toEqual([]);
  });
});
