/**
 * Which configured cloud serves a request: the CSI secret key `cloud` names it (CPO's multi-cloud),
 * "" (`[Global]`) by default. RPCs that carry no secrets look a volume up in every cloud, the default
 * first; volume IDs are UUIDs, so a match is unambiguous.
 */
import { invalidArgument, notFound } from '../../csi/errors';
import type { CloudWith, Volume } from '../../openstack/api';
import { goneIsSuccess } from '../../driver-kit/openstack-errors';
import { DEFAULT_CLOUD_NAME, SECRET_CLOUD_KEY } from '../constants';

/** What the Cinder driver uses of a cloud: Cinder for volumes, Nova for attachments. */
export type CinderCloud = CloudWith<'blockStorage' | 'compute'>;

export class CloudSelector {
  private readonly names: string[];

  constructor(private readonly clouds: Map<string, CinderCloud>) {
    this.names = [...clouds.keys()].sort();
  }

  /** Cloud names in the order ListVolumes walks them. */
  cloudNames(): readonly string[] {
    return this.names;
  }

  get(name: string): CinderCloud | undefined {
    return this.clouds.get(name);
  }

  /** The cloud a request's secrets select. */
  forSecrets(secrets: Record<string, string> | null | undefined): CinderCloud {
    const name = secrets?.[SECRET_CLOUD_KEY] ?? DEFAULT_CLOUD_NAME;
    const cloud = this.clouds.get(name);
    if (!cloud) {
      const known = this.names.map((n) => (n === '' ? '"" ([Global])' : `"${n}"`)).join(', ') || 'none';
      throw invalidArgument(`secret "${SECRET_CLOUD_KEY}" selects cloud "${name}", which is not configured; configured clouds: ${known}`);
    }
    return cloud;
  }

  /** For RPCs without secrets: the default cloud, else the first by name. */
  defaultCloud(): CinderCloud {
    const cloud = this.clouds.get(DEFAULT_CLOUD_NAME) ?? (this.names.length > 0 ? this.clouds.get(this.names[0]) : undefined);
    if (!cloud) throw invalidArgument('no cloud is configured');
    return cloud;
  }

  /** Clouds to search for an ID when the request names none: the default first. */
  searchOrder(): CinderCloud[] {
    const ordered = [...this.names].sort((a, b) => (a === DEFAULT_CLOUD_NAME ? -1 : b === DEFAULT_CLOUD_NAME ? 1 : 0));
    return ordered.map((name) => this.clouds.get(name) as CinderCloud);
  }

  /** Finds which cloud holds a volume ID (the default cloud first); NOT_FOUND when none has it. */
  async locateVolume(volumeId: string): Promise<{ cloud: CinderCloud; volume: Volume }> {
    for (const cloud of this.searchOrder()) {
      const volume = await goneIsSuccess(() => cloud.blockStorage.getVolume(volumeId));
      if (volume) return { cloud, volume };
    }
    throw notFound(`volume ${volumeId} does not exist`);
  }
}
