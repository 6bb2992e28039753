/**
 * CreateVolume: validate first, find an earlier attempt by name (same size, protocol, network and source,
 * else ALREADY_EXISTS), create the share (from a snapshot when asked; a clone from a transient snapshot of
 * its source share, `clone-source.ts`), wait `creating` /
 * `creating_from_snapshot` → `available`, then grant and wait for the access rules. A share Manila puts in
 * `error` is rolled back and the call fails with the code its user message's `detail_id` maps to.
 */
import { alreadyExists, failedPrecondition, internal, invalidArgument, unavailable } from '../../csi/errors';
import type { CreateVolumeRequest, CreateVolumeResponse } from '../../csi/types';
import { gibToBytes, sizeGiBFromRange } from '../../driver-kit/gib';
import { goneIsNotFound, mapErrors } from '../../driver-kit/openstack-errors';
import { zoneFromTopology, zoneTopology } from '../../driver-kit/topology';
import { ResourceErrorStateError } from '../../openstack/errors';
import type { CreateShareOptions, Share, ShareSnapshot } from '../../openstack/api';
import type { ManilaCloud } from '../cloud-source';
import {
  CONTEXT,
  METADATA_CLONE_OF,
  METADATA_CLUSTER,
  METADATA_NFS_NODE_ACCESS,
  PVC_ANNOTATION_AFFINITY,
  PVC_ANNOTATION_ANTI_AFFINITY,
  PVC_ANNOTATION_GROUP_ID,
  SHARE_DESCRIPTION,
  TOPOLOGY_ZONE_KEY,
} from '../constants';
import { parseShareParameters, type ShareParameters } from '../parameters';
import { ensureAccessRules, wantedRules } from './access-rules';
import { assertCapabilities } from './capabilities';
import { cloneSourceShare, dropTransientSnapshot, transientSnapshot } from './clone-source';
import type { ManilaControllerContext, RequestScope } from './context';
import { explainFailure, rollBackShare } from './share-failure';

const BUILDING_STATUSES = ['creating', 'creating_from_snapshot'];

export async function createVolume(
  ctx: ManilaControllerContext,
  req: CreateVolumeRequest,
  scope: RequestScope,
): Promise<CreateVolumeResponse> {
  const name = req.name;
  if (!name) throw invalidArgument('name is required');
  assertCapabilities(req.volume_capabilities);
  const params = parseShareParameters(req.parameters);
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const operation = `create volume "${name}"`;

  return mapErrors({ operation, waitingFor: 'the share to become available' }, async () => {
    const snapshot = await sourceSnapshot(cloud, req.volume_content_source?.snapshot?.snapshot_id);
    const cloneSource = await cloneSourceShare(cloud, ctx.protocol, req.volume_content_source?.volume?.volume_id);
    const sizeGiB = sizeGiBFromRange(req.capacity_range, snapshot?.size ?? cloneSource?.size);
    const hints = await annotationHints(ctx, params, scope);
    const availabilityZone = chooseZone(params, req);

    let share = await findShareByName(cloud, name);
    if (share) {
      assertCompatible(ctx, share, name, sizeGiB, params, snapshot, cloneSource);
      if (share.status === 'error') {
        await rollBackShare(cloud, share.id, scope, 'an earlier attempt left it in error');
        share = undefined;
      }
    }
    const sinceMs = Date.now();
    let ready: Share;
    try {
      if (!share) {
        // A clone is restored from a transient snapshot of its source (dropped below, whatever happens).
        const fromSnapshot = cloneSource ? await transientSnapshot(cloud, cloneSource, name, scope) : snapshot;
        const options: CreateShareOptions = {
          shareProto: ctx.protocol,
          size: sizeGiB,
          name,
          description: SHARE_DESCRIPTION,
          shareType: params.shareType,
          shareNetworkId: params.shareNetworkId,
          availabilityZone,
          snapshotId: fromSnapshot?.id,
          shareGroupId: hints.groupId ?? params.groupId,
          // Later entries win: appendShareMetadata cannot override the PVC keys or the driver's keys.
          metadata: {
            ...params.appendShareMetadata,
            ...params.pvcMetadata,
            [METADATA_CLUSTER]: ctx.clusterId,
            ...(params.nfsNodeAccess && ctx.protocol === 'NFS' ? { [METADATA_NFS_NODE_ACCESS]: 'true' } : {}),
            ...(cloneSource ? { [METADATA_CLONE_OF]: cloneSource.id } : {}),
          },
          schedulerHints: hints.schedulerHints,
        };
        share = await cloud.sharedFileSystem.createShare(options);
        scope.logger.info('share created, waiting for it to become available', { shareId: share.id, name, sizeGiB });
      }
      ready = await waitAvailable(cloud, share, sinceMs, scope);
    } finally {
      if (cloneSource) await dropTransientSnapshot(cloud, name, scope);
    }

    const wanted = wantedRules(ctx.protocol, params, ready);
    let rules;
    try {
      rules = await ensureAccessRules(cloud, ready, wanted, scope);
    } catch (error) {
      // The CO never gets this volume, so nothing would ever delete the share.
      await rollBackShare(cloud, ready.id, scope, 'its access rules could not be applied');
      throw error;
    }
    return {
      volume: {
        volume_id: ready.id,
        capacity_bytes: gibToBytes(ready.size),
        volume_context: volumeContext(ready, params, rules.map((rule) => rule.id), hints),
        content_source: cloneSource
          ? { volume: { volume_id: cloneSource.id } }
          : snapshot
            ? { snapshot: { snapshot_id: snapshot.id } }
            : undefined,
        accessible_topology:
          ctx.withTopology && ready.availability_zone ? [zoneTopology(TOPOLOGY_ZONE_KEY, ready.availability_zone)] : [],
      },
    };
  });
}

