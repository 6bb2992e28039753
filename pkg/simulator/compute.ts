/**
 * Nova v2.1 under `/compute/v2.1`: servers and `os-volume_attachments`, whose attach and detach drive the
 * Cinder volume through reserved → attaching → in-use and detaching → available, backed by real devices.
 * Status codes follow nova/api/openstack/compute/volumes.py (attach answers 200, detach 202; too many disks 403).
 */
import { randomUUID } from 'node:crypto';
import { ApiFault, badRequest, forbidden, notFound, optionalString, parseBool, requireObject, type Router } from './http-kit';
import { atLeast } from './microversion';
import { volumeKey } from './block-keys';
import { recordUserMessage } from './block-storage/common';
import { ServiceRoutes, type ServiceCall } from './service-route';
import { cinderTime, type BdmRecord, type ServerRecord, type SimContext, type VolumeRecord } from './state';
import type { TransitionSpec } from './transitions';

export const COMPUTE_PREFIX = '/compute/v2.1';

export function registerCompute(router: Router, sim: SimContext): void {
  const policy = {
    serviceWord: 'compute',
    legacyHeader: 'X-OpenStack-Nova-API-Version',
    min: '2.1',
    max: sim.microversions.computeMax,
  };
  const versionDoc = (baseUrl: string) => ({
    id: 'v2.1',
    status: 'CURRENT',
    version: policy.max,
    min_version: policy.min,
    updated: '2013-07-23T11:33:21Z',
    links: [{ rel: 'self', href: `${baseUrl}/compute/v2.1/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
  });
  router.add('GET', '/compute', (ctx) => ({ status: 200, body: { versions: [versionDoc(ctx.baseUrl)] } }));
  router.add('GET', '/compute/v2.1', (ctx) => ({ status: 200, body: { version: versionDoc(ctx.baseUrl) } }));

  const routes = new ServiceRoutes(router, sim, COMPUTE_PREFIX, policy);
  routes.add('GET', '/servers', (call) => ({
    status: 200,
    body: { servers: [...sim.state.servers.values()].map((s) => ({ id: s.id, name: s.name, links: serverLinks(call, s.id) })) },
  }));
  routes.add('GET', '/servers/detail', (call) => ({
    status: 200,
    body: { servers: [...sim.state.servers.values()].map((s) => serverView(sim, call, s)) },
  }));
  routes.add('GET', '/servers/{server_id}', (call) => ({
    status: 200,
    body: { server: serverView(sim, call, getServer(sim, call.params.server_id)) },
  }));
  routes.add('GET', '/servers/{server_id}/os-volume_attachments', (call) => {
    const server = getServer(sim, call.params.server_id);
    return { status: 200, body: { volumeAttachments: server.bdms.map((b) => attachmentView(call, server, b)) } };
  });
  routes.add('GET', '/servers/{server_id}/os-volume_attachments/{volume_id}', (call) => {
    const server = getServer(sim, call.params.server_id);
    const bdm = findBdm(server, call.params.volume_id);
    return { status: 200, body: { volumeAttachment: attachmentView(call, server, bdm) } };
  });
  routes.add('POST', '/servers/{server_id}/os-volume_attachments', (call) => attachVolume(sim, call));
  routes.add('DELETE', '/servers/{server_id}/os-volume_attachments/{volume_id}', (call) => detachVolume(sim, call));
}

function getServer(sim: SimContext, id: string): ServerRecord {
  const server = sim.state.servers.get(id);
  if (!server) throw notFound(`Instance ${id} could not be found.`);
  return server;
}

function findBdm(server: ServerRecord, volumeId: string): BdmRecord {
  const bdm = server.bdms.find((b) => b.volumeId === volumeId);
  if (!bdm) throw notFound(`Instance ${server.id} is not attached to volume ${volumeId}`);
  return bdm;
}

function serverLinks(call: ServiceCall, id: string) {
  return [
    { rel: 'self', href: `${call.baseUrl}/compute/v2.1/servers/${id}` },
    { rel: 'bookmark', href: `${call.baseUrl}/compute/servers/${id}` },
  ];
}

function serverView(sim: SimContext, call: ServiceCall, s: ServerRecord): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    status: 'ACTIVE',
    tenant_id: call.projectId,
    user_id: sim.identity.user.id,
    metadata: {},
    hostId: 'sim-host',
    created: s.createdAt,
    updated: s.createdAt,
    addresses: structuredClone(s.addresses),
    image: '',
    flavor: { id: 'sim.small', links: [] },
    links: serverLinks(call, s.id),
    'OS-EXT-AZ:availability_zone': s.availabilityZone,
    'OS-EXT-STS:vm_state': 'active',
    'OS-EXT-STS:task_state': null,
    'OS-EXT-STS:power_state': 1,
    'os-extended-volumes:volumes_attached': s.bdms.map((b) =>
      atLeast(call.version, '2.3') ? { id: b.volumeId, delete_on_termination: b.deleteOnTermination } : { id: b.volumeId },
    ),
  };
}

function attachmentView(call: ServiceCall, server: ServerRecord, b: BdmRecord): Record<string, unknown> {
  const view: Record<string, unknown> = { serverId: server.id, volumeId: b.volumeId, device: b.device };
  // 2.89 replaced `id` with `attachment_id` and `bdm_uuid`.
  if (!atLeast(call.version, '2.89')) view.id = b.volumeId;
  if (atLeast(call.version, '2.70')) view.tag = b.tag;
  if (atLeast(call.version, '2.79')) view.delete_on_termination = b.deleteOnTermination;
  if (atLeast(call.version, '2.89')) {
    view.attachment_id = b.attachmentId;
    view.bdm_uuid = b.bdmUuid;
  }
  return view;
}

function nextDevice(server: ServerRecord): string {
  const used = new Set(server.bdms.map((b) => b.device));
  for (let i = 1; i < 26 * 27; i++) {
    const name = i < 26 ? String.fromCharCode(97 + i) : String.fromCharCode(96 + Math.floor(i / 26)) + String.fromCharCode(97 + (i % 26));
    const device = `/dev/vd${name}`;
    if (!used.has(device)) return device;
  }
  throw new ApiFault(400, 'No free disk device names for prefix vd');
}

function attachVolume(sim: SimContext, call: ServiceCall) {
  const server = getServer(sim, call.params.server_id);
  const body = requireObject(call.body, 'volumeAttachment');
  const volumeId = optionalString(body, 'volumeId');
  if (!volumeId) throw badRequest("Invalid input for field/attribute volumeAttachment. Value: {}. 'volumeId' is a required property");
  const tag = optionalString(body, 'tag') ?? null;
  if (tag !== null && !atLeast(call.version, '2.49')) {
    throw badRequest("Invalid input for field/attribute volumeAttachment. Additional properties are not allowed ('tag' was unexpected)");
  }
  const volume = sim.state.volumes.get(volumeId);
  if (!volume) throw notFound(`Volume ${volumeId} could not be found.`);
  if (volume.multiattach && !atLeast(call.version, '2.60')) {
    throw badRequest('Multiattach volumes are only supported starting with compute API version 2.60.');
  }
  if (server.bdms.some((b) => b.volumeId === volumeId)) throw badRequest(`Invalid volume: volume ${volumeId} already attached`);
  const reservable = volume.multiattach ? ['available', 'in-use'] : ['available'];
  if (!reservable.includes(volume.status)) {
    // Cinder refuses the reservation; Nova relays it as invalid input.
    throw badRequest(
      `Invalid input received: Invalid volume: Volume ${volumeId} status must be ${reservable.join(' or ')} to reserve, but the current status is ${volume.status}. (HTTP 400)`,
    );
  }
  const limit = server.maxVolumes ?? sim.defaultMaxVolumesPerServer;
  if (limit !== undefined && server.bdms.length >= limit) {
    throw forbidden(`The maximum allowed number of disk devices (${limit}) to attach to a single instance has been exceeded.`);
  }

  const bdm: BdmRecord = {
    volumeId,
    device: nextDevice(server),
    attachmentId: randomUUID(),
    bdmUuid: randomUUID(),
    tag,
    deleteOnTermination: atLeast(call.version, '2.79') ? parseBool(body.delete_on_termination) : false,
  };
  server.bdms.push(bdm);
  const attachment = { attachmentId: bdm.attachmentId, serverId: server.id, device: bdm.device, state: 'reserved' as const };
  volume.attachments.push(attachment);
  const alreadyInUse = volume.status === 'in-use';
  if (!alreadyInUse) volume.status = 'reserved';
  volume.updatedAt = cinderTime();
  scheduleAttach(sim, server, volume, bdm, alreadyInUse);

  const view: Record<string, unknown> = { id: volumeId, serverId: server.id, volumeId, device: bdm.device };
  if (atLeast(call.version, '2.70')) view.tag = tag;
  if (atLeast(call.version, '2.79')) view.delete_on_termination = bdm.deleteOnTermination;
  return { status: 200, body: { volumeAttachment: view } };
}

function scheduleAttach(sim: SimContext, server: ServerRecord, volume: VolumeRecord, bdm: BdmRecord, alreadyInUse: boolean): void {
  const attachmentOf = () => volume.attachments.find((a) => a.attachmentId === bdm.attachmentId);
  const rollback = (fault: string) => {
    // Nova removes the BDM and deletes the Cinder attachment; the volume is usable again.
    server.bdms = server.bdms.filter((b) => b !== bdm);
    volume.attachments = volume.attachments.filter((a) => a.attachmentId !== bdm.attachmentId);
    volume.status = volume.attachments.some((a) => a.state === 'attached') ? 'in-use' : 'available';
    volume.fault = fault;
    volume.updatedAt = cinderTime();
    // Cinder records a user message when its side of an attach fails (action 002 "attach volume").
    recordUserMessage(sim, 'VOLUME', volume.id, 'attach volume', fault);
  };
  // Both stages (reserved → attaching, attaching → attached) belong to one attach: dropped once the attachment
  // is gone, rolled back alike.
  const attachStage = (complete: TransitionSpec['complete']): TransitionSpec => ({
    kind: 'volume',
    id: volume.id,
    operation: 'attach',
    currentStatus: () => (attachmentOf() ? sim.state.volumes.get(volume.id)?.status : undefined),
    complete,
    fail: rollback,
  });
  sim.scheduler.schedule(
    attachStage(() => {
      const attachment = attachmentOf();
      if (!attachment) return;
      attachment.state = 'attaching';
      if (!alreadyInUse) volume.status = 'attaching';
      volume.updatedAt = cinderTime();
      sim.scheduler.schedule(
        attachStage(async () => {
          const result = await sim.backend.attach(volumeKey(volume.id), volume.id);
          attachment.devicePath = result.devicePath;
          attachment.state = 'attached';
          attachment.attachedAt = cinderTime();
          volume.status = 'in-use';
          volume.updatedAt = attachment.attachedAt;
          sim.serverChanged(server.id);
        }),
      );
    }),
  );
}

function detachVolume(sim: SimContext, call: ServiceCall) {
  const server = getServer(sim, call.params.server_id);
  const volumeId = call.params.volume_id;
  const volume = sim.state.volumes.get(volumeId);
  if (!volume) throw notFound(`Volume ${volumeId} could not be found.`);
  const bdm = findBdm(server, volumeId);
  const attachment = volume.attachments.find((a) => a.attachmentId === bdm.attachmentId);
  if (!attachment || attachment.state !== 'attached' || volume.status !== 'in-use') {
    throw badRequest(
      "Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.",
    );
  }
  attachment.state = 'detaching';
  volume.status = 'detaching';
  volume.updatedAt = cinderTime();
  sim.scheduler.schedule({
    kind: 'volume',
    id: volume.id,
    operation: 'detach',
    currentStatus: () => sim.state.volumes.get(volume.id)?.status,
    complete: async () => {
      const othersAttached = volume.attachments.some((a) => a !== attachment && a.state === 'attached');
      if (!othersAttached) await sim.backend.detach(volumeKey(volume.id));
      volume.attachments = volume.attachments.filter((a) => a !== attachment);
      server.bdms = server.bdms.filter((b) => b !== bdm);
      volume.status = othersAttached ? 'in-use' : 'available';
      volume.updatedAt = cinderTime();
      sim.serverChanged(server.id);
    },
    fail: (fault) => {
      // Nova rolls the detach back: the volume stays attached and in-use. No Cinder user message: Cinder has
      // no message action for a detach (a guest that keeps the disk is Nova's failure, seen in its instance
      // actions), so the cloud explains this one nowhere the driver can read.
      attachment.state = 'attached';
      volume.status = 'in-use';
      volume.fault = fault;
      volume.updatedAt = cinderTime();
    },
  });
  return { status: 202 };
}
