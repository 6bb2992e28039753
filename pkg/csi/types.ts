/**
 * Friendly names for the CSI v1.12 messages, generated from proto/csi.proto into ./generated
 * (`npm run gen:proto`; a test fails if the committed files drift from the proto).
 *
 * Naming, so handler code reads naturally:
 *   - `XxxRequest`  = the request exactly as a handler receives it (proto-loader `__Output`: every field
 *                     present, defaults filled, int64 as decimal strings, enums as their string names,
 *                     oneofs carry a discriminator such as `access_type: 'mount' | 'block'`).
 *   - `XxxResponse` = what a handler returns (the permissive input type: fields optional, int64 may be
 *                     given as string or number, enums as names).
 *   - Every other message `Foo` (Volume, Snapshot, Topology, VolumeCapability, ...) is the input type,
 *     for building responses; `Foo__Output` is the same message as received inside a request.
 *   - Nested messages are flattened: VolumeCapability.AccessMode -> `AccessMode`, .MountVolume ->
 *     `MountVolume`, ListVolumesResponse.Entry -> `ListVolumesEntry`, etc. (each with `__Output`).
 *   - Enums are string unions with a same-named const object of their values, e.g.
 *     `AccessModeName` ('SINGLE_NODE_WRITER' | ...), `ControllerCapabilityName`, `NodeCapabilityName`.
 *   - google.protobuf wrappers: `BoolValue`/`Int64Value` are `{ value }`; `Timestamp` is `{ seconds, nanos }`.
 */

