/**
 * Pins the CSI v1.12 wire contract: every RPC, message, field number and enum value of proto/csi.proto.
 * A wrong, missing or renumbered field fails here. Sources the numbers were checked against are listed
 * at the top of proto/csi.proto.
 */
import * as fs from 'fs';
import type { MessageTypeDefinition, EnumTypeDefinition } from '@grpc/proto-loader';
import { CSI_PROTO_PATH, loadCsiPackageDefinition } from './proto-source';

interface FieldDescriptor {
  name: string;
  number: number;
  type: string;
  label: string;
}
interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
  nestedType: MessageDescriptor[];
  enumType: EnumDescriptor[];
  options: { mapEntry?: boolean } | null;
}
interface EnumDescriptor {
  name: string;
  value: { name: string; number: number }[];
}

const EXPECTED_MESSAGES: Record<string, string> = {
    "BlockMetadata": "byte_offset=1 size_bytes=2",
    "CapacityRange": "required_bytes=1 limit_bytes=2",
    "ControllerExpandVolumeRequest": "volume_id=1 capacity_range=2 secrets=3 volume_capability=4",
    "ControllerExpandVolumeResponse": "capacity_bytes=1 node_expansion_required=2",
    "ControllerGetCapabilitiesRequest": "",
    "ControllerGetCapabilitiesResponse": "capabilities=1",
    "ControllerGetVolumeRequest": "volume_id=1",
    "ControllerGetVolumeResponse": "volume=1 status=2",
    "ControllerGetVolumeResponse.VolumeStatus": "published_node_ids=1 volume_condition=2",
    "ControllerModifyVolumeRequest": "volume_id=1 secrets=2 mutable_parameters=3",
    "ControllerModifyVolumeResponse": "",
    "ControllerPublishVolumeRequest": "volume_id=1 node_id=2 volume_capability=3 readonly=4 secrets=5 volume_context=6",
    "ControllerPublishVolumeResponse": "publish_context=1",
    "ControllerServiceCapability": "rpc=1",
    "ControllerServiceCapability.RPC": "type=1",
    "ControllerUnpublishVolumeRequest": "volume_id=1 node_id=2 secrets=3",
    "ControllerUnpublishVolumeResponse": "",
    "CreateSnapshotRequest": "source_volume_id=1 name=2 secrets=3 parameters=4",
    "CreateSnapshotResponse": "snapshot=1",
    "CreateVolumeGroupSnapshotRequest": "name=1 source_volume_ids=2 secrets=3 parameters=4",
    "CreateVolumeGroupSnapshotResponse": "group_snapshot=1",
    "CreateVolumeRequest": "name=1 capacity_range=2 volume_capabilities=3 parameters=4 secrets=5 volume_content_source=6 accessibility_requirements=7 mutable_parameters=8",
    "CreateVolumeResponse": "volume=1",
    "DeleteSnapshotRequest": "snapshot_id=1 secrets=2",
    "DeleteSnapshotResponse": "",
    "DeleteVolumeGroupSnapshotRequest": "group_snapshot_id=1 snapshot_ids=2 secrets=3",
    "DeleteVolumeGroupSnapshotResponse": "",
    "DeleteVolumeRequest": "volume_id=1 secrets=2",
    "DeleteVolumeResponse": "",
    "GetCapacityRequest": "volume_capabilities=1 parameters=2 accessible_topology=3",
    "GetCapacityResponse": "available_capacity=1 maximum_volume_size=2 minimum_volume_size=3",
    "GetMetadataAllocatedRequest": "snapshot_id=1 starting_offset=2 max_results=3 secrets=4",
    "GetMetadataAllocatedResponse": "block_metadata_type=1 volume_capacity_bytes=2 block_metadata=3",
    "GetMetadataDeltaRequest": "base_snapshot_id=1 target_snapshot_id=2 starting_offset=3 max_results=4 secrets=5",
    "GetMetadataDeltaResponse": "block_metadata_type=1 volume_capacity_bytes=2 block_metadata=3",
    "GetPluginCapabilitiesRequest": "",
    "GetPluginCapabilitiesResponse": "capabilities=1",
    "GetPluginInfoRequest": "",
    "GetPluginInfoResponse": "name=1 vendor_version=2 manifest=3",
    "GetSnapshotRequest": "snapshot_id=1 secrets=2",
    "GetSnapshotResponse": "snapshot=1",
    "GetVolumeGroupSnapshotRequest": "group_snapshot_id=1 snapshot_ids=2 secrets=3",
    "GetVolumeGroupSnapshotResponse": "group_snapshot=1",
    "GroupControllerGetCapabilitiesRequest": "",
    "GroupControllerGetCapabilitiesResponse": "capabilities=1",
    "GroupControllerServiceCapability": "rpc=1",
    "GroupControllerServiceCapability.RPC": "type=1",
    "ListSnapshotsRequest": "max_entries=1 starting_token=2 source_volume_id=3 snapshot_id=4 secrets=5",
    "ListSnapshotsResponse": "entries=1 next_token=2",
    "ListSnapshotsResponse.Entry": "snapshot=1",
    "ListVolumesRequest": "max_entries=1 starting_token=2",
    "ListVolumesResponse": "entries=1 next_token=2",
    "ListVolumesResponse.VolumeStatus": "published_node_ids=1 volume_condition=2",
    "ListVolumesResponse.Entry": "volume=1 status=2",
    "NodeExpandVolumeRequest": "volume_id=1 volume_path=2 capacity_range=3 staging_target_path=4 volume_capability=5 secrets=6",
    "NodeExpandVolumeResponse": "capacity_bytes=1",
    "NodeGetCapabilitiesRequest": "",
    "NodeGetCapabilitiesResponse": "capabilities=1",
    "NodeGetInfoRequest": "",
    "NodeGetInfoResponse": "node_id=1 max_volumes_per_node=2 accessible_topology=3",
    "NodeGetVolumeStatsRequest": "volume_id=1 volume_path=2 staging_target_path=3",
    "NodeGetVolumeStatsResponse": "usage=1 volume_condition=2",
    "NodePublishVolumeRequest": "volume_id=1 publish_context=2 staging_target_path=3 target_path=4 volume_capability=5 readonly=6 secrets=7 volume_context=8",
    "NodePublishVolumeResponse": "",
    "NodeServiceCapability": "rpc=1",
    "NodeServiceCapability.RPC": "type=1",
    "NodeStageVolumeRequest": "volume_id=1 publish_context=2 staging_target_path=3 volume_capability=4 secrets=5 volume_context=6",
    "NodeStageVolumeResponse": "",
    "NodeUnpublishVolumeRequest": "volume_id=1 target_path=2",
    "NodeUnpublishVolumeResponse": "",
    "NodeUnstageVolumeRequest": "volume_id=1 staging_target_path=2",
    "NodeUnstageVolumeResponse": "",
    "PluginCapability": "service=1 volume_expansion=2",
    "PluginCapability.Service": "type=1",
    "PluginCapability.VolumeExpansion": "type=1",
    "ProbeRequest": "",
    "ProbeResponse": "ready=1",
    "Snapshot": "size_bytes=1 snapshot_id=2 source_volume_id=3 creation_time=4 ready_to_use=5 group_snapshot_id=6",
    "Topology": "segments=1",
    "TopologyRequirement": "requisite=1 preferred=2",
    "ValidateVolumeCapabilitiesRequest": "volume_id=1 volume_context=2 volume_capabilities=3 parameters=4 secrets=5 mutable_parameters=6",
    "ValidateVolumeCapabilitiesResponse": "confirmed=1 message=2",
    "ValidateVolumeCapabilitiesResponse.Confirmed": "volume_context=1 volume_capabilities=2 parameters=3 mutable_parameters=4",
    "Volume": "capacity_bytes=1 volume_id=2 volume_context=3 content_source=4 accessible_topology=5",
    "VolumeCapability": "block=1 mount=2 access_mode=3",
    "VolumeCapability.BlockVolume": "",
    "VolumeCapability.MountVolume": "fs_type=1 mount_flags=2 volume_mount_group=3",
    "VolumeCapability.AccessMode": "mode=1",
    "VolumeCondition": "abnormal=1 message=2",
    "VolumeContentSource": "snapshot=1 volume=2",
    "VolumeContentSource.SnapshotSource": "snapshot_id=1",
    "VolumeContentSource.VolumeSource": "volume_id=1",
    "VolumeGroupSnapshot": "group_snapshot_id=1 snapshots=2 creation_time=3 ready_to_use=4",
    "VolumeUsage": "available=1 total=2 used=3 unit=4",
};

