/**
 * Nova (compute) v2.1 client: the server lookups and volume attachment calls the drivers need. Paths
 * are relative to the catalog endpoint (`https://cloud:8774/v2.1`).
 */
import type { ComputeApi, Server, ServerVolumeAttachment } from './api';
import { pathSegment } from './http/request-parts';
import { requireMember, type ServiceClient } from './http/service-client';

export const NOVA_MICROVERSIONS = {
  base: '2.1',
  /** Attaching a multiattach volume to more than one server. */
  multiattach: '2.60',
} as const;

export class NovaClient implements ComputeApi {
  constructor(private readonly client: ServiceClient) {}

  /** `GET /servers/{id}` (2.1). */
  async getServer(id: string): Promise<Server> {
    const result = await this.client.call<{ server: Server }>({
      method: 'GET',
      path: `/servers/${pathSegment(id)}`,
      request: 'server_get',
    });
    return requireMember(result, 'server');
  }

  /** `POST /servers/{id}/os-volume_attachments` (2.1; 2.60 for a multiattach volume). */
  async attachVolume(serverId: string, volumeId: string, multiattach: boolean): Promise<ServerVolumeAttachment> {
    const result = await this.client.call<{ volumeAttachment: ServerVolumeAttachment }>({
      method: 'POST',
      path: `/servers/${pathSegment(serverId)}/os-volume_attachments`,
      body: { volumeAttachment: { volumeId } },
      microversion: multiattach ? NOVA_MICROVERSIONS.multiattach : NOVA_MICROVERSIONS.base,
      request: 'volume_attach',
    });
    return requireMember(result, 'volumeAttachment');
  }

  /** `GET /servers/{id}/os-volume_attachments` (2.1). */
  async listVolumeAttachments(serverId: string): Promise<ServerVolumeAttachment[]> {
    const result = await this.client.call<{ volumeAttachments: ServerVolumeAttachment[] }>({
      method: 'GET',
      path: `/servers/${pathSegment(serverId)}/os-volume_attachments`,
      request: 'volume_attachment_list',
    });
    return result.data.volumeAttachments ?? [];
  }

  /** `GET /servers/{id}/os-volume_attachments/{volume_id}` (2.1). */
  async getVolumeAttachment(serverId: string, volumeId: string): Promise<ServerVolumeAttachment> {
    const result = await this.client.call<{ volumeAttachment: ServerVolumeAttachment }>({
      method: 'GET',
      path: `/servers/${pathSegment(serverId)}/os-volume_attachments/${pathSegment(volumeId)}`,
      request: 'volume_attachment_get',
    });
    return requireMember(result, 'volumeAttachment');
  }

  /** `DELETE /servers/{id}/os-volume_attachments/{volume_id}` (2.1). */
  async detachVolume(serverId: string, volumeId: string): Promise<void> {
    await this.client.call({
      method: 'DELETE',
      path: `/servers/${pathSegment(serverId)}/os-volume_attachments/${pathSegment(volumeId)}`,
      request: 'volume_detach',
    });
  }
}