async function sourceSnapshot(cloud: ManilaCloud, snapshotId: string | undefined): Promise<ShareSnapshot | undefined> {
  if (snapshotId === undefined) return undefined;
  if (snapshotId === '') throw invalidArgument('volume_content_source.snapshot.snapshot_id is required');
  const snapshot = await goneIsNotFound(() => cloud.sharedFileSystem.getSnapshot(snapshotId), `source snapshot ${snapshotId} does not exist`);
  if (snapshot.status === 'creating') throw unavailable(`source snapshot ${snapshotId} is still creating; retry once it is available`);
  if (snapshot.status !== 'available') {
    throw failedPrecondition(`source snapshot ${snapshotId} is "${snapshot.status}"; a volume can only be restored from an available snapshot`);
  }
  return snapshot;
}

/** `availability`, else with `autoTopology` the zone of preferred, then requisite topology. */
function chooseZone(params: ShareParameters, req: CreateVolumeRequest): string | undefined {
  if (params.availability) return params.availability;
  if (!params.autoTopology) return undefined;
  const fromTopology = zoneFromTopology(req.accessibility_requirements, TOPOLOGY_ZONE_KEY);
  if (!fromTopology) {
    throw invalidArgument(`autoTopology is set but the request carries no ${TOPOLOGY_ZONE_KEY} topology (is the provisioner's Topology feature on?)`);
  }
  return fromTopology.zone;
}

interface AnnotationHints {
  schedulerHints?: Record<string, string>;
  groupId?: string;
  affinity?: string;
  antiAffinity?: string;
}

/** `--pvc-annotations`: affinity / anti-affinity (→ scheduler hints, 2.65) and group-id from the PVC. */
async function annotationHints(ctx: ManilaControllerContext, params: ShareParameters, scope: RequestScope): Promise<AnnotationHints> {
  const namespace = params.pvcMetadata['csi.storage.k8s.io/pvc/namespace'];
  const pvc = params.pvcMetadata['csi.storage.k8s.io/pvc/name'];
  let annotations: Record<string, string> = {};
  if (ctx.pvcAnnotationReader && namespace && pvc) {
    annotations = await ctx.pvcAnnotationReader(namespace, pvc);
  } else if (ctx.pvcAnnotationReader) {
    scope.logger.warn('--pvc-annotations is set but the provisioner sends no PVC name (enable --extra-create-metadata)');
  }
  const affinity = annotations[PVC_ANNOTATION_AFFINITY]?.trim() || params.affinity;
  const antiAffinity = annotations[PVC_ANNOTATION_ANTI_AFFINITY]?.trim() || params.antiAffinity;
  const schedulerHints: Record<string, string> = {};
  if (affinity) schedulerHints.same_host = affinity;
  if (antiAffinity) schedulerHints.different_host = antiAffinity;
  return {
    schedulerHints: Object.keys(schedulerHints).length > 0 ? schedulerHints : undefined,
    groupId: annotations[PVC_ANNOTATION_GROUP_ID]?.trim() || undefined,
    affinity,
    antiAffinity,
  };
}