const EXPECTED_ENUMS: Record<string, string> = {
    "ControllerServiceCapability.RPC.Type": "UNKNOWN=0 CREATE_DELETE_VOLUME=1 PUBLISH_UNPUBLISH_VOLUME=2 LIST_VOLUMES=3 GET_CAPACITY=4 CREATE_DELETE_SNAPSHOT=5 LIST_SNAPSHOTS=6 CLONE_VOLUME=7 PUBLISH_READONLY=8 EXPAND_VOLUME=9 LIST_VOLUMES_PUBLISHED_NODES=10 VOLUME_CONDITION=11 GET_VOLUME=12 SINGLE_NODE_MULTI_WRITER=13 MODIFY_VOLUME=14 GET_SNAPSHOT=15",
    "GroupControllerServiceCapability.RPC.Type": "UNKNOWN=0 CREATE_DELETE_GET_VOLUME_GROUP_SNAPSHOT=1",
    "NodeServiceCapability.RPC.Type": "UNKNOWN=0 STAGE_UNSTAGE_VOLUME=1 GET_VOLUME_STATS=2 EXPAND_VOLUME=3 VOLUME_CONDITION=4 SINGLE_NODE_MULTI_WRITER=5 VOLUME_MOUNT_GROUP=6",
    "PluginCapability.Service.Type": "UNKNOWN=0 CONTROLLER_SERVICE=1 VOLUME_ACCESSIBILITY_CONSTRAINTS=2 GROUP_CONTROLLER_SERVICE=3 SNAPSHOT_METADATA_SERVICE=4",
    "PluginCapability.VolumeExpansion.Type": "UNKNOWN=0 ONLINE=1 OFFLINE=2",
    "VolumeCapability.AccessMode.Mode": "UNKNOWN=0 SINGLE_NODE_WRITER=1 SINGLE_NODE_READER_ONLY=2 MULTI_NODE_READER_ONLY=3 MULTI_NODE_SINGLE_WRITER=4 MULTI_NODE_MULTI_WRITER=5 SINGLE_NODE_SINGLE_WRITER=6 SINGLE_NODE_MULTI_WRITER=7",
    "VolumeUsage.Unit": "UNKNOWN=0 BYTES=1 INODES=2",
  BlockMetadataType: 'UNKNOWN=0 FIXED_LENGTH=1 VARIABLE_LENGTH=2',
};

