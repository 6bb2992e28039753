/**
 * The committed pkg/csi/generated types must be exactly what `npm run gen:proto` produces from
 * proto/csi.proto, so the TypeScript types can never drift from the wire contract.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repoRoot = path.resolve(__dirname, '../..');
const committedDir = path.join(repoRoot, 'pkg/csi/generated');

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

function genProtoArgs(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const script = pkg.scripts['gen:proto'];
  expect(script).toMatch(/^proto-loader-gen-types /);
  return script.split(/\s+/).slice(1);
}

describe('generated CSI types', () => {
  let outDir: string;
  beforeAll(() => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'csi-gen-'));
  });
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('are identical to a fresh generation from proto/csi.proto', () => {
    const args = genProtoArgs();
    const outIndex = args.indexOf('-O');
    expect(args[outIndex + 1]).toBe('pkg/csi/generated');
    args[outIndex + 1] = outDir;
    const bin = path.join(repoRoot, 'node_modules/@grpc/proto-loader/build/bin/proto-loader-gen-types.js');
    execFileSync(process.execPath, [bin, ...args], { cwd: repoRoot, stdio: 'pipe' });

    const fresh = listFiles(outDir);
    expect(listFiles(committedDir)).toEqual(fresh);
    expect(fresh).toContain('csi/v1/CreateVolumeRequest.ts');
    for (const file of fresh) {
      expect({ file, text: fs.readFileSync(path.join(committedDir, file), 'utf8') }).toEqual({
        file,
        text: fs.readFileSync(path.join(outDir, file), 'utf8'),
      });
    }
  });
});
