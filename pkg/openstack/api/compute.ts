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
  /** Network name → the server's addresses (fixed and floating, IPv4 and IPv6). */
  addresses?: Record<string, ServerAddress[]>;
}

/** An entry of `addresses` (`OS-EXT-IPS:type` is `fixed` or `floating`). */
export interface ServerAddress {
  addr: string;
  version: number;
  'OS-EXT-IPS:type'?: string;
  'OS-EXT-IPS-MAC:mac_addr'?: string;
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