// service -> RPC -> [request, response, server-streaming]
const EXPECTED_SERVICES: Record<string, Record<string, [string, string, boolean]>> = {
  Identity: {
    GetPluginInfo: ['GetPluginInfoRequest', 'GetPluginInfoResponse', false],
    GetPluginCapabilities: ['GetPluginCapabilitiesRequest', 'GetPluginCapabilitiesResponse', false],
    Probe: ['ProbeRequest', 'ProbeResponse', false],
  },
  Controller: {
    CreateVolume: ['CreateVolumeRequest', 'CreateVolumeResponse', false],
    DeleteVolume: ['DeleteVolumeRequest', 'DeleteVolumeResponse', false],
    ControllerPublishVolume: ['ControllerPublishVolumeRequest', 'ControllerPublishVolumeResponse', false],
    ControllerUnpublishVolume: ['ControllerUnpublishVolumeRequest', 'ControllerUnpublishVolumeResponse', false],
    ValidateVolumeCapabilities: ['ValidateVolumeCapabilitiesRequest', 'ValidateVolumeCapabilitiesResponse', false],
    ListVolumes: ['ListVolumesRequest', 'ListVolumesResponse', false],
    GetCapacity: ['GetCapacityRequest', 'GetCapacityResponse', false],
    ControllerGetCapabilities: ['ControllerGetCapabilitiesRequest', 'ControllerGetCapabilitiesResponse', false],
    CreateSnapshot: ['CreateSnapshotRequest', 'CreateSnapshotResponse', false],
    DeleteSnapshot: ['DeleteSnapshotRequest', 'DeleteSnapshotResponse', false],
    ListSnapshots: ['ListSnapshotsRequest', 'ListSnapshotsResponse', false],
    GetSnapshot: ['GetSnapshotRequest', 'GetSnapshotResponse', false],
    ControllerExpandVolume: ['ControllerExpandVolumeRequest', 'ControllerExpandVolumeResponse', false],
    ControllerGetVolume: ['ControllerGetVolumeRequest', 'ControllerGetVolumeResponse', false],
    ControllerModifyVolume: ['ControllerModifyVolumeRequest', 'ControllerModifyVolumeResponse', false],
  },
  GroupController: {
    GroupControllerGetCapabilities: [
      'GroupControllerGetCapabilitiesRequest',
      'GroupControllerGetCapabilitiesResponse',
      false,
    ],
    CreateVolumeGroupSnapshot: ['CreateVolumeGroupSnapshotRequest', 'CreateVolumeGroupSnapshotResponse', false],
    DeleteVolumeGroupSnapshot: ['DeleteVolumeGroupSnapshotRequest', 'DeleteVolumeGroupSnapshotResponse', false],
    GetVolumeGroupSnapshot: ['GetVolumeGroupSnapshotRequest', 'GetVolumeGroupSnapshotResponse', false],
  },
  SnapshotMetadata: {
    GetMetadataAllocated: ['GetMetadataAllocatedRequest', 'GetMetadataAllocatedResponse', true],
    GetMetadataDelta: ['GetMetadataDeltaRequest', 'GetMetadataDeltaResponse', true],
  },
  Node: {
    NodeStageVolume: ['NodeStageVolumeRequest', 'NodeStageVolumeResponse', false],
    NodeUnstageVolume: ['NodeUnstageVolumeRequest', 'NodeUnstageVolumeResponse', false],
    NodePublishVolume: ['NodePublishVolumeRequest', 'NodePublishVolumeResponse', false],
    NodeUnpublishVolume: ['NodeUnpublishVolumeRequest', 'NodeUnpublishVolumeResponse', false],
    NodeGetVolumeStats: ['NodeGetVolumeStatsRequest', 'NodeGetVolumeStatsResponse', false],
    NodeExpandVolume: ['NodeExpandVolumeRequest', 'NodeExpandVolumeResponse', false],
    NodeGetCapabilities: ['NodeGetCapabilitiesRequest', 'NodeGetCapabilitiesResponse', false],
    NodeGetInfo: ['NodeGetInfoRequest', 'NodeGetInfoResponse', false],
  },
};

