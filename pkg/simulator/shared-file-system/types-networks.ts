/** Share types (`/types`, listed under both `share_types` and the legacy `volume_types`) and share networks. */
import { ApiFault, notFound, optionalString, requireObject } from '../http-kit';
import { atLeast } from '../microversion';
import type { ServiceCall, ServiceRoutes } from '../service-route';
import { cinderTime, newId, type ShareNetworkRecord, type ShareTypeRecord } from '../state';
import { findShareType, type ManilaSim } from './common';

export function registerShareTypes(routes: ServiceRoutes, sim: ManilaSim): void {
  routes.add('GET', '/types', (call) => {
    const types = [...sim.state.shareTypes.values()].map((t) => typeView(call, t));
    return { status: 200, body: { share_types: types, volume_types: types } };
  });
  routes.add('GET', '/types/default', (call) => {
    const t = findShareType(sim, 'default');
    if (!t) throw notFound('Default share type not found.');
    return { status: 200, body: { share_type: typeView(call, t), volume_type: typeView(call, t) } };
  });
  routes.add('GET', '/types/{type_id}', (call) => {
    const t = findShareType(sim, call.params.type_id);
    if (!t) throw notFound(`Share type ${call.params.type_id} not found.`);
    return { status: 200, body: { share_type: typeView(call, t), volume_type: typeView(call, t) } };
  });
}

/** `share_type_access:is_public` from 2.7 (`os-share-type-access:is_public` before), description 2.41, is_default 2.46. */
function typeView(call: ServiceCall, t: ShareTypeRecord): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: t.id,
    name: t.name,
    extra_specs: { ...t.extraSpecs },
    required_extra_specs: { driver_handles_share_servers: t.extraSpecs.driver_handles_share_servers ?? 'False' },
  };
  view[atLeast(call.version, '2.7') ? 'share_type_access:is_public' : 'os-share-type-access:is_public'] = t.isPublic;
  if (atLeast(call.version, '2.41')) view.description = t.description;
  if (atLeast(call.version, '2.46')) view.is_default = t.name === 'default';
  return view;
}

export function registerShareNetworks(routes: ServiceRoutes, sim: ManilaSim): void {
  routes.add('GET', '/share-networks', () => ({
    status: 200,
    body: { share_networks: [...sim.state.shareNetworks.values()].map((n) => ({ id: n.id, name: n.name })) },
  }));
  routes.add('GET', '/share-networks/detail', (call) => ({
    status: 200,
    body: { share_networks: [...sim.state.shareNetworks.values()].map((n) => networkView(call, n)) },
  }));
  routes.add('GET', '/share-networks/{share_network_id}', (call) => {
    const n = sim.state.shareNetworks.get(call.params.share_network_id);
    if (!n) throw notFound(`Share network ${call.params.share_network_id} could not be found.`);
    return { status: 200, body: { share_network: networkView(call, n) } };
  });
  routes.add('POST', '/share-networks', (call) => {
    const body = requireObject(call.body, 'share_network');
    if (sim.manilaQuotas.share_networks >= 0 && sim.state.shareNetworks.size >= sim.manilaQuotas.share_networks) {
      throw new ApiFault(413, `ShareNetworksLimitExceeded: Maximum number of share-networks allowed (${sim.manilaQuotas.share_networks}) exceeded.`);
    }
    const n = {
      id: newId(),
      name: optionalString(body, 'name') ?? null,
      description: optionalString(body, 'description') ?? null,
      neutronNetId: optionalString(body, 'neutron_net_id') ?? null,
      neutronSubnetId: optionalString(body, 'neutron_subnet_id') ?? null,
      createdAt: cinderTime(),
    };
    sim.state.shareNetworks.set(n.id, n);
    return { status: 200, body: { share_network: networkView(call, n) } };
  });
  routes.add('DELETE', '/share-networks/{share_network_id}', (call) => {
    const id = call.params.share_network_id;
    if (!sim.state.shareNetworks.has(id)) throw notFound(`Share network ${id} could not be found.`);
    if ([...sim.state.shares.values()].some((s) => s.shareNetworkId === id)) {
      throw new ApiFault(409, `Can not delete share network ${id}, it has shares.`);
    }
    sim.state.shareNetworks.delete(id);
    return { status: 202 };
  });
}

function networkView(call: ServiceCall, n: ShareNetworkRecord) {
  return {
    id: n.id,
    name: n.name,
    description: n.description,
    project_id: call.projectId,
    neutron_net_id: n.neutronNetId,
    neutron_subnet_id: n.neutronSubnetId,
    network_type: null,
    segmentation_id: null,
    cidr: null,
    ip_version: null,
    created_at: n.createdAt,
    updated_at: null,
  };
}
