/**
 * One volume's life as Kubernetes drives it, every RPC through the sidecar-like caller:
 * CreateVolume → ControllerPublish → NodeStage → NodePublish → write bytes → NodeUnpublish → NodeUnstage →
 * ControllerUnpublish → DeleteVolume. When a step gives up, `recover` later does what the sidecars and
 * kubelet keep doing once the trouble is over (take everything down, delete the volume), so the audit
 * only finds what the driver really lost track of.
 */
import { GiB, NodeVolume, verifyData, volumeCapability, writeData, type Stack, type VolumeKind } from '../../pkg/stack';
import { RetriesExhausted, type SidecarCaller } from './sidecar';

export const LIFECYCLE_STEPS = [
  'CreateVolume',
  'ControllerPublishVolume',
  'NodeStageVolume',
  'NodePublishVolume',
  'write bytes',
  'NodeUnpublishVolume',
  'NodeUnstageVolume',
  'ControllerUnpublishVolume',
  'DeleteVolume',
] as const;
export type LifecycleStep = (typeof LIFECYCLE_STEPS)[number];

export interface LifecycleResult {
  name: string;
  kind: VolumeKind;
  volumeId?: string;
  completed: boolean;
  /** The step that gave up, and why. */
  failedStep?: LifecycleStep;
  failure?: string;
  /** After a failure: whether the take-down afterwards succeeded, and why not. */
  recovered?: boolean;
  recoveryFailure?: string;
  durationMs: number;
}

export interface LifecycleSpec {
  name: string;
  kind: VolumeKind;
}

function describe(error: unknown): string {
  return error instanceof RetriesExhausted || error instanceof Error ? error.message : String(error);
}

async function createVolume(stack: Stack, caller: SidecarCaller, spec: LifecycleSpec) {
  const response = await caller.call('CreateVolume', () =>
    stack.controller.controller.CreateVolume({
      name: spec.name,
      capacity_range: { required_bytes: String(GiB) },
      volume_capabilities: [volumeCapability(spec.kind)],
      parameters: {},
    }),
  );
  const volume = response.volume;
  if (!volume?.volume_id) throw new Error('CreateVolume answered without a volume ID');
  return volume;
}

export async function runLifecycle(stack: Stack, caller: SidecarCaller, spec: LifecycleSpec): Promise<LifecycleResult> {
  const started = Date.now();
  const result: LifecycleResult = { name: spec.name, kind: spec.kind, completed: false, durationMs: 0 };
  let step: LifecycleStep = 'CreateVolume';
  try {
    const volume = await createVolume(stack, caller, spec);
    result.volumeId = volume.volume_id;
    const onNode = new NodeVolume(stack, { volumeId: volume.volume_id, kind: spec.kind, volumeContext: volume.volume_context });
    step = 'ControllerPublishVolume';
    await caller.call(step, () => onNode.controllerPublish());
    step = 'NodeStageVolume';
    await caller.call(step, () => onNode.stage());
    step = 'NodePublishVolume';
    await caller.call(step, () => onNode.publish());
    step = 'write bytes';
    verifyData(spec.kind, onNode.targetPath, writeData(spec.kind, onNode.targetPath));
    step = 'NodeUnpublishVolume';
    await caller.call(step, () => onNode.unpublish());
    step = 'NodeUnstageVolume';
    await caller.call(step, () => onNode.unstage());
    step = 'ControllerUnpublishVolume';
    await caller.call(step, () => onNode.controllerUnpublish());
    step = 'DeleteVolume';
    await caller.call(step, () => stack.controller.controller.DeleteVolume({ volume_id: volume.volume_id }));
    result.completed = true;
  } catch (error) {
    result.failedStep = step;
    result.failure = describe(error);
  }
  result.durationMs = Date.now() - started;
  return result;
}

/**
 * After the faults are off: what the provisioner, attacher and kubelet would go on doing for a volume
 * whose life was cut short. A CreateVolume that never answered is repeated with the same name (the
 * provisioner retries until it gets the volume); then every take-down RPC runs, since kubelet treats a
 * failed stage or publish as "maybe mounted" and the attacher a failed attach as "maybe attached".
 */
export async function recoverLifecycle(stack: Stack, caller: SidecarCaller, result: LifecycleResult): Promise<void> {
  if (result.completed) return;
  try {
    if (!result.volumeId) result.volumeId = (await createVolume(stack, caller, result)).volume_id;
    const onNode = new NodeVolume(stack, { volumeId: result.volumeId, kind: result.kind });
    await caller.call('NodeUnpublishVolume', () => onNode.unpublish());
    await caller.call('NodeUnstageVolume', () => onNode.unstage());
    await caller.call('ControllerUnpublishVolume', () => onNode.controllerUnpublish());
    await caller.call('DeleteVolume', () => stack.controller.controller.DeleteVolume({ volume_id: result.volumeId as string }));
    result.recovered = true;
  } catch (error) {
    result.recovered = false;
    result.recoveryFailure = describe(error);
  }
}