// Sizes and offsets must be int64 so they survive as decimal strings without losing precision.
const INT64_FIELDS = [
  'CapacityRange.required_bytes',
  'CapacityRange.limit_bytes',
  'Volume.capacity_bytes',
  'Snapshot.size_bytes',
  'GetCapacityResponse.available_capacity',
  'ControllerExpandVolumeResponse.capacity_bytes',
  'NodeExpandVolumeResponse.capacity_bytes',
  'NodeGetInfoResponse.max_volumes_per_node',
  'VolumeUsage.available',
  'VolumeUsage.total',
  'VolumeUsage.used',
  'BlockMetadata.byte_offset',
  'BlockMetadata.size_bytes',
  'GetMetadataAllocatedRequest.starting_offset',
  'GetMetadataDeltaRequest.starting_offset',
  'GetMetadataAllocatedResponse.volume_capacity_bytes',
];

const definition = loadCsiPackageDefinition();

function collect(): { messages: Map<string, MessageDescriptor>; enums: Map<string, EnumDescriptor> } {
  const messages = new Map<string, MessageDescriptor>();
  const enums = new Map<string, EnumDescriptor>();
  const walk = (prefix: string, message: MessageDescriptor): void => {
    messages.set(prefix, message);
    for (const e of message.enumType) enums.set(`${prefix}.${e.name}`, e);
    for (const nested of message.nestedType) {
      if (!nested.options?.mapEntry) walk(`${prefix}.${nested.name}`, nested);
    }
  };
  for (const [name, value] of Object.entries(definition)) {
    if (!name.startsWith('csi.v1.') || name.split('.').length !== 3) continue;
    const short = name.slice('csi.v1.'.length);
    if ((value as MessageTypeDefinition<unknown, unknown>).format === 'Protocol Buffer 3 DescriptorProto') {
      walk(short, (value as MessageTypeDefinition<unknown, unknown>).type as unknown as MessageDescriptor);
    } else if ((value as EnumTypeDefinition).format === 'Protocol Buffer 3 EnumDescriptorProto') {
      enums.set(short, (value as EnumTypeDefinition).type as unknown as EnumDescriptor);
    }
  }
  return { messages, enums };
}

