/**
 * NodePublishVolume: bind-mounts the staging mount onto the pod's target directory, or, for a raw
 * block volume, the device node onto a file at the target; read-only when asked or when the access
 * mode is a reader mode.
 */
import { failedPrecondition, invalidArgument } from '../../csi/errors';
import type { CallContext } from '../../csi/handlers';
import type { NodePublishVolumeRequest, NodePublishVolumeResponse } from '../../csi/types';
import type { Logger } from '../../log/logger';
import type { NodeContext } from './context';
import { withNodeErrors } from './errors';
import { kubeletPath } from './kubelet-paths';
import {
  assertNotPublishedElsewhere,
  assertReadOnlyMatches,
  deviceBoundElsewhere,
  sameDevice,
  stagingBoundElsewhere,
} from './mount-checks';
import { bindMountFlags, requireCapability, requirePath, requireVolumeId, type ParsedCapability } from './requests';

/** Volume context key kubelet sets for CSI inline ephemeral volumes. */
export const CONTEXT_EPHEMERAL = 'csi.storage.k8s.io/ephemeral';

interface PublishPlan {
  volumeId: string;
  target: string;
  staging: string;
  readOnly: boolean;
  singleWorkload: boolean;
  log: Logger;
}

export async function nodePublishVolume(
  node: NodeContext,
  req: NodePublishVolumeRequest,
  call: CallContext,
): Promise<NodePublishVolumeResponse> {
  const volumeId = requireVolumeId(req.volume_id);
  if (req.volume_context?.[CONTEXT_EPHEMERAL] === 'true') {
    throw invalidArgument(
      `inline ephemeral volumes are not supported by ${node.driverName}; use a generic ephemeral volume (a PVC template) instead`,
    );
  }
  const requestedTarget = requirePath(req.target_path, 'target_path');
  const capability = requireCapability(req.volume_capability);
  if (!req.staging_target_path) {
    // The CSI error table's "Staging target path not set" row: FAILED_PRECONDITION.
    throw failedPrecondition('staging_target_path is not set, but this plugin has STAGE_UNSTAGE_VOLUME: call NodeStageVolume first and pass its path');
  }
  const requestedStaging = requirePath(req.staging_target_path, 'staging_target_path');
  return withNodeErrors(`publishing volume ${volumeId} at ${requestedTarget}`, async () => {
    const target = await kubeletPath(node, requestedTarget, 'target_path');
    const plan: PublishPlan = {
      volumeId,
      target,
      staging: await kubeletPath(node, requestedStaging, 'staging_target_path'),
      readOnly: req.readonly || capability.readOnlyMode || (capability.kind === 'mount' && capability.mountFlags.includes('ro')),
      singleWorkload: req.volume_capability?.access_mode?.mode === 'SINGLE_NODE_SINGLE_WRITER',
      log: call.logger.child({ volumeId, target }),
    };
    if (capability.kind === 'block') await publishBlock(node, plan);
    else await publishFilesystem(node, plan, capability);
    return {};
  });
}

async function publishBlock(node: NodeContext, plan: PublishPlan): Promise<void> {
  const { mounter } = node;
  const { volumeId, target, readOnly } = plan;
  const { devicePath } = await node.deviceFinder.find(volumeId);
  const existing = await mounter.findMount(target);
  if (existing) {
    if (!(await sameDevice(mounter, target, devicePath))) {
      throw failedPrecondition(`${target} already has another device mounted on it, not ${devicePath} (volume ${volumeId})`);
    }
    assertReadOnlyMatches(existing, readOnly, target);
    return;
  }
  const present = await mounter.statPath(target);
  if (present && !(present.kind === 'file' && !present.sizeBytes)) {
    throw failedPrecondition(
      `target_path ${target} exists and is not an empty file (${present.kind === 'file' ? `${present.sizeBytes} bytes` : `a ${present.kind}`}); ` +
        'refusing to bind the device over it',
    );
  }
  if (plan.singleWorkload) assertNotPublishedElsewhere(volumeId, await deviceBoundElsewhere(mounter, devicePath, target));
  await mounter.makeFile(target);
  await mounter.bindMount(devicePath, target, { readOnly });
  plan.log.info('block volume published', { devicePath, readOnly });
}

async function publishFilesystem(
  node: NodeContext,
  plan: PublishPlan,
  capability: Extract<ParsedCapability, { kind: 'mount' }>,
): Promise<void> {
  const { mounter } = node;
  const { volumeId, target, staging, readOnly } = plan;
  const stagingMount = await mounter.findMount(staging);
  if (!stagingMount) {
    throw failedPrecondition(`volume ${volumeId} is not staged at ${staging}; call NodeStageVolume first`);
  }
  const existing = await mounter.findMount(target);
  if (existing) {
    if (existing.source !== stagingMount.source || existing.fsroot !== stagingMount.fsroot) {
      throw failedPrecondition(
        `${target} is already mounted from ${existing.source}${existing.fsroot === '/' ? '' : `[${existing.fsroot}]`}, not from the staging mount of volume ${volumeId}`,
      );
    }
    assertReadOnlyMatches(existing, readOnly, target);
    return;
  }
  const present = await mounter.statPath(target);
  if (present && present.kind !== 'directory') {
    throw failedPrecondition(`target_path ${target} exists and is a ${present.kind}, not a directory; refusing to mount over it`);
  }
  if (plan.singleWorkload) assertNotPublishedElsewhere(volumeId, await stagingBoundElsewhere(mounter, stagingMount, target));
  await mounter.makeDir(target);
  await mounter.bindMount(staging, target, { readOnly, options: bindMountFlags(capability.mountFlags) });
  plan.log.info('volume published', { staging, readOnly });
}
