/**
 * `npm run build [-- --outDir DIR]`: compiles cmd/ and pkg/ with tsc (type-checked, one .js per .ts, as
 * before), then bundles each plugin binary with esbuild into one file, `DIR/bin/<binary>.js`: what
 * package.json's bin and the image run. Why a bundle (figures in docs/benchmarks.md, goal 5): one file
 * to read and compile instead of ~400 module resolutions and loads, so the process starts faster and
 * leaner, and dependencies the plugins never use at run time can be left out:
 * - `form-data` (required by axios when it loads; multipart bodies are never sent) is replaced by
 *   pkg/openstack/http/form-data-unsupported.ts, which also drops get-intrinsic & co. (~7 MiB RSS);
 * - modules loaded only when a flag asks for them stay outside the bundle and are loaded from
 *   node_modules then, so their code is not even read otherwise: prom-client (`--http-endpoint`) and
 *   @kubernetes/client-node (already a runtime import() that no bundler follows), and @grpc/proto-loader,
 *   which only grpc-js's channelz service (off) would load;
 * - comments go (licence comments are kept in `<binary>.js.LEGAL.txt`), and a source map is written
 *   beside each bundle (`node --enable-source-maps` maps stack traces back to the TypeScript).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(__dirname, '..');

/** The binaries bundled, by name: their entry files. */
export const BUNDLED_BINARIES: Record<string, string> = {
  'cinder-csi-plugin': 'cmd/cinder-csi-plugin/main.ts',
  'manila-csi-plugin': 'cmd/manila-csi-plugin/main.ts',
};

/** Loaded from node_modules when a flag needs them; never part of a bundle. */
export const LAZY_EXTERNALS = [
  'prom-client',
  '@kubernetes/client-node',
  // Only grpc-js's channelz service requires it (with protobufjs's .proto parser), and channelz is off.
  '@grpc/proto-loader',
];

const FORM_DATA_STAND_IN = path.join(ROOT, 'pkg', 'openstack', 'http', 'form-data-unsupported.ts');

export async function bundle(outDir: string): Promise<void> {
  await esbuild.build({
    entryPoints: Object.entries(BUNDLED_BINARIES).map(([name, entry]) => ({ in: path.join(ROOT, entry), out: name })),
    outdir: path.join(outDir, 'bin'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: LAZY_EXTERNALS,
    alias: { 'form-data': FORM_DATA_STAND_IN },
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    legalComments: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { outDir: { type: 'string' } } });
  const outDir = path.resolve(values.outDir ?? path.join(ROOT, 'dist'));
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  await bundle(outDir);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
