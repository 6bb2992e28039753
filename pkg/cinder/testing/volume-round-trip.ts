/**
 * One 1 GiB ext4 volume created and deleted through a started plugin: what the tests that start a
 * built artifact (the staged image, the bundles) call to prove it serves CSI and reaches the cloud.
 */
import type { CsiClient } from '../../csi/client';

export async function createAndDeleteVolume(client: CsiClient, name: string): Promise<void> {
  const created = await client.controller.CreateVolume({
    name,
    capacity_range: { required_bytes: String(1024 ** 3) },
    volume_capabilities: [{ mount: { fs_type: 'ext4' }, access_mode: { mode: 'SINGLE_NODE_WRITER' } }],
  });
  await client.controller.DeleteVolume({ volume_id: created.volume!.volume_id });
}