const { messages, enums } = collect();
const describeFields = (m: MessageDescriptor): string => m.field.map((f) => `${f.name}=${f.number}`).join(' ');

describe('proto/csi.proto matches CSI v1.12.0', () => {
  it('declares package csi.v1', () => {
    expect(fs.readFileSync(CSI_PROTO_PATH, 'utf8')).toMatch(/^package csi\.v1;$/m);
  });

  it('has exactly the v1.12 messages', () => {
    expect([...messages.keys()].sort()).toEqual(Object.keys(EXPECTED_MESSAGES).sort());
  });

  it.each(Object.entries(EXPECTED_MESSAGES))('%s has the right field names and numbers', (name, fields) => {
    expect(describeFields(messages.get(name)!)).toBe(fields);
  });

  it('has exactly the v1.12 enums with the right values', () => {
    const actual = Object.fromEntries(
      [...enums.entries()].map(([name, e]) => [name, e.value.map((v) => `${v.name}=${v.number}`).join(' ')]),
    );
    expect(actual).toEqual(EXPECTED_ENUMS);
  });

  it.each(Object.entries(EXPECTED_SERVICES))('service %s has every v1.12 RPC', (service, rpcs) => {
    const svc = definition[`csi.v1.${service}`] as unknown as Record<
      string,
      { path: string; requestStream: boolean; responseStream: boolean; requestType: { type: { name: string } }; responseType: { type: { name: string } } }
    >;
    expect(Object.keys(svc).sort()).toEqual(Object.keys(rpcs).sort());
    for (const [rpc, [request, response, streaming]] of Object.entries(rpcs)) {
      const method = svc[rpc];
      expect(method.path).toBe(`/csi.v1.${service}/${rpc}`);
      expect([method.requestType.type.name, method.responseType.type.name]).toEqual([request, response]);
      expect(method.requestStream).toBe(false);
      expect(method.responseStream).toBe(streaming);
    }
  });

  it.each(INT64_FIELDS)('%s is int64', (qualified) => {
    const [message, fieldName] = [qualified.slice(0, qualified.lastIndexOf('.')), qualified.slice(qualified.lastIndexOf('.') + 1)];
    const field = messages.get(message)!.field.find((f) => f.name === fieldName)!;
    expect(field.type).toBe('TYPE_INT64');
  });

  it('marks every secrets field with (csi_secret) = true', () => {
    const source = fs.readFileSync(CSI_PROTO_PATH, 'utf8');
    const secretLines = source.split('\n').filter((line) => /^\s*map<string, string> secrets = \d+/.test(line));
    const secretFields = [...messages.values()].flatMap((m) => m.field.filter((f) => f.name === 'secrets'));
    expect(secretLines).toHaveLength(secretFields.length);
    expect(secretLines.length).toBeGreaterThanOrEqual(19);
    for (const line of secretLines) expect(line).toMatch(/\[\(csi_secret\) = true\];/);
  });

  it('round-trips int64 values beyond 2^53 as exact decimal strings', () => {
    const type = definition['csi.v1.CreateVolumeRequest'] as MessageTypeDefinition<unknown, unknown>;
    const csi = definition['csi.v1.Controller'] as unknown as Record<
      string,
      { requestSerialize: (v: unknown) => Buffer; requestDeserialize: (b: Buffer) => unknown }
    >;
    expect(type).toBeDefined();
    const bytes = csi.CreateVolume.requestSerialize({ name: 'v', capacity_range: { required_bytes: '9223372036854775807' } });
    const decoded = csi.CreateVolume.requestDeserialize(bytes) as { capacity_range: { required_bytes: string; limit_bytes: string }; volume_capabilities: unknown[] };
    expect(decoded.capacity_range.required_bytes).toBe('9223372036854775807');
    // defaults: true fills absent scalars and repeated fields.
    expect(decoded.capacity_range.limit_bytes).toBe('0');
    expect(decoded.volume_capabilities).toEqual([]);
  });
});