async function findShareByName(cloud: ManilaCloud, name: string): Promise<Share | undefined> {
  const page = await cloud.sharedFileSystem.listShares({ name, allPages: true });
  const matches = page.items.filter((share) => share.name === name && share.status !== 'deleting');
  if (matches.length > 1) throw internal(`${matches.length} shares are named "${name}"; delete the extra ones`);
  return matches[0];
}

function assertCompatible(
  ctx: ManilaControllerContext,
  share: Share,
  name: string,
  sizeGiB: number,
  params: ShareParameters,
  snapshot: ShareSnapshot | undefined,
  cloneSource: Share | undefined,
): void {
  const problems: string[] = [];
  if (share.size !== sizeGiB) problems.push(`size ${share.size} GiB, requested ${sizeGiB} GiB`);
  if (share.share_proto.toUpperCase() !== ctx.protocol) problems.push(`protocol ${share.share_proto}, this plugin serves ${ctx.protocol}`);
  if ((share.share_network_id ?? undefined) !== params.shareNetworkId) {
    problems.push(`share network ${share.share_network_id ?? 'none'}, requested ${params.shareNetworkId ?? 'none'}`);
  }
  if (cloneSource || share.metadata?.[METADATA_CLONE_OF]) {
    // A clone's snapshot_id is its transient snapshot: the source is recorded in the metadata instead.
    const source = share.metadata?.[METADATA_CLONE_OF];
    if (source !== cloneSource?.id) problems.push(`clone source ${source ?? 'none'}, requested ${cloneSource?.id ?? 'none'}`);
  } else if ((share.snapshot_id ?? undefined) !== snapshot?.id) {
    problems.push(`source snapshot ${share.snapshot_id ?? 'none'}, requested ${snapshot?.id ?? 'none'}`);
  }
  if (problems.length > 0) throw alreadyExists(`share "${name}" (${share.id}) already exists with ${problems.join('; ')}`);
}

async function waitAvailable(cloud: ManilaCloud, share: Share, sinceMs: number, scope: RequestScope): Promise<Share> {
  if (share.status === 'available') return share;
  try {
    return await cloud.sharedFileSystem.waitForShare(share.id, ['available'], {
      errorStatuses: ['error'],
      // Anything but building or ready means someone else is acting on the share.
      observe: (seen) => {
        if (seen.status !== 'available' && seen.status !== 'error' && !BUILDING_STATUSES.includes(seen.status)) {
          throw failedPrecondition(`share ${share.id} is "${seen.status}", not being created`);
        }
      },
    });
  } catch (error) {
    if (!(error instanceof ResourceErrorStateError)) throw error;
    const explained = await explainFailure(cloud, share.id, `share ${share.id} went to status "${error.resourceStatus}"`, sinceMs);
    await rollBackShare(cloud, share.id, scope, explained.message);
    throw explained;
  }
}

/** CPO's volume context: the node keys present plus the share and its rules, so the node needs no lookup by name. */
function volumeContext(share: Share, params: ShareParameters, accessIds: string[], hints: AnnotationHints): Record<string, string> {
  const context: Record<string, string> = {
    [CONTEXT.shareId]: share.id,
    [CONTEXT.shareAccessIds]: accessIds.join(','),
  };
  const optional: [string, string | undefined][] = [
    [CONTEXT.groupId, hints.groupId ?? params.groupId],
    [CONTEXT.affinity, hints.affinity],
    [CONTEXT.antiAffinity, hints.antiAffinity],
  ];
  if (share.share_proto.toUpperCase() === 'CEPHFS') {
    optional.push(
      [CONTEXT.cephfsMounter, params.cephfsMounter],
      [CONTEXT.cephfsKernelMountOptions, params.cephfsKernelMountOptions],
      [CONTEXT.cephfsFuseMountOptions, params.cephfsFuseMountOptions],
    );
  }
  for (const [key, value] of optional) if (value) context[key] = value;
  return context;
}
