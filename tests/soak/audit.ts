/**
 * What a mix left behind, read from the simulator through its own API (volumes and Nova's attachment
 * list of the node) and from the host (mounts, loop devices and files under the stack's directory only),
 * compared with a picture taken before the mix; and duplicates: more than one volume with one name, more
 * than one attachment of a volume to the server.
 */
import axios from 'axios';
import { createCloud, type OpenStackCloud, type ServerVolumeAttachment, type Volume } from '../../pkg/openstack';
import { fastClientOptions, passwordCredentials, rawToken } from '../../pkg/simulator/testing/cloud';
import type { StackLeftovers } from '../../pkg/stack';
import type { SoakCluster } from './cluster';
import { METADATA_ABANDONED } from '../../pkg/cinder/constants';

const FAILED_OR_GOING = ['error', 'error_deleting', 'deleting'];

export interface Picture {
  volumes: Volume[];
  serverAttachments: ServerVolumeAttachment[];
  host: StackLeftovers;
}

export interface MixAudit {
  /** `id (name, status)` of volumes that appeared during the mix and are still there. */
  leakedVolumes: string[];
  /** `volume → server` attachments that appeared during the mix and are still there. */
  leakedAttachments: string[];
  leakedMounts: string[];
  leakedLoopDevices: string[];
  /** by-id links, files under the kubelet-like directory, simulator device files. */
  leakedFiles: string[];
  /** `name ×N (ids)`. */
  duplicateNames: string[];
  /** `volume ×N on server`. */
  duplicateAttachments: string[];
}

export function auditProblems(audit: MixAudit): number {
  return Object.values(audit).reduce((sum, list: string[]) => sum + list.length, 0);
}

export class Auditor {
  private readonly cloud: OpenStackCloud;

  constructor(private readonly cluster: SoakCluster) {
    const { simulator } = cluster.stack;
    // Only ever used with the faults off; retries kept short so a real problem shows rather than waits.
    this.cloud = createCloud(passwordCredentials(simulator), fastClientOptions());
  }

  /** Waits for the cloud to settle (no transition pending), then reads cloud and host. */
  async picture(): Promise<Picture> {
    const { stack } = this.cluster;
    await stack.simulator.whenIdle();
    const volumes = (await this.cloud.blockStorage.listVolumes({ allPages: true })).items;
    const serverAttachments = await this.cloud.compute.listVolumeAttachments(stack.nodeId);
    return { volumes, serverAttachments, host: await stack.leftovers() };
  }

  /**
   * Volumes of the mix that Cinder left in `error_deleting`: Cinder refuses a plain delete there, so no
   * driver can remove them; an operator resets them (here: to `error`) so that deleting works again.
   * Returns `id (name)` of each one reset.
   */
  async operatorResetsStranded(before: Picture): Promise<string[]> {
    const { simulator } = this.cluster.stack;
    const known = new Set(before.volumes.map((volume) => volume.id));
    const stranded = (await this.picture()).volumes.filter((volume) => !known.has(volume.id) && volume.status === 'error_deleting');
    if (stranded.length === 0) return [];
    const token = await rawToken(simulator);
    for (const volume of stranded) {
      await axios.post(
        `${simulator.endpoints.volume}/volumes/${volume.id}/action`,
        { 'os-reset_status': { status: 'error' } },
        { headers: { 'X-Auth-Token': token } },
      );
    }
    return stranded.map((volume) => `${volume.id} (${volume.name ?? 'no name'})`);
  }

  /**
   * Waits (at most `timeoutMs`) until no volume of the mix is left failed (`error`, `error_deleting`,
   * `deleting`) or marked abandoned: the controller's janitor deletes what the driver abandoned once the
   * operator reset it. Returns how long it waited; whatever is still there shows in the audit as a leak.
   */
  async janitorSettles(before: Picture, timeoutMs: number): Promise<number> {
    const started = Date.now();
    const known = new Set(before.volumes.map((volume) => volume.id));
    const unsettled = (volume: Volume): boolean =>
      !known.has(volume.id) && (FAILED_OR_GOING.includes(volume.status) || volume.metadata?.[METADATA_ABANDONED] !== undefined);
    while (Date.now() - started < timeoutMs) {
      const volumes = (await this.cloud.blockStorage.listVolumes({ allPages: true })).items;
      if (!volumes.some(unsettled)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return Date.now() - started;
  }

  static compare(before: Picture, after: Picture): MixAudit {
    const knownVolumes = new Set(before.volumes.map((volume) => volume.id));
    const knownAttachments = new Set(before.serverAttachments.map(attachmentKey));
    const newHost = (key: keyof StackLeftovers): string[] => {
      const known = new Set(before.host[key]);
      return after.host[key].filter((entry) => !known.has(entry));
    };
    return {
      leakedVolumes: after.volumes
        .filter((volume) => !knownVolumes.has(volume.id))
        .map((volume) => `${volume.id} (${volume.name ?? 'no name'}, ${volume.status})`),
      leakedAttachments: after.serverAttachments
        .filter((attachment) => !knownAttachments.has(attachmentKey(attachment)))
        .map((attachment) => `${attachment.volumeId} → ${attachment.serverId}`),
      leakedMounts: newHost('mounts'),
      leakedLoopDevices: newHost('loopDevices'),
      leakedFiles: [...newHost('deviceLinks'), ...newHost('kubeletFiles'), ...newHost('simulatorFiles')],
      duplicateNames: duplicatesNotIn(duplicateNames(after.volumes), duplicateNames(before.volumes)),
      duplicateAttachments: duplicatesNotIn(duplicateAttachments(after), duplicateAttachments(before)),
    };
  }
}

function attachmentKey(attachment: ServerVolumeAttachment): string {
  return `${attachment.volumeId}@${attachment.serverId}#${attachment.id}`;
}

function countBy<T>(items: T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

export function duplicateNames(volumes: Volume[]): string[] {
  return [...countBy(volumes, (volume) => volume.name ?? undefined)]
    .filter(([, group]) => group.length > 1)
    .map(([name, group]) => `${name} ×${group.length} (${group.map((volume) => volume.id).join(', ')})`);
}

export function duplicateAttachments(picture: Pick<Picture, 'volumes' | 'serverAttachments'>): string[] {
  const found = new Set<string>();
  for (const [key, group] of countBy(picture.serverAttachments, (a) => `${a.volumeId} on ${a.serverId}`)) {
    if (group.length > 1) found.add(`${key.replace(' on ', ` ×${group.length} on `)} (Nova)`);
  }
  for (const volume of picture.volumes) {
    for (const [server, group] of countBy(volume.attachments, (a) => a.server_id)) {
      if (group.length > 1) found.add(`${volume.id} ×${group.length} on ${server} (Cinder)`);
    }
  }
  return [...found];
}

function duplicatesNotIn(after: string[], before: string[]): string[] {
  const known = new Set(before);
  return after.filter((entry) => !known.has(entry));
}
