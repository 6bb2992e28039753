/**
 * ReadWriteMany for real (root only): the Manila node service forwards two publishes of one NFS share to
 * the stand-in partner, which bind-mounts the share's backing directory, and both targets see the same
 * bytes; unpublish leaves the share's files in place.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCsiClient } from '../../csi/client';
import { createConfigDriveSource } from '../../driver-kit/instance-identity/metadata';
import { createNodeIdentityResolver } from '../../driver-kit/instance-identity/node-identity';
import { silentLogger } from '../../log/logger';
import { createMounter } from '../../mounter';
import { CloudCache } from '../../openstack/cloud-cache';
import { fastClientOptions, passwordCredentials } from '../../simulator/testing/cloud';
import { startCsiServer } from '../../csi/server';
import { createIdentityService } from '../../csi/identity';
import { ManilaCloudSource } from '../cloud-source';
import { startBindMountPartner } from '../stack/stand-in-partner';
import { MOUNT_RWX, startControllerHarness } from '../testing/controller-harness';
import { connectPartner } from './partner';
import { createManilaNodeService } from './service';

const canMount = process.getuid?.() === 0;
const maybe = canMount ? it : it.skip;

describe('ReadWriteMany through the stand-in partner', () => {
  maybe('two publishes of one share see the same bytes', async () => {
    const h = await startControllerHarness({ protocol: 'NFS' });
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'manila-rwx-'));
    const mounter = createMounter();
    const partner = await startBindMountPartner({ socketPath: path.join(dir, 'partner.sock'), mounter });
    const forwarded = connectPartner(partner.endpoint);
    const cache = new CloudCache(fastClientOptions());
    const server = h.sim.addServer({ name: 'rwx-node' });
    const service = createManilaNodeService({
      clouds: new ManilaCloudSource(cache, passwordCredentials(h.sim)),
      protocol: 'NFS',
      partner: forwarded,
      runtimeConfigFile: '',
      identity: createNodeIdentityResolver({ sources: [createConfigDriveSource({ directory: h.sim.configDriveDir(server.id) })], nodeName: 'n' }),
      withTopology: false,
      logger: silentLogger,
      stageCredentials: new Map(),
    });
    const csi = await startCsiServer({
      endpoint: `unix://${path.join(dir, 'node.sock')}`,
      services: { identity: createIdentityService({ driverName: 'nfs.manila.csi.openstack.org', vendorVersion: 't', capabilities: {}, ready: () => true }), node: service.handlers },
      logger: silentLogger,
    });
    const client = createCsiClient(csi.address);
    const targets = [path.join(dir, 'pod-a'), path.join(dir, 'pod-b')];
    try {
      const volume = (await h.client.controller.CreateVolume({ name: 'pvc-rwx', volume_capabilities: [MOUNT_RWX] })).volume!;
      for (const target_path of targets) {
        await client.node.NodePublishVolume({ volume_id: volume.volume_id, target_path, volume_capability: MOUNT_RWX, volume_context: volume.volume_context });
      }
      await fsp.writeFile(path.join(targets[0], 'from-a.txt'), 'written by pod a');
      expect(await fsp.readFile(path.join(targets[1], 'from-a.txt'), 'utf8')).toBe('written by pod a');
      expect(await fsp.readFile(path.join(h.sim.sharedFileSystem.backingDir(volume.volume_id), 'from-a.txt'), 'utf8')).toBe('written by pod a');
      for (const target_path of targets) await client.node.NodeUnpublishVolume({ volume_id: volume.volume_id, target_path });
      expect(await mounter.isMountPoint(targets[0])).toBe(false);
      expect(await fsp.readFile(path.join(h.sim.sharedFileSystem.backingDir(volume.volume_id), 'from-a.txt'), 'utf8')).toBe('written by pod a');
    } finally {
      for (const target of targets) if (await mounter.isMountPoint(target).catch(() => false)) await mounter.unmount(target);
      client.close();
      await csi.stop();
      forwarded.close();
      cache.clear();
      await partner.stop();
      await h.stop();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
