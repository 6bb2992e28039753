/**
 * Instance metadata for the node plugin: `openstack/latest/meta_data.json` per server over HTTP
 * (`/metadata/<serverId>/...`, and at the root for the default server, like 169.254.169.254) and in a
 * config-drive directory per server that is rewritten whenever the server's devices change.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { ApiFault, type Router } from './http-kit';
import type { ServerRecord, SimContext } from './state';

export function metaData(sim: SimContext, server: ServerRecord, projectId: string): Record<string, unknown> {
  const attached = server.bdms.filter((b) => {
    const v = sim.state.volumes.get(b.volumeId);
    return v?.attachments.some((a) => a.attachmentId === b.attachmentId && a.state === 'attached');
  });
  return {
    uuid: server.id,
    name: server.name,
    hostname: server.name,
    availability_zone: server.availabilityZone,
    project_id: projectId,
    launch_index: 0,
    meta: {},
    public_keys: {},
    keys: [],
    devices: attached.map((b) => ({ type: 'disk', bus: 'virtio', serial: b.volumeId, path: b.device, tags: b.tag ? [b.tag] : [] })),
  };
}

export function registerMetadata(router: Router, sim: SimContext, defaultServerId: () => string | undefined): void {
  const serve = (serverId: string | undefined) => {
    const server = serverId ? sim.state.servers.get(serverId) : undefined;
    if (!server) throw new ApiFault(404, 'Not Found', {}, { message: 'Not Found' });
    return { status: 200, body: metaData(sim, server, sim.identity.project.id) };
  };
  router.add('GET', '/metadata/{server_id}/openstack/latest/meta_data.json', (ctx) => serve(ctx.params.server_id));
  router.add('GET', '/openstack/latest/meta_data.json', () => serve(defaultServerId()));
}

/** Keeps `<root>/<serverId>/openstack/latest/meta_data.json` current; writes are serialised per server. */
export class ConfigDrives {
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    readonly root: string,
    private readonly sim: SimContext,
  ) {}

  dirFor(serverId: string): string {
    return path.join(this.root, serverId);
  }

  refresh(serverId: string): Promise<void> {
    const previous = this.pending.get(serverId) ?? Promise.resolve();
    const next = previous.then(() => this.write(serverId)).catch((err) => {
      this.sim.logger.warn('config drive write failed', { serverId, err });
    });
    this.pending.set(serverId, next);
    return next;
  }

  async flush(): Promise<void> {
    await Promise.all(this.pending.values());
  }

  private async write(serverId: string): Promise<void> {
    const server = this.sim.state.servers.get(serverId);
    if (!server) return;
    const dir = path.join(this.dirFor(serverId), 'openstack', 'latest');
    await fsp.mkdir(dir, { recursive: true });
    const file = path.join(dir, 'meta_data.json');
    const tmp = `${file}.tmp`;
    await fsp.writeFile(tmp, JSON.stringify(metaData(this.sim, server, this.sim.identity.project.id)));
    await fsp.rename(tmp, file);
  }
}