export type { BlockMetadata, BlockMetadata__Output } from './generated/csi/v1/BlockMetadata';
export type { CapacityRange, CapacityRange__Output } from './generated/csi/v1/CapacityRange';
export type { ControllerExpandVolumeRequest__Output as ControllerExpandVolumeRequest } from './generated/csi/v1/ControllerExpandVolumeRequest';
export type { ControllerExpandVolumeResponse, ControllerExpandVolumeResponse__Output } from './generated/csi/v1/ControllerExpandVolumeResponse';
export type { ControllerGetCapabilitiesRequest__Output as ControllerGetCapabilitiesRequest } from './generated/csi/v1/ControllerGetCapabilitiesRequest';
export type { ControllerGetCapabilitiesResponse, ControllerGetCapabilitiesResponse__Output } from './generated/csi/v1/ControllerGetCapabilitiesResponse';
export type { ControllerGetVolumeRequest__Output as ControllerGetVolumeRequest } from './generated/csi/v1/ControllerGetVolumeRequest';
export type { ControllerGetVolumeResponse, ControllerGetVolumeResponse__Output } from './generated/csi/v1/ControllerGetVolumeResponse';
export type { ControllerModifyVolumeRequest__Output as ControllerModifyVolumeRequest } from './generated/csi/v1/ControllerModifyVolumeRequest';
export type { ControllerModifyVolumeResponse, ControllerModifyVolumeResponse__Output } from './generated/csi/v1/ControllerModifyVolumeResponse';
export type { ControllerPublishVolumeRequest__Output as ControllerPublishVolumeRequest } from './generated/csi/v1/ControllerPublishVolumeRequest';
export type { ControllerPublishVolumeResponse, ControllerPublishVolumeResponse__Output } from './generated/csi/v1/ControllerPublishVolumeResponse';
export type { ControllerServiceCapability, ControllerServiceCapability__Output } from './generated/csi/v1/ControllerServiceCapability';
export type { ControllerUnpublishVolumeRequest__Output as ControllerUnpublishVolumeRequest } from './generated/csi/v1/ControllerUnpublishVolumeRequest';
export type { ControllerUnpublishVolumeResponse, ControllerUnpublishVolumeResponse__Output } from './generated/csi/v1/ControllerUnpublishVolumeResponse';
export type { CreateSnapshotRequest__Output as CreateSnapshotRequest } from './generated/csi/v1/CreateSnapshotRequest';
export type { CreateSnapshotResponse, CreateSnapshotResponse__Output } from './generated/csi/v1/CreateSnapshotResponse';
export type { CreateVolumeGroupSnapshotRequest__Output as CreateVolumeGroupSnapshotRequest } from './generated/csi/v1/CreateVolumeGroupSnapshotRequest';
export type { CreateVolumeGroupSnapshotResponse, CreateVolumeGroupSnapshotResponse__Output } from './generated/csi/v1/CreateVolumeGroupSnapshotResponse';
export type { CreateVolumeRequest__Output as CreateVolumeRequest } from './generated/csi/v1/CreateVolumeRequest';
export type { CreateVolumeResponse, CreateVolumeResponse__Output } from './generated/csi/v1/CreateVolumeResponse';
export type { DeleteSnapshotRequest__Output as DeleteSnapshotRequest } from './generated/csi/v1/DeleteSnapshotRequest';
export type { DeleteSnapshotResponse, DeleteSnapshotResponse__Output } from './generated/csi/v1/DeleteSnapshotResponse';
export type { DeleteVolumeGroupSnapshotRequest__Output as DeleteVolumeGroupSnapshotRequest } from './generated/csi/v1/DeleteVolumeGroupSnapshotRequest';
export type { DeleteVolumeGroupSnapshotResponse, DeleteVolumeGroupSnapshotResponse__Output } from './generated/csi/v1/DeleteVolumeGroupSnapshotResponse';
export type { DeleteVolumeRequest__Output as DeleteVolumeRequest } from './generated/csi/v1/DeleteVolumeRequest';
export type { DeleteVolumeResponse, DeleteVolumeResponse__Output } from './generated/csi/v1/DeleteVolumeResponse';
export type { GetCapacityRequest__Output as GetCapacityRequest } from './generated/csi/v1/GetCapacityRequest';
export type { GetCapacityResponse, GetCapacityResponse__Output } from './generated/csi/v1/GetCapacityResponse';
export type { GetMetadataAllocatedRequest__Output as GetMetadataAllocatedRequest } from './generated/csi/v1/GetMetadataAllocatedRequest';
export type { GetMetadataAllocatedResponse, GetMetadataAllocatedResponse__Output } from './generated/csi/v1/GetMetadataAllocatedResponse';
export type { GetMetadataDeltaRequest__Output as GetMetadataDeltaRequest } from './generated/csi/v1/GetMetadataDeltaRequest';
export type { GetMetadataDeltaResponse, GetMetadataDeltaResponse__Output } from './generated/csi/v1/GetMetadataDeltaResponse';
export type { GetPluginCapabilitiesRequest__Output as GetPluginCapabilitiesRequest } from './generated/csi/v1/GetPluginCapabilitiesRequest';
export type { GetPluginCapabilitiesResponse, GetPluginCapabilitiesResponse__Output } from './generated/csi/v1/GetPluginCapabilitiesResponse';
export type { GetPluginInfoRequest__Output as GetPluginInfoRequest } from './generated/csi/v1/GetPluginInfoRequest';
export type { GetPluginInfoResponse, GetPluginInfoResponse__Output } from './generated/csi/v1/GetPluginInfoResponse';
export type { GetSnapshotRequest__Output as GetSnapshotRequest } from './generated/csi/v1/GetSnapshotRequest';
export type { GetSnapshotResponse, GetSnapshotResponse__Output } from './generated/csi/v1/GetSnapshotResponse';
export type { GetVolumeGroupSnapshotRequest__Output as GetVolumeGroupSnapshotRequest } from './generated/csi/v1/GetVolumeGroupSnapshotRequest';
export type { GetVolumeGroupSnapshotResponse, GetVolumeGroupSnapshotResponse__Output } from './generated/csi/v1/GetVolumeGroupSnapshotResponse';
export type { GroupControllerGetCapabilitiesRequest__Output as GroupControllerGetCapabilitiesRequest } from './generated/csi/v1/GroupControllerGetCapabilitiesRequest';
export type { GroupControllerGetCapabilitiesResponse, GroupControllerGetCapabilitiesResponse__Output } from './generated/csi/v1/GroupControllerGetCapabilitiesResponse';
export type { GroupControllerServiceCapability, GroupControllerServiceCapability__Output } from './generated/csi/v1/GroupControllerServiceCapability';
export type { ListSnapshotsRequest__Output as ListSnapshotsRequest } from './generated/csi/v1/ListSnapshotsRequest';
export type { ListSnapshotsResponse, ListSnapshotsResponse__Output } from './generated/csi/v1/ListSnapshotsResponse';
export type { ListVolumesRequest__Output as ListVolumesRequest } from './generated/csi/v1/ListVolumesRequest';
export type { ListVolumesResponse, ListVolumesResponse__Output } from './generated/csi/v1/ListVolumesResponse';
export type { NodeExpandVolumeRequest__Output as NodeExpandVolumeRequest } from './generated/csi/v1/NodeExpandVolumeRequest';
export type { NodeExpandVolumeResponse, NodeExpandVolumeResponse__Output } from './generated/csi/v1/NodeExpandVolumeResponse';
export type { NodeGetCapabilitiesRequest__Output as NodeGetCapabilitiesRequest } from './generated/csi/v1/NodeGetCapabilitiesRequest';
export type { NodeGetCapabilitiesResponse, NodeGetCapabilitiesResponse__Output } from './generated/csi/v1/NodeGetCapabilitiesResponse';
export type { NodeGetInfoRequest__Output as NodeGetInfoRequest } from './generated/csi/v1/NodeGetInfoRequest';
export type { NodeGetInfoResponse, NodeGetInfoResponse__Output } from './generated/csi/v1/NodeGetInfoResponse';
export type { NodeGetVolumeStatsRequest__Output as NodeGetVolumeStatsRequest } from './generated/csi/v1/NodeGetVolumeStatsRequest';
export type { NodeGetVolumeStatsResponse, NodeGetVolumeStatsResponse__Output } from './generated/csi/v1/NodeGetVolumeStatsResponse';
export type { NodePublishVolumeRequest__Output as NodePublishVolumeRequest } from './generated/csi/v1/NodePublishVolumeRequest';
export type { NodePublishVolumeResponse, NodePublishVolumeResponse__Output } from './generated/csi/v1/NodePublishVolumeResponse';
export type { NodeServiceCapability, NodeServiceCapability__Output } from './generated/csi/v1/NodeServiceCapability';
export type { NodeStageVolumeRequest__Output as NodeStageVolumeRequest } from './generated/csi/v1/NodeStageVolumeRequest';
export type { NodeStageVolumeResponse, NodeStageVolumeResponse__Output } from './generated/csi/v1/NodeStageVolumeResponse';
export type { NodeUnpublishVolumeRequest__Output as NodeUnpublishVolumeRequest } from './generated/csi/v1/NodeUnpublishVolumeRequest';
export type { NodeUnpublishVolumeResponse, NodeUnpublishVolumeResponse__Output } from './generated/csi/v1/NodeUnpublishVolumeResponse';
export type { NodeUnstageVolumeRequest__Output as NodeUnstageVolumeRequest } from './generated/csi/v1/NodeUnstageVolumeRequest';
export type { NodeUnstageVolumeResponse, NodeUnstageVolumeResponse__Output } from './generated/csi/v1/NodeUnstageVolumeResponse';
export type { PluginCapability, PluginCapability__Output } from './generated/csi/v1/PluginCapability';
export type { ProbeRequest__Output as ProbeRequest } from './generated/csi/v1/ProbeRequest';
export type { ProbeResponse, ProbeResponse__Output } from './generated/csi/v1/ProbeResponse';
export type { Snapshot, Snapshot__Output } from './generated/csi/v1/Snapshot';
export type { Topology, Topology__Output } from './generated/csi/v1/Topology';
export type { TopologyRequirement, TopologyRequirement__Output } from './generated/csi/v1/TopologyRequirement';
export type { ValidateVolumeCapabilitiesRequest__Output as ValidateVolumeCapabilitiesRequest } from './generated/csi/v1/ValidateVolumeCapabilitiesRequest';
export type { ValidateVolumeCapabilitiesResponse, ValidateVolumeCapabilitiesResponse__Output } from './generated/csi/v1/ValidateVolumeCapabilitiesResponse';
export type { Volume, Volume__Output } from './generated/csi/v1/Volume';
export type { VolumeCapability, VolumeCapability__Output } from './generated/csi/v1/VolumeCapability';
export type { VolumeCondition, VolumeCondition__Output } from './generated/csi/v1/VolumeCondition';
export type { VolumeContentSource, VolumeContentSource__Output } from './generated/csi/v1/VolumeContentSource';
export type { VolumeGroupSnapshot, VolumeGroupSnapshot__Output } from './generated/csi/v1/VolumeGroupSnapshot';
export type { VolumeUsage, VolumeUsage__Output } from './generated/csi/v1/VolumeUsage';

