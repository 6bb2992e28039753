/**
 * The node plugin served over a real gRPC unix socket on this host, for tests with real loop devices:
 * a temporary root holding the by-id links, a fake sysfs with serials, a config drive naming the
 * instance, and the plugin's --kubelet-dir. `attach` makes a loop device look like an attached Cinder
 * volume; `stop` unmounts what is left under the root, detaches the loops and removes the root.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createIdentityService } from '../../../csi/identity';
import { startCsiServer, type CsiServer } from '../../../csi/server';
import { createCsiClient, type CsiClient } from '../../../csi/client';
import { silentLogger } from '../../../log/logger';
import { createLoopDevice, type LoopDevice } from '../../../mounter/testing/loop-device';
import { DRIVER_NAME } from '../../constants';
import { createCinderNodePlugin, type CinderNodePluginSettings } from '../node-plugin';

export interface LoopNode {
  root: string;
  instanceId: string;
  client: CsiClient;
  /** A new loop device that the node finds as the device of the returned volume ID. */
  attach(sizeBytes: number): { volumeId: string; loop: LoopDevice };
  /** Mount points under `root`. */
  mountsUnderRoot(): string[];
  /** Unmounts everything under `root` (what a failed test left). */
  unmountAllUnderRoot(): void;
  stop(): Promise<void>;
}

export async function startLoopNode(prefix: string, settings: (root: string) => Partial<CinderNodePluginSettings>): Promise<LoopNode> {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  const byIdDir = path.join(root, 'dev', 'disk', 'by-id');
  const sysfsRoot = path.join(root, 'sys');
  const instanceId = randomUUID();
  const loops: LoopDevice[] = [];
  mkdirSync(byIdDir, { recursive: true });
  const configDrive = path.join(root, 'configdrive');
  mkdirSync(path.join(configDrive, 'openstack', 'latest'), { recursive: true });
  writeFileSync(path.join(configDrive, 'openstack', 'latest', 'meta_data.json'), JSON.stringify({ uuid: instanceId, availability_zone: 'nova' }));
  const node = createCinderNodePlugin({
    byIdDir,
    sysfsRoot,
    udevTrigger: false,
    deviceWait: { checks: 1 },
    metadata: { searchOrder: ['configDrive'], configDriveDir: configDrive },
    kubernetesFallback: false,
    logger: silentLogger,
    ...settings(root),
  });
  let server: CsiServer | undefined;
  let client: CsiClient | undefined;

  const mountsUnderRoot = (): string[] => {
    const out = execFileSync('findmnt', ['-J', '-l', '-o', 'TARGET'], { encoding: 'utf8' });
    return (JSON.parse(out).filesystems as { target: string }[]).map((f) => f.target).filter((t) => t.startsWith(root));
  };
  const unmountAllUnderRoot = (): void => {
    for (const target of mountsUnderRoot().reverse()) {
      try {
        execFileSync('umount', [target], { stdio: 'ignore' });
      } catch {
        // keep going: release what we can
      }
    }
  };
  const stop = async (): Promise<void> => {
    client?.close();
    await server?.stop();
    unmountAllUnderRoot();
    for (const loop of loops) loop.release();
    rmSync(root, { recursive: true, force: true });
  };

  try {
    server = await startCsiServer({
      endpoint: `unix://${path.join(root, 'csi.sock')}`,
      services: {
        identity: createIdentityService({ driverName: DRIVER_NAME, vendorVersion: 'test', capabilities: {}, ready: node.ready }),
        node: node.handlers,
      },
      logger: silentLogger,
    });
    client = createCsiClient(server.address);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    root,
    instanceId,
    client,
    attach(sizeBytes) {
      const volumeId = randomUUID();
      const loop = createLoopDevice(sizeBytes, prefix);
      loops.push(loop);
      const name = path.basename(loop.device);
      mkdirSync(path.join(sysfsRoot, 'block', name), { recursive: true });
      writeFileSync(path.join(sysfsRoot, 'block', name, 'serial'), volumeId.slice(0, 20));
      symlinkSync(loop.device, path.join(byIdDir, `virtio-${volumeId.slice(0, 20)}`));
      return { volumeId, loop };
    },
    mountsUnderRoot,
    unmountAllUnderRoot,
    stop,
  };
}
