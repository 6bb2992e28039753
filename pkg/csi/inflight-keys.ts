/**
 * Which resource each RPC works on, for the in-flight guard. Calls not listed here are read-only or
 * node-global and are never refused. An empty identifier yields no key: the handler's own validation
 * answers INVALID_ARGUMENT.
 */
type Request = Record<string, unknown>;
type KeyFn = (request: Request) => string | undefined;

const field = (request: Request, name: string): string => {
  const value = request[name];
  return typeof value === 'string' ? value : '';
};

const by =
  (label: string, name: string): KeyFn =>
  (request) => {
    const id = field(request, name);
    return id === '' ? undefined : `${label} ${id}`;
  };

const volumeOnNode: KeyFn = (request) => {
  const volumeId = field(request, 'volume_id');
  const nodeId = field(request, 'node_id');
  return volumeId === '' || nodeId === '' ? undefined : `volume ${volumeId} on node ${nodeId}`;
};

const KEYS: Record<string, KeyFn> = {
  CreateVolume: by('volume name', 'name'),
  DeleteVolume: by('volume', 'volume_id'),
  ControllerPublishVolume: volumeOnNode,
  ControllerUnpublishVolume: volumeOnNode,
  ControllerExpandVolume: by('volume', 'volume_id'),
  ControllerModifyVolume: by('volume', 'volume_id'),
  CreateSnapshot: by('snapshot name', 'name'),
  DeleteSnapshot: by('snapshot', 'snapshot_id'),
  NodeStageVolume: by('volume', 'volume_id'),
  NodeUnstageVolume: by('volume', 'volume_id'),
  NodePublishVolume: by('volume', 'volume_id'),
  NodeUnpublishVolume: by('volume', 'volume_id'),
  NodeExpandVolume: by('volume', 'volume_id'),
  CreateVolumeGroupSnapshot: by('group snapshot name', 'name'),
  DeleteVolumeGroupSnapshot: by('group snapshot', 'group_snapshot_id'),
};

export function inFlightKey(method: string, request: unknown): string | undefined {
  const keyFn = KEYS[method];
  if (!keyFn || request === null || typeof request !== 'object') return undefined;
  return keyFn(request as Request);
}
