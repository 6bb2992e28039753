/**
 * `npm run local` as a CSI client sees it: one socket answering Identity, Controller and Node until
 * SIGTERM, then nothing left behind (socket, stack directory, loop devices).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCsiClient } from '../../pkg/csi/client';
import { mountsUnder, REPO_ROOT } from '../../pkg/stack';
import { canUseLoop } from './stack-suite';

const isRoot = process.getuid?.() === 0;

jest.setTimeout(180_000);

describe('npm run local', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  /** Starts `npm run local` with these flags and resolves once it says it is serving. */
  async function startLocal(args: string[]): Promise<{ child: ChildProcess; exited: Promise<number | null>; stderr: () => string }> {
    const started = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'cmd', 'local', 'main.ts'), ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = started;
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      started.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('serving until SIGTERM')) resolve();
      });
      void exited.then((code) => reject(new Error(`local exited with ${code} before serving:\n${stderr}`)));
    });
    return { child: started, exited, stderr: () => stderr };
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-test-'));
  });
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`serves controller and node on one socket until SIGTERM${canUseLoop ? ', with staging and target paths in the client’s --kubelet-dir' : ''}, then removes everything it made`, async () => {
    const socketPath = path.join(dir, 'sockets', 'csi.sock');
    const clientPaths = path.join(dir, 'client-paths');
    const local = await startLocal([
      '--endpoint', `unix://${socketPath}`,
      '--log-file', path.join(dir, 'plugin.log'),
      // A CSI client with its own directories (as csi-sanity has) names their parent.
      '--kubelet-dir', clientPaths,
    ]);
    const { child: started, exited } = local;
    let stderr = local.stderr();
    expect(stderr).toContain(`kubelet dir      ${clientPaths} `);
    const stackDir = /credentials in (\S+)\/cloud\.conf/.exec(stderr)?.[1];
    expect(stackDir).toBeDefined();
    expect(fs.existsSync(stackDir!)).toBe(true);

    const client = createCsiClient(socketPath);
    try {
      const caps = await client.identity.GetPluginCapabilities({});
      expect(caps.capabilities.map((c) => c.service?.type)).toContain('CONTROLLER_SERVICE');
      const info = await client.node.NodeGetInfo({});
      expect(stderr).toContain(`node ID          ${info.node_id}`);
      const capability = { mount: { fs_type: 'ext4' }, access_mode: { mode: 'SINGLE_NODE_WRITER' as const } };
      const created = await client.controller.CreateVolume({
        name: 'local-test',
        capacity_range: { required_bytes: String(1024 ** 3) },
        volume_capabilities: [capability],
      });
      const volumeId = created.volume!.volume_id;
      if (canUseLoop) {
        // Staging and target paths of the client's choosing, outside anything `local` made; a path
        // outside the client's --kubelet-dir is refused as it would be on a real node.
        const staging = path.join(clientPaths, 'anywhere', 'staging');
        const target = path.join(clientPaths, 'elsewhere', 'target');
        fs.mkdirSync(staging, { recursive: true });
        const { publish_context } = await client.controller.ControllerPublishVolume({
          volume_id: volumeId,
          node_id: info.node_id,
          volume_capability: capability,
        });
        await expect(
          client.node.NodeStageVolume({ volume_id: volumeId, publish_context, staging_target_path: path.join(dir, 'outside'), volume_capability: capability }),
        ).rejects.toMatchObject({ code: 3, details: expect.stringContaining(`not inside the kubelet directory ${clientPaths}`) });
        await client.node.NodeStageVolume({ volume_id: volumeId, publish_context, staging_target_path: staging, volume_capability: capability });
        await client.node.NodePublishVolume({
          volume_id: volumeId,
          publish_context,
          staging_target_path: staging,
          target_path: target,
          volume_capability: capability,
        });
        fs.writeFileSync(path.join(target, 'hello'), 'from a CSI client');
        expect(fs.readFileSync(path.join(staging, 'hello'), 'utf8')).toBe('from a CSI client');
        await client.node.NodeUnpublishVolume({ volume_id: volumeId, target_path: target });
        await client.node.NodeUnstageVolume({ volume_id: volumeId, staging_target_path: staging });
        await client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: info.node_id });
        expect(await mountsUnder(dir)).toEqual([]);
      }
      await client.controller.DeleteVolume({ volume_id: volumeId });
    } finally {
      client.close();
    }

    started.kill('SIGTERM');
    expect(await exited).toBe(0);
    stderr = local.stderr();
    expect(stderr).toContain('stopped; loop devices and temporary files removed');
    expect(fs.existsSync(socketPath)).toBe(false);
    expect(fs.existsSync(stackDir!)).toBe(false);
  });

  it(`--driver manila serves manila-csi-plugin (NFS) on one socket${isRoot ? ', the stand-in partner bind-mounting shares for two targets' : ''}, then removes everything`, async () => {
    const socketPath = path.join(dir, 'csi.sock');
    const local = await startLocal(['--driver', 'manila', '--endpoint', `unix://${socketPath}`, '--log-file', path.join(dir, 'plugin.log')]);
    expect(local.stderr()).toContain('starting the OpenStack simulator and the Manila CSI plugin (NFS)');
    // The node-side line is Manila's own (a Cinder "block devices" line would send a newcomer after loop devices).
    expect(local.stderr()).not.toContain('block devices');
    expect(local.stderr()).toContain(isRoot ? 'forwarded to a stand-in NFS partner' : 'node side        OFF (needs root to bind-mount shares');
    const stackDir = /credentials in (\S+)\/cloud\.conf/.exec(local.stderr())?.[1];
    expect(stackDir).toBeDefined();
    const kubeletDir = path.join(stackDir!, 'kubelet');
    const client = createCsiClient(socketPath);
    try {
      expect((await client.identity.GetPluginInfo({})).name).toBe('nfs.manila.csi.openstack.org');
      const capability = { mount: {}, access_mode: { mode: 'MULTI_NODE_MULTI_WRITER' as const } };
      const volume = (await client.controller.CreateVolume({ name: 'local-share', capacity_range: { required_bytes: String(1024 ** 3) }, volume_capabilities: [capability] })).volume!;
      if (isRoot) {
        const staging = path.join(kubeletDir, 'staging');
        const targets = ['a', 'b'].map((pod) => path.join(kubeletDir, `pod-${pod}`));
        fs.mkdirSync(staging);
        const common = { volume_id: volume.volume_id, volume_capability: capability, volume_context: volume.volume_context };
        await client.node.NodeStageVolume({ ...common, staging_target_path: staging });
        for (const target_path of targets) await client.node.NodePublishVolume({ ...common, staging_target_path: staging, target_path });
        fs.writeFileSync(path.join(targets[0], 'hello'), 'from pod a');
        expect(fs.readFileSync(path.join(targets[1], 'hello'), 'utf8')).toBe('from pod a');
        for (const target_path of targets) await client.node.NodeUnpublishVolume({ volume_id: volume.volume_id, target_path });
        await client.node.NodeUnstageVolume({ volume_id: volume.volume_id, staging_target_path: staging });
        expect(await mountsUnder(stackDir!)).toEqual([]);
      }
      await client.controller.DeleteVolume({ volume_id: volume.volume_id });
    } finally {
      client.close();
    }
    local.child.kill('SIGTERM');
    expect(await local.exited).toBe(0);
    expect(fs.existsSync(socketPath)).toBe(false);
    expect(fs.existsSync(stackDir!)).toBe(false);
  });

  it('refuses to start without --endpoint and says how to call it', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'cmd', 'local', 'main.ts')],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--endpoint is required, e.g. --endpoint unix:///tmp/csi/csi.sock');
    // The usage says how a client with its own directories passes them.
    expect(result.stderr).toContain('--kubelet-dir DIR');
  });

  it('refuses a driver it cannot run, naming the flag and the choices', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'cmd', 'local', 'main.ts'), '--endpoint', 'unix:///tmp/unused.sock', '--driver', 'nfs'],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('invalid value "nfs" for --driver: choose from cinder, manila');
  });
});