// Nested messages, flattened.
export type {
  _csi_v1_VolumeCapability_AccessMode as AccessMode,
  _csi_v1_VolumeCapability_AccessMode__Output as AccessMode__Output,
  _csi_v1_VolumeCapability_BlockVolume as BlockVolume,
  _csi_v1_VolumeCapability_BlockVolume__Output as BlockVolume__Output,
  _csi_v1_VolumeCapability_MountVolume as MountVolume,
  _csi_v1_VolumeCapability_MountVolume__Output as MountVolume__Output,
} from './generated/csi/v1/VolumeCapability';
export type {
  _csi_v1_VolumeContentSource_SnapshotSource as SnapshotSource,
  _csi_v1_VolumeContentSource_SnapshotSource__Output as SnapshotSource__Output,
  _csi_v1_VolumeContentSource_VolumeSource as VolumeSource,
  _csi_v1_VolumeContentSource_VolumeSource__Output as VolumeSource__Output,
} from './generated/csi/v1/VolumeContentSource';
export type {
  _csi_v1_PluginCapability_Service as PluginCapabilityService,
  _csi_v1_PluginCapability_Service__Output as PluginCapabilityService__Output,
  _csi_v1_PluginCapability_VolumeExpansion as PluginCapabilityVolumeExpansion,
  _csi_v1_PluginCapability_VolumeExpansion__Output as PluginCapabilityVolumeExpansion__Output,
} from './generated/csi/v1/PluginCapability';
export type {
  _csi_v1_ControllerServiceCapability_RPC as ControllerServiceCapabilityRPC,
  _csi_v1_ControllerServiceCapability_RPC__Output as ControllerServiceCapabilityRPC__Output,
} from './generated/csi/v1/ControllerServiceCapability';
export type {
  _csi_v1_NodeServiceCapability_RPC as NodeServiceCapabilityRPC,
  _csi_v1_NodeServiceCapability_RPC__Output as NodeServiceCapabilityRPC__Output,
} from './generated/csi/v1/NodeServiceCapability';
export type {
  _csi_v1_GroupControllerServiceCapability_RPC as GroupControllerServiceCapabilityRPC,
  _csi_v1_GroupControllerServiceCapability_RPC__Output as GroupControllerServiceCapabilityRPC__Output,
} from './generated/csi/v1/GroupControllerServiceCapability';
export type {
  _csi_v1_ValidateVolumeCapabilitiesResponse_Confirmed as ValidateVolumeCapabilitiesConfirmed,
  _csi_v1_ValidateVolumeCapabilitiesResponse_Confirmed__Output as ValidateVolumeCapabilitiesConfirmed__Output,
} from './generated/csi/v1/ValidateVolumeCapabilitiesResponse';
export type {
  _csi_v1_ListVolumesResponse_Entry as ListVolumesEntry,
  _csi_v1_ListVolumesResponse_Entry__Output as ListVolumesEntry__Output,
  _csi_v1_ListVolumesResponse_VolumeStatus as ListVolumesVolumeStatus,
  _csi_v1_ListVolumesResponse_VolumeStatus__Output as ListVolumesVolumeStatus__Output,
} from './generated/csi/v1/ListVolumesResponse';
export type {
  _csi_v1_ControllerGetVolumeResponse_VolumeStatus as ControllerGetVolumeStatus,
  _csi_v1_ControllerGetVolumeResponse_VolumeStatus__Output as ControllerGetVolumeStatus__Output,
} from './generated/csi/v1/ControllerGetVolumeResponse';
export type {
  _csi_v1_ListSnapshotsResponse_Entry as ListSnapshotsEntry,
  _csi_v1_ListSnapshotsResponse_Entry__Output as ListSnapshotsEntry__Output,
} from './generated/csi/v1/ListSnapshotsResponse';

