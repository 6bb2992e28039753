/**
 * The gRPC codes the CSI spec allows each RPC to answer: the general Error Scheme table, the RPC's own
 * "Errors" table, and the codes of a call the plugin is "unable to complete" for a condition no table
 * lists (the spec only says "a non-ok gRPC code"): ours are the canonical codes for those conditions.
 * What stays forbidden: UNKNOWN, CANCELLED, DATA_LOSS, and ALREADY_EXISTS / OUT_OF_RANGE where the
 * RPC's table has no such condition.
 */
import { Code } from '../../pkg/csi/errors';

/** Error Scheme: missing/invalid field, permission denied, operation pending, not implemented, not authenticated. */
const GENERAL = [Code.OK, Code.INVALID_ARGUMENT, Code.PERMISSION_DENIED, Code.ABORTED, Code.UNIMPLEMENTED, Code.UNAUTHENTICATED];
/**
 * A call the plugin could not complete: a resource the request names does not exist (e.g. a snapshot's
 * source volume), a resource in a state the call cannot use, a quota, a cloud error, the cloud
 * unreachable, a wait that ran out.
 */
const UNABLE_TO_COMPLETE = [Code.NOT_FOUND, Code.FAILED_PRECONDITION, Code.RESOURCE_EXHAUSTED, Code.INTERNAL, Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED];

const { NOT_FOUND, ALREADY_EXISTS, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, OUT_OF_RANGE } = Code;

/** Each RPC's own "Errors" table (spec.md). */
const PER_RPC: Readonly<Record<string, readonly Code[]>> = {
  Probe: [FAILED_PRECONDITION],
  CreateVolume: [NOT_FOUND, ALREADY_EXISTS, RESOURCE_EXHAUSTED, OUT_OF_RANGE],
  DeleteVolume: [FAILED_PRECONDITION],
  ControllerPublishVolume: [NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, RESOURCE_EXHAUSTED],
  ControllerUnpublishVolume: [NOT_FOUND],
  ValidateVolumeCapabilities: [NOT_FOUND],
  ListVolumes: [],
  ControllerGetVolume: [NOT_FOUND],
  ControllerModifyVolume: [NOT_FOUND],
  CreateSnapshot: [ALREADY_EXISTS, RESOURCE_EXHAUSTED],
  DeleteSnapshot: [FAILED_PRECONDITION],
  ListSnapshots: [],
  GetSnapshot: [NOT_FOUND],
  ControllerExpandVolume: [NOT_FOUND, FAILED_PRECONDITION, OUT_OF_RANGE],
  NodeStageVolume: [NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION],
  NodeUnstageVolume: [NOT_FOUND],
  NodePublishVolume: [NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION],
  NodeUnpublishVolume: [NOT_FOUND],
  NodeGetVolumeStats: [NOT_FOUND],
  NodeExpandVolume: [NOT_FOUND, FAILED_PRECONDITION, OUT_OF_RANGE],
  CreateVolumeGroupSnapshot: [ALREADY_EXISTS, RESOURCE_EXHAUSTED],
  DeleteVolumeGroupSnapshot: [FAILED_PRECONDITION],
  GetVolumeGroupSnapshot: [NOT_FOUND],
};

export function allowedCodes(method: string): ReadonlySet<Code> {
  return new Set([...GENERAL, ...UNABLE_TO_COMPLETE, ...(PER_RPC[method] ?? [])]);
}

/** What the pipeline answers for an exception no handler turned into a CsiError: a bug, never allowed. */
export const UNHANDLED_ERROR_MESSAGE = /^internal error \(request [^)]*\)$/;
