/**
 * The plugin bundles `npm run build` makes (tools/build.ts), started as the image starts them: they
 * serve CSI and reach the cloud through axios, without loading what the build leaves out (Node's
 * undici, which axios's fetch probe would load; the modules kept external, unless a flag needs them).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundle } from '../../tools/build';
import { spawnPlugin, type PluginChild } from '../../pkg/cinder/testing/plugin-child';
import { createAndDeleteVolume } from '../../pkg/cinder/testing/volume-round-trip';
import { createCsiClient } from '../../pkg/csi/client';
import { startSimulator, type Simulator } from '../../pkg/simulator';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Preloaded into the plugin: on SIGUSR2 writes what the process has loaded to $LOADED_FILE (written
 * aside and renamed, so the test never reads a half-written file).
 */
const PROBE = `
process.on('SIGUSR2', () => {
  const fs = require('fs');
  fs.writeFileSync(process.env.LOADED_FILE + '.part', JSON.stringify({
    builtins: process.moduleLoadList,
    files: Object.keys(require.cache).filter((file) => file !== __filename),
  }));
  fs.renameSync(process.env.LOADED_FILE + '.part', process.env.LOADED_FILE);
});
`;

interface Loaded {
  builtins: string[];
  files: string[];
}

describe('the plugin bundles (dist/bin)', () => {
  let dir: string;
  let sim: Simulator;
  let cloudConf: string;
  const plugins: PluginChild[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-test-'));
    await bundle(dir);
    // As in the image: the bundles in /app/dist/bin read the version from /app/package.json.
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
    fs.writeFileSync(path.join(dir, 'probe.js'), PROBE);
    sim = await startSimulator({ latencyMs: 5, devices: { enabled: false } });
    cloudConf = path.join(dir, 'cloud.conf');
    await sim.writeCloudConf(cloudConf);
  }, 120_000);
  afterAll(async () => {
    for (const plugin of plugins) await plugin.kill();
    await sim?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(binary: string, socket: string, args: string[]): Promise<{ plugin: PluginChild; loaded: () => Promise<Loaded> }> {
    const loadedFile = path.join(dir, `${socket}.loaded.json`);
    const plugin = await spawnPlugin(process.execPath, ['-r', path.join(dir, 'probe.js'), path.join(dir, 'bin', `${binary}.js`), '--endpoint', `unix://${path.join(dir, socket)}`, ...args], {
      cwd: dir,
      // The externals resolve from the repository's node_modules, as from the image's /app/node_modules.
      env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), LOADED_FILE: loadedFile, KUBERNETES_SERVICE_HOST: '' },
    });
    plugins.push(plugin);
    return {
      plugin,
      loaded: async () => {
        fs.rmSync(loadedFile, { force: true });
        plugin.child.kill('SIGUSR2');
        for (let waited = 0; !fs.existsSync(loadedFile) && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
        return JSON.parse(fs.readFileSync(loadedFile, 'utf8')) as Loaded;
      },
    };
  }

  it('serves a CreateVolume through axios with nothing but the bundle and Node loaded', async () => {
    const { plugin, loaded } = await start('cinder-csi-plugin', 'controller.sock', ['--cloud-config', cloudConf, '--provide-node-service=false']);
    const client = createCsiClient(path.join(dir, 'controller.sock'));
    try {
      await createAndDeleteVolume(client, 'bundle-volume');
      expect(sim.requests.count('POST', '/volume/v3/{project_id}/volumes')).toBe(1);
    } finally {
      client.close();
    }
    const { builtins, files } = await loaded();
    expect(files).toEqual([path.join(dir, 'bin', 'cinder-csi-plugin.js')]);
    expect(builtins.filter((name) => /undici/.test(name))).toEqual([]);
    plugin.child.kill('SIGTERM');
    await expect(plugin.exited).resolves.toEqual({ code: 0, signal: null });
  }, 60_000);

  it('loads prom-client from node_modules only for --http-endpoint', async () => {
    const { loaded } = await start('cinder-csi-plugin', 'metrics.sock', ['--cloud-config', cloudConf, '--provide-node-service=false', '--http-endpoint', '127.0.0.1:0']);
    // The CSI socket answers before the metrics endpoint has loaded prom-client (it starts second): ask
    // again until it is there, or until the deadline shows it never comes.
    const loadsPromClient = async () => (await loaded()).files.some((file) => file.includes(`${path.sep}prom-client${path.sep}`));
    let found = await loadsPromClient();
    for (const deadline = Date.now() + 10_000; !found && Date.now() < deadline; found = await loadsPromClient()) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(found).toBe(true);
  }, 60_000);

  it('bundles the Manila binary too', async () => {
    const { loaded } = await start('manila-csi-plugin', 'manila.sock', ['--cloud-config', cloudConf, '--nodeid', 'n1', '--share-protocol-selector', 'NFS', '--fwdendpoint', `unix://${path.join(dir, 'partner.sock')}`]);
    const { builtins, files } = await loaded();
    expect(files).toEqual([path.join(dir, 'bin', 'manila-csi-plugin.js')]);
    expect(builtins.filter((name) => /undici/.test(name))).toEqual([]);
  }, 60_000);
});
