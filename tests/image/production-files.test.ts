/**
 * The image without a container engine: the files of the Dockerfile's last stage are staged in a
 * temporary root the way the Dockerfile assembles them (compiled dist and the plugin bundles from
 * `npm run build`, production node_modules from `npm ci --omit=dev`, package.json from the repository,
 * the /bin/cinder-csi-plugin link), then the controller is started from that root with CPO's controller
 * arguments, through the image's ENTRYPOINT, and called over gRPC against the simulator.
 * What is not replayed: the base image and its apt-get packages (the node tools; the node suites test them).
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { CPO_COMMAND_LINES, expandContainerArgs } from '../../pkg/cinder/testing/cpo-command-lines';
import { spawnPlugin, type PluginChild } from '../../pkg/cinder/testing/plugin-child';
import { createAndDeleteVolume } from '../../pkg/cinder/testing/volume-round-trip';
import { createCsiClient } from '../../pkg/csi/client';
import { startSimulator, type Simulator } from '../../pkg/simulator';
import { nodeMajor, readFinalStage, type Copy, type FinalStage } from './dockerfile';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');
const packageJson = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  engines: { node: string };
  bin: Record<string, string>;
};

/** The image's Node on PATH first, as `#!/usr/bin/env node` finds it in the image. */
const PATH_WITH_THIS_NODE = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`;

async function npm(args: string[], cwd: string): Promise<void> {
  await run('npm', args, { cwd, env: { ...process.env, PATH: PATH_WITH_THIS_NODE }, maxBuffer: 16 * 1024 * 1024 });
}

/** How the files a COPY --from takes out of an earlier stage are made here. */
const STAGE_OUTPUTS: Record<string, (dest: string, scratch: string) => Promise<void>> = {
  // Stage "build": npm ci, then `npm run build` (tsc -p tsconfig.build.json, then the bundles in dist/bin) → /app/dist.
  'build /app/dist': async (dest) => {
    await npm(['run', 'build', '--', '--outDir', dest], repoRoot);
  },
  // Stage "production-deps": package files, then `npm ci --omit=dev`. From the npm cache the main install
  // filled when possible (fast, offline-safe), from the registry otherwise.
  'production-deps /app/node_modules': async (dest, scratch) => {
    const dir = path.join(scratch, 'production-deps');
    fs.mkdirSync(dir);
    for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(repoRoot, file), path.join(dir, file));
    const ci = ['ci', '--omit=dev', '--no-audit', '--no-fund'];
    await npm([...ci, '--offline'], dir).catch(() => npm(ci, dir));
    fs.renameSync(path.join(dir, 'node_modules'), dest);
  },
};

/** `/abs/path` in the image → the same path under the staging root. */
const inRoot = (root: string, imagePath: string) => path.join(root, imagePath);

async function stage(image: FinalStage, root: string, scratch: string): Promise<void> {
  for (const copy of image.copies) {
    const dest = inRoot(root, copy.dest);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (copy.from === undefined) {
      fs.cpSync(path.join(repoRoot, copy.source), dest, { recursive: true });
      continue;
    }
    const make = STAGE_OUTPUTS[`${copy.from} ${copy.source}`];
    if (!make) throw new Error(`no recipe for COPY --from=${copy.from} ${copy.source}: teach tests/image/production-files.test.ts`);
    await make(dest, scratch);
  }
  for (const { mode, path: file } of image.chmods) fs.chmodSync(inRoot(root, file), mode);
  for (const { target, link } of image.links) {
    fs.mkdirSync(path.dirname(inRoot(root, link)), { recursive: true });
    fs.symlinkSync(inRoot(root, target), inRoot(root, link));
  }
}

describe('the image file set (Dockerfile last stage, staged without a container engine)', () => {
  const image = readFinalStage(path.join(repoRoot, 'Dockerfile'));
  let root: string;
  let scratch: string;
  let sim: Simulator | undefined;
  let plugin: PluginChild | undefined;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'image-root-'));
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'image-scratch-'));
  });
  afterAll(async () => {
    await plugin?.kill();
    await sim?.stop();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('is made of production files only, on a Node LTS base that package.json engines accept', () => {
    const copies = image.copies.map((copy: Copy) => `${copy.from ?? 'context'}:${copy.source} -> ${copy.dest}`);
    expect(copies).toEqual([
      'production-deps:/app/node_modules -> /app/node_modules',
      'build:/app/dist -> /app/dist',
      'context:package.json -> /app/package.json',
    ]);
    const major = nodeMajor(image.baseImage);
    // Even majors are the LTS lines; 20 reached its end of life in April 2026.
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(22);
    expect(packageJson.engines.node).toBe('>=22');
    // The entrypoint is the path CPO's manifests name, linked to the file package.json publishes as the bin.
    expect(image.entrypoint).toEqual(['/bin/cinder-csi-plugin']);
    expect(image.links).toContainEqual({ target: `${image.workdir}/${packageJson.bin['cinder-csi-plugin']}`, link: '/bin/cinder-csi-plugin' });
    // The Manila manifests start /bin/manila-csi-plugin from the same image.
    expect(image.links).toContainEqual({ target: `${image.workdir}/${packageJson.bin['manila-csi-plugin']}`, link: '/bin/manila-csi-plugin' });
    expect(image.osPackageRuns.join(' ')).toMatch(/e2fsprogs.*xfsprogs.*btrfs-progs.*util-linux.*udev/);
  });

  it("starts the controller from the staged files with CPO's controller arguments and serves CSI over gRPC", async () => {
    await stage(image, root, scratch);
    const appDir = inRoot(root, image.workdir);
    const nodeModules = fs.readdirSync(path.join(appDir, 'node_modules'));
    expect(nodeModules).toEqual(expect.arrayContaining(['@grpc', 'axios', 'ini']));
    for (const devTool of ['typescript', 'jest', 'ts-jest', 'tsx', 'eslint', 'nock']) expect(nodeModules).not.toContain(devTool);
    expect(fs.existsSync(path.join(appDir, 'dist', 'bin', 'cinder-csi-plugin.js'))).toBe(true);
    // The bundle carries the CSI descriptor: the image has no proto/ to read at start.
    expect(fs.existsSync(path.join(appDir, 'proto'))).toBe(false);

    sim = await startSimulator({ latencyMs: 5, devices: { enabled: false } });
    const cloudConf = path.join(scratch, 'cloud.conf');
    await sim.writeCloudConf(cloudConf);
    const socket = path.join(scratch, 'csi', 'csi.sock');
    const controllerLine = CPO_COMMAND_LINES[0];
    const args = expandContainerArgs(controllerLine.args, {
      CSI_ENDPOINT: `unix://${socket}`,
      CLOUD_CONFIG: cloudConf,
      CLUSTER_NAME: 'kubernetes',
    });
    // Node resolves modules from the real path of main.js upwards: only the staged node_modules may be there.
    for (let dir = path.dirname(root); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      expect(fs.existsSync(path.join(dir, 'node_modules'))).toBe(false);
    }
    // ENTRYPOINT + the pod's args, from WORKDIR, with the image's ENV; nothing of the repository is reachable.
    plugin = await spawnPlugin(inRoot(root, image.entrypoint[0]), args, {
      cwd: appDir,
      env: { ...process.env, ...image.env, PATH: PATH_WITH_THIS_NODE, NODE_PATH: '', KUBERNETES_SERVICE_HOST: '' },
    });

    const client = createCsiClient(socket);
    try {
      await expect(client.identity.Probe({})).resolves.toEqual({ ready: { value: true } });
      await expect(client.identity.GetPluginInfo({})).resolves.toMatchObject({ name: 'cinder.csi.openstack.org' });
      await createAndDeleteVolume(client, 'staged-image-volume');
      expect(sim.requests.count('POST', '/volume/v3/{project_id}/volumes')).toBe(1);
    } finally {
      client.close();
    }
    plugin.child.kill('SIGTERM');
    await expect(plugin.exited).resolves.toEqual({ code: 0, signal: null });
  }, 600_000);
});
