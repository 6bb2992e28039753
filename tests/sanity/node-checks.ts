/**
 * CSI conformance of the Node service (csi-sanity in spirit). Field validation and "not found" cases
 * run everywhere; the stage/publish cycles need real loop devices and mounts (root) and skip otherwise.
 */
import * as fs from 'node:fs';
import { status } from '@grpc/grpc-js';
import type { CsiClient } from '../../pkg/csi/client';
import type { VolumeCapability } from '../../pkg/csi/types';
import {
  canUseLoop,
  DEVICE_SKIP_REASON,
  expectCode,
  GiB,
  missingId,
  SINGLE_WRITER_BLOCK,
  SINGLE_WRITER_MOUNT,
  uniqueName,
  type SanitySuite,
} from './sanity-context';

const KNOWN_NODE_CAPABILITIES = [
  'STAGE_UNSTAGE_VOLUME',
  'GET_VOLUME_STATS',
  'EXPAND_VOLUME',
  'VOLUME_CONDITION',
  'SINGLE_NODE_MULTI_WRITER',
  'VOLUME_MOUNT_GROUP',
  'GET_VOLUME_HEALTH',
  'GET_STORAGE_HEALTH',
];

export function describeNode(suite: SanitySuite): void {
  const client = (): CsiClient => suite.client();
  const node = () => client().node;

  describe('sanity: Node', () => {
    it('NodeGetCapabilities: every entry is a known RPC capability; stage/unstage is announced', async () => {
      const { capabilities } = await node().NodeGetCapabilities({});
      const types = capabilities.map((capability) => capability.rpc?.type);
      for (const type of types) expect(KNOWN_NODE_CAPABILITIES).toContain(type);
      expect(types).toContain('STAGE_UNSTAGE_VOLUME');
    });

    it('NodeGetInfo: the node ID ControllerPublish takes, a non-negative volume limit, topology when announced', async () => {
      const info = await node().NodeGetInfo({});
      expect(info.node_id).toBe(suite.stack().nodeId);
      expect(Number(info.max_volumes_per_node)).toBeGreaterThanOrEqual(0);
      const { capabilities } = await client().identity.GetPluginCapabilities({});
      if (capabilities.some((capability) => capability.service?.type === 'VOLUME_ACCESSIBILITY_CONSTRAINTS')) {
        expect(info.accessible_topology).not.toBeNull();
      }
    });

    describe('missing required fields → INVALID_ARGUMENT', () => {
      const staging = (): string => suite.stack().stagingPath(missingId());
      const target = (): string => suite.stack().targetPath(missingId());
      const cases: [string, (c: CsiClient) => Promise<unknown>][] = [
        [
          'NodeStageVolume without volume_id',
          (c) => c.node.NodeStageVolume({ staging_target_path: staging(), volume_capability: SINGLE_WRITER_MOUNT }),
        ],
        [
          'NodeStageVolume without staging_target_path',
          (c) => c.node.NodeStageVolume({ volume_id: missingId(), volume_capability: SINGLE_WRITER_MOUNT }),
        ],
        [
          'NodeStageVolume without volume_capability',
          (c) => c.node.NodeStageVolume({ volume_id: missingId(), staging_target_path: staging() }),
        ],
        ['NodeUnstageVolume without volume_id', (c) => c.node.NodeUnstageVolume({ staging_target_path: staging() })],
        ['NodeUnstageVolume without staging_target_path', (c) => c.node.NodeUnstageVolume({ volume_id: missingId() })],
        [
          'NodePublishVolume without volume_id',
          (c) =>
            c.node.NodePublishVolume({
              target_path: target(),
              staging_target_path: staging(),
              volume_capability: SINGLE_WRITER_MOUNT,
            }),
        ],
        [
          'NodePublishVolume without target_path',
          (c) =>
            c.node.NodePublishVolume({
              volume_id: missingId(),
              staging_target_path: staging(),
              volume_capability: SINGLE_WRITER_MOUNT,
            }),
        ],
        [
          'NodePublishVolume without volume_capability',
          (c) => c.node.NodePublishVolume({ volume_id: missingId(), target_path: target(), staging_target_path: staging() }),
        ],
        ['NodeUnpublishVolume without volume_id', (c) => c.node.NodeUnpublishVolume({ target_path: target() })],
        ['NodeUnpublishVolume without target_path', (c) => c.node.NodeUnpublishVolume({ volume_id: missingId() })],
        ['NodeGetVolumeStats without volume_id', (c) => c.node.NodeGetVolumeStats({ volume_path: target() })],
        ['NodeGetVolumeStats without volume_path', (c) => c.node.NodeGetVolumeStats({ volume_id: missingId() })],
        [
          'NodeExpandVolume without volume_id',
          (c) => c.node.NodeExpandVolume({ volume_path: target(), volume_capability: SINGLE_WRITER_MOUNT }),
        ],
        [
          'NodeExpandVolume without volume_path',
          (c) => c.node.NodeExpandVolume({ volume_id: missingId(), volume_capability: SINGLE_WRITER_MOUNT }),
        ],
      ];
      it.each(cases)('%s', async (_title, call) => {
        await expectCode(call(client()), status.INVALID_ARGUMENT);
      });
    });

    describe('spec error table rows answered with FAILED_PRECONDITION', () => {
      it('NodePublishVolume without staging_target_path ("Staging target path not set"; the plugin has STAGE_UNSTAGE_VOLUME)', async () => {
        await expectCode(
          node().NodePublishVolume({
            volume_id: missingId(),
            target_path: suite.stack().targetPath(missingId()),
            volume_capability: SINGLE_WRITER_MOUNT,
          }),
          status.FAILED_PRECONDITION,
        );
      });

      it('NodeStageVolume with a filesystem the plugin does not support ("Exceeds capabilities")', async () => {
        await expectCode(
          node().NodeStageVolume({
            volume_id: missingId(),
            staging_target_path: suite.stack().stagingPath(missingId()),
            volume_capability: { mount: { fs_type: 'ntfs', mount_flags: [] }, access_mode: { mode: 'SINGLE_NODE_WRITER' } },
          }),
          status.FAILED_PRECONDITION,
        );
      });

      it('NodePublishVolume of a filesystem for writers on several nodes ("Exceeds capabilities")', async () => {
        await expectCode(
          node().NodePublishVolume({
            volume_id: missingId(),
            staging_target_path: suite.stack().stagingPath(missingId()),
            target_path: suite.stack().targetPath(missingId()),
            volume_capability: { mount: { fs_type: 'ext4', mount_flags: [] }, access_mode: { mode: 'MULTI_NODE_MULTI_WRITER' } },
          }),
          status.FAILED_PRECONDITION,
        );
      });
    });

    describe('paths and volumes that do not exist → NOT_FOUND', () => {
      it('NodeGetVolumeStats on a path that does not exist', async () => {
        await expectCode(
          node().NodeGetVolumeStats({ volume_id: missingId(), volume_path: suite.stack().targetPath(missingId()) }),
          status.NOT_FOUND,
        );
      });

      it('NodeGetVolumeStats on csi-sanity\'s relative "some/path"', async () => {
        await expectCode(node().NodeGetVolumeStats({ volume_id: missingId(), volume_path: 'some/path' }), status.NOT_FOUND);
      });

      it('NodeExpandVolume of a missing volume on a path that does not exist', async () => {
        await expectCode(
          node().NodeExpandVolume({ volume_id: missingId(), volume_path: suite.stack().targetPath(missingId()) }),
          status.NOT_FOUND,
        );
      });

      it('NodeExpandVolume of a missing volume on csi-sanity\'s relative "some/path"', async () => {
        await expectCode(node().NodeExpandVolume({ volume_id: missingId(), volume_path: 'some/path' }), status.NOT_FOUND);
      });
    });

    describe('NodeUnstage/NodeUnpublish of paths never used succeed (idempotent cleanup)', () => {
      it('NodeUnpublishVolume', async () => {
        await node().NodeUnpublishVolume({ volume_id: missingId(), target_path: suite.stack().targetPath(missingId()) });
      });
      it('NodeUnstageVolume', async () => {
        await node().NodeUnstageVolume({ volume_id: missingId(), staging_target_path: suite.stack().stagingPath(missingId()) });
      });
    });

    // Jest's summary does not show why a block was skipped, so say it on the console as well.
    if (!canUseLoop) console.warn(`sanity: node stage/publish cycles SKIPPED, ${DEVICE_SKIP_REASON}`);
    (canUseLoop ? describe : describe.skip)(
      canUseLoop ? 'with devices' : `with devices (SKIPPED: ${DEVICE_SKIP_REASON})`,
      () => {
        interface Attached {
          volumeId: string;
          staging: string;
          target: string;
          publishContext: Record<string, string>;
        }

        async function createAndAttach(capability: VolumeCapability, name = uniqueName('node')): Promise<Attached> {
          const info = await node().NodeGetInfo({});
          const created = await client().controller.CreateVolume({
            name,
            capacity_range: { required_bytes: String(GiB) },
            volume_capabilities: [capability],
            ...(info.accessible_topology ? { accessibility_requirements: { requisite: [info.accessible_topology] } } : {}),
          });
          const volumeId = suite.ledger.volume(created.volume!.volume_id);
          suite.ledger.controllerPublished(volumeId, info.node_id);
          const published = await client().controller.ControllerPublishVolume({
            volume_id: volumeId,
            node_id: info.node_id,
            volume_capability: capability,
          });
          return {
            volumeId,
            staging: suite.stack().stagingPath(volumeId),
            target: suite.stack().targetPath(volumeId),
            publishContext: published.publish_context,
          };
        }

        async function stage(volume: Attached, capability: VolumeCapability): Promise<void> {
          suite.ledger.stagedAt(volume.volumeId, volume.staging);
          await node().NodeStageVolume({
            volume_id: volume.volumeId,
            staging_target_path: volume.staging,
            volume_capability: capability,
            publish_context: volume.publishContext,
          });
        }

        async function publish(volume: Attached, capability: VolumeCapability, target = volume.target): Promise<void> {
          suite.ledger.publishedAt(volume.volumeId, target);
          await node().NodePublishVolume({
            volume_id: volume.volumeId,
            staging_target_path: volume.staging,
            target_path: target,
            volume_capability: capability,
            publish_context: volume.publishContext,
          });
        }

        it.each([
          ['filesystem', SINGLE_WRITER_MOUNT],
          ['raw block', SINGLE_WRITER_BLOCK],
        ])('full cycle (%s): stage, publish, stats, unpublish, unstage — each twice, each idempotent; target path removed', async (_kind, capability) => {
          const volume = await createAndAttach(capability);
          await stage(volume, capability);
          await stage(volume, capability);
          await publish(volume, capability);
          await publish(volume, capability);

          const stats = await node().NodeGetVolumeStats({ volume_id: volume.volumeId, volume_path: volume.target });
          const bytes = stats.usage.find((usage) => usage.unit === 'BYTES');
          expect(Number(bytes?.total)).toBeGreaterThan(0);
          expect(stats.volume_condition?.abnormal).toBe(false);

          await node().NodeUnpublishVolume({ volume_id: volume.volumeId, target_path: volume.target });
          expect(fs.existsSync(volume.target)).toBe(false);
          await node().NodeUnpublishVolume({ volume_id: volume.volumeId, target_path: volume.target });
          await node().NodeUnstageVolume({ volume_id: volume.volumeId, staging_target_path: volume.staging });
          await node().NodeUnstageVolume({ volume_id: volume.volumeId, staging_target_path: volume.staging });
          const nodeId = suite.stack().nodeId;
          await client().controller.ControllerUnpublishVolume({ volume_id: volume.volumeId, node_id: nodeId });
          await client().controller.ControllerUnpublishVolume({ volume_id: volume.volumeId, node_id: nodeId });
        });

        // The node cannot ask Cinder; it waits for the device as long as CPO does (~30 s), then answers.
        it('NodeStageVolume of a volume whose device never appears → NOT_FOUND', async () => {
          const volumeId = missingId();
          await expectCode(
            node().NodeStageVolume({
              volume_id: volumeId,
              staging_target_path: suite.stack().stagingPath(volumeId),
              volume_capability: SINGLE_WRITER_MOUNT,
            }),
            status.NOT_FOUND,
          );
        }, 120_000);

        it('NodeStageVolume again with an incompatible capability (another filesystem) → ALREADY_EXISTS', async () => {
          const volume = await createAndAttach(SINGLE_WRITER_MOUNT);
          await stage(volume, SINGLE_WRITER_MOUNT);
          await expectCode(
            node().NodeStageVolume({
              volume_id: volume.volumeId,
              staging_target_path: volume.staging,
              volume_capability: { mount: { fs_type: 'xfs', mount_flags: [] }, access_mode: { mode: 'SINGLE_NODE_WRITER' } },
              publish_context: volume.publishContext,
            }),
            status.ALREADY_EXISTS,
          );
        });

        it('NodePublishVolume again at the same target with the other readonly flag → ALREADY_EXISTS', async () => {
          const volume = await createAndAttach(SINGLE_WRITER_MOUNT);
          await stage(volume, SINGLE_WRITER_MOUNT);
          await publish(volume, SINGLE_WRITER_MOUNT);
          await expectCode(
            node().NodePublishVolume({
              volume_id: volume.volumeId,
              staging_target_path: volume.staging,
              target_path: volume.target,
              volume_capability: SINGLE_WRITER_MOUNT,
              readonly: true,
              publish_context: volume.publishContext,
            }),
            status.ALREADY_EXISTS,
          );
        });

        it('NodeGetVolumeStats of a published volume on a path where it is not → NOT_FOUND', async () => {
          const volume = await createAndAttach(SINGLE_WRITER_MOUNT);
          await stage(volume, SINGLE_WRITER_MOUNT);
          await publish(volume, SINGLE_WRITER_MOUNT);
          await expectCode(
            node().NodeGetVolumeStats({ volume_id: volume.volumeId, volume_path: suite.stack().targetPath(missingId()) }),
            status.NOT_FOUND,
          );
        });

        it('NodeExpandVolume after ControllerExpand and publish grows the filesystem', async () => {
          const volume = await createAndAttach(SINGLE_WRITER_MOUNT);
          await client().controller.ControllerExpandVolume({
            volume_id: volume.volumeId,
            capacity_range: { required_bytes: String(2 * GiB) },
            volume_capability: SINGLE_WRITER_MOUNT,
          });
          await stage(volume, SINGLE_WRITER_MOUNT);
          await publish(volume, SINGLE_WRITER_MOUNT);
          const expanded = await node().NodeExpandVolume({
            volume_id: volume.volumeId,
            volume_path: volume.target,
            capacity_range: { required_bytes: String(2 * GiB) },
          });
          expect(Number(expanded.capacity_bytes)).toBeGreaterThanOrEqual(2 * GiB);
        });

        const singleWorkloadCapabilities: [string, VolumeCapability][] = [
          ['filesystem', { mount: { fs_type: 'ext4', mount_flags: [] }, access_mode: { mode: 'SINGLE_NODE_SINGLE_WRITER' } }],
          ['raw block', { block: {}, access_mode: { mode: 'SINGLE_NODE_SINGLE_WRITER' } }],
        ];
        it.each(singleWorkloadCapabilities)('SINGLE_NODE_SINGLE_WRITER %s: publishing at a second target path → FAILED_PRECONDITION', async (_kind, capability) => {
          const volume = await createAndAttach(capability);
          await stage(volume, capability);
          await publish(volume, capability);
          await publish(volume, capability);
          const second = suite.stack().targetPath(volume.volumeId, 'other');
          suite.ledger.publishedAt(volume.volumeId, second);
          await expectCode(
            node().NodePublishVolume({
              volume_id: volume.volumeId,
              staging_target_path: volume.staging,
              target_path: second,
              volume_capability: capability,
              publish_context: volume.publishContext,
            }),
            status.FAILED_PRECONDITION,
          );
        });
      },
    );
  });
}
