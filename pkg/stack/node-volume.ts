/**
 * The calls kubelet and the external-attacher make to bring one volume to a pod on this node and take it
 * away again, in their order: ControllerPublish → NodeStage → NodePublish, and back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Stack } from './stack';
import { volumeCapability, type VolumeKind } from './volume-kind';

export interface NodeVolumeOptions {
  volumeId: string;
  kind: VolumeKind;
  /** CreateVolume's volume_context (e.g. resizeRequired for restored volumes). */
  volumeContext?: Record<string, string>;
  readOnly?: boolean;
}

export class NodeVolume {
  readonly volumeId: string;
  readonly kind: VolumeKind;
  readonly stagingPath: string;
  readonly targetPath: string;
  private publishContext: Record<string, string> = {};
  private readonly volumeContext: Record<string, string>;

  constructor(
    private readonly stack: Stack,
    options: NodeVolumeOptions,
  ) {
    this.volumeId = options.volumeId;
    this.kind = options.kind;
    this.volumeContext = options.volumeContext ?? {};
    this.stagingPath = stack.stagingPath(options.volumeId);
    this.targetPath = stack.targetPath(options.volumeId);
  }

  private get capability() {
    return volumeCapability(this.kind);
  }

  async controllerPublish(): Promise<Record<string, string>> {
    const response = await this.stack.controller.controller.ControllerPublishVolume({
      volume_id: this.volumeId,
      node_id: this.stack.nodeId,
      volume_capability: this.capability,
      readonly: false,
      volume_context: this.volumeContext,
    });
    this.publishContext = response.publish_context;
    return response.publish_context;
  }

  async stage(): Promise<void> {
    // kubelet creates the staging directory; the plugin creates the target itself.
    fs.mkdirSync(this.stagingPath, { recursive: true });
    await this.stack.node.node.NodeStageVolume({
      volume_id: this.volumeId,
      publish_context: this.publishContext,
      staging_target_path: this.stagingPath,
      volume_capability: this.capability,
      volume_context: this.volumeContext,
    });
  }

  async publish(readOnly = false): Promise<void> {
    fs.mkdirSync(path.dirname(this.targetPath), { recursive: true });
    await this.stack.node.node.NodePublishVolume({
      volume_id: this.volumeId,
      publish_context: this.publishContext,
      staging_target_path: this.stagingPath,
      target_path: this.targetPath,
      volume_capability: this.capability,
      readonly: readOnly,
      volume_context: this.volumeContext,
    });
  }

  async unpublish(): Promise<void> {
    await this.stack.node.node.NodeUnpublishVolume({ volume_id: this.volumeId, target_path: this.targetPath });
  }

  async unstage(): Promise<void> {
    await this.stack.node.node.NodeUnstageVolume({ volume_id: this.volumeId, staging_target_path: this.stagingPath });
    // kubelet removes the staging directory it made once the plugin is done with it.
    try {
      fs.rmdirSync(this.stagingPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  async controllerUnpublish(): Promise<void> {
    await this.stack.controller.controller.ControllerUnpublishVolume({
      volume_id: this.volumeId,
      node_id: this.stack.nodeId,
    });
  }

  async stats() {
    return this.stack.node.node.NodeGetVolumeStats({
      volume_id: this.volumeId,
      volume_path: this.targetPath,
      staging_target_path: this.stagingPath,
    });
  }

  async nodeExpand(requiredBytes: number) {
    return this.stack.node.node.NodeExpandVolume({
      volume_id: this.volumeId,
      volume_path: this.targetPath,
      staging_target_path: this.stagingPath,
      capacity_range: { required_bytes: String(requiredBytes) },
      volume_capability: this.capability,
    });
  }

  /** ControllerPublish, NodeStage, NodePublish. */
  async attachAndMount(): Promise<void> {
    await this.controllerPublish();
    await this.stage();
    await this.publish();
  }

  /** NodeUnpublish, NodeUnstage, ControllerUnpublish. */
  async unmountAndDetach(): Promise<void> {
    await this.unpublish();
    await this.unstage();
    await this.controllerUnpublish();
  }
}