// google.protobuf well-known types used by CSI.
export type { BoolValue, BoolValue__Output } from './generated/google/protobuf/BoolValue';
export type { Int64Value, Int64Value__Output } from './generated/google/protobuf/Int64Value';
export type { Timestamp, Timestamp__Output } from './generated/google/protobuf/Timestamp';

// Enums: a string union (as received with enums=String) plus a const object of the names.
import { _csi_v1_VolumeCapability_AccessMode_Mode } from './generated/csi/v1/VolumeCapability';
import { _csi_v1_ControllerServiceCapability_RPC_Type } from './generated/csi/v1/ControllerServiceCapability';
import { _csi_v1_NodeServiceCapability_RPC_Type } from './generated/csi/v1/NodeServiceCapability';
import { _csi_v1_GroupControllerServiceCapability_RPC_Type } from './generated/csi/v1/GroupControllerServiceCapability';
import {
  _csi_v1_PluginCapability_Service_Type,
  _csi_v1_PluginCapability_VolumeExpansion_Type,
} from './generated/csi/v1/PluginCapability';
import { _csi_v1_VolumeUsage_Unit } from './generated/csi/v1/VolumeUsage';
import { BlockMetadataType as BlockMetadataTypeValues } from './generated/csi/v1/BlockMetadataType';

