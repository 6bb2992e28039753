/**
 * `npm run build [-- --outDir DIR]`: compiles cmd/ and pkg/ with tsc (type-checked, one .js per .ts, as
 * before), then bundles each plugin binary with esbuild into one file, `DIR/bin/<binary>.js`: what
 * package.json's bin and the image run. Why a bundle (figures in docs/benchmarks.md, goal 5): one file
 * to read and compile instead of ~400 module resolutions and loads, so the process starts faster and
 * leaner, and dependencies the plugins never use at run time can be left out:
 * - `form-data` (required by axios when it loads; multipart bodies are never sent) is replaced by
 *   pkg/openstack/http/form-data-unsupported.ts, which also drops get-intrinsic & co. (~7 MiB RSS);
 * - axios runs with the global fetch, Request, Response and FormData shadowed (undefined to it alone):
 *   when it loads, it reads them for its fetch adapter and its isFormData check, and in Node reading
 *   them loads Node's bundled undici (0.75 MB of source, +3 MiB RSS on Node 20, +4 MiB on 24), for an
 *   adapter the driver never uses (every request goes through the http adapter, transport.ts);
 * - modules loaded only when a flag asks for them stay outside the bundle and are loaded from
 *   node_modules then, so their code is not even read otherwise: prom-client (`--http-endpoint`) and
 *   @kubernetes/client-node (already a runtime import() that no bundler follows), and @grpc/proto-loader,
 *   which only grpc-js's channelz service (off) would load;
 * - comments go (licence comments are kept in `<binary>.js.LEGAL.txt`), and a source map is written
 *   beside each bundle (`node --enable-source-maps` maps stack traces back to the TypeScript).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
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

/** Globals axios reads when it loads that make Node load undici; axios in a bundle sees them undefined. */
export const AXIOS_SHADOWED_GLOBALS = ['fetch', 'Request', 'Response', 'FormData'];

/**
 * Takes axios's Node build (the file `require('axios')` loads, as in tsc's dist, rather than its ESM
 * sources) and wraps it in a function whose `globalThis` is an object inheriting from the real one with
 * the shadowed globals own and undefined, and whose free `fetch`, `Request`, ... are undefined
 * parameters. Everything else axios reads from the global object reaches the real one.
 */
const shadowAxiosGlobals: esbuild.Plugin = {
  name: 'shadow-axios-fetch-globals',
  setup(build) {
    const axiosNodeBuild = require.resolve('axios', { paths: [ROOT] });
    build.onResolve({ filter: /^axios$/ }, () => ({ path: axiosNodeBuild }));
    build.onLoad({ filter: /[\\/]node_modules[\\/]axios[\\/]dist[\\/]node[\\/]axios\.cjs$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const names = AXIOS_SHADOWED_GLOBALS.join(', ');
      const shadow = `Object.create(globalThis, { ${AXIOS_SHADOWED_GLOBALS.map((name) => `${name}: { value: undefined }`).join(', ')} })`;
      return { contents: `(function (globalThis, ${names}) {\n${source}\n})(${shadow});\n`, loader: 'js' };
    });
  },
};

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
    plugins: [shadowAxiosGlobals],
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
