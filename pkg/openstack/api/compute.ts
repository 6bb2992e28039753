/**
 * The Nova v2.1 (compute) contract: the server and volume-attachment calls the Cinder driver uses.
 * `NovaClient` implements it.
 */

export interface Server {
  id: string;
  name: string;
  status: string;
  'OS-EXT-AZ:availability_zone'?: string;
  'OS-EXT-STS:vm_state'?: string;
  'os-extended-volumes:volumes_attached'?: { id: string; delete_on_termination?: boolean }[];
  metadata?: Record<string, string>;
}

export interface ServerVolumeAttachment {
  id: string;
  volumeId: string;
  serverId: string;
  device: string | null;
  tag?: string | null;
  delete_on_termination?: boolean;
  attachment_id?: string;
  bdm_uuid?: string;
}

export interface ComputeApi {
  getServer(id: string): Promise<Server>;
  /** `POST /servers/{id}/os-volume_attachments`; `multiattach` selects microversion 2.60. */
  attachVolume(serverId: string, volumeId: string, multiattach: boolean): Promise<ServerVolumeAttachment>;
  listVolumeAttachments(serverId: string): Promise<ServerVolumeAttachment[]>;
  getVolumeAttachment(serverId: string, volumeId: string): Promise<ServerVolumeAttachment>;
  detachVolume(serverId: string, volumeId: string): Promise<void>;
}