type ValueOf<T> = T[keyof T];

export const AccessModeName = _csi_v1_VolumeCapability_AccessMode_Mode;
export type AccessModeName = ValueOf<typeof AccessModeName>;
export const ControllerCapabilityName = _csi_v1_ControllerServiceCapability_RPC_Type;
export type ControllerCapabilityName = ValueOf<typeof ControllerCapabilityName>;
export const NodeCapabilityName = _csi_v1_NodeServiceCapability_RPC_Type;
export type NodeCapabilityName = ValueOf<typeof NodeCapabilityName>;
export const GroupControllerCapabilityName = _csi_v1_GroupControllerServiceCapability_RPC_Type;
export type GroupControllerCapabilityName = ValueOf<typeof GroupControllerCapabilityName>;
export const PluginServiceName = _csi_v1_PluginCapability_Service_Type;
export type PluginServiceName = ValueOf<typeof PluginServiceName>;
export const VolumeExpansionName = _csi_v1_PluginCapability_VolumeExpansion_Type;
export type VolumeExpansionName = ValueOf<typeof VolumeExpansionName>;
export const VolumeUsageUnitName = _csi_v1_VolumeUsage_Unit;
export type VolumeUsageUnitName = ValueOf<typeof VolumeUsageUnitName>;
export const BlockMetadataTypeName = BlockMetadataTypeValues;
export type BlockMetadataTypeName = ValueOf<typeof BlockMetadataTypeName>;
