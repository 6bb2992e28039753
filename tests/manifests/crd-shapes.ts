/**
 * Structural schemas of the custom resources our manifests and examples use, transcribed from the CRDs
 * the owning projects publish (external-snapshotter v8.7 `client/config/crd`: snapshot.storage.k8s.io/v1
 * and groupsnapshot.storage.k8s.io/v1). No npm package ships these CRDs, so the fields we rely on are
 * written down here: unknown fields are errors, required fields and enums are enforced. Status is left
 * open (written by controllers, never by us).
 */

export type Shape =
  | { type: 'string' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'stringMap' }
  | { type: 'any' }
  | { type: 'array'; items: Shape }
  | { type: 'object'; fields: Record<string, Shape>; required?: readonly string[]; exactlyOneOf?: readonly string[] }
  /** A built-in Kubernetes type, checked with the API models (e.g. V1ObjectMeta). */
  | { type: 'k8s'; model: string };

const metadata: Shape = { type: 'k8s', model: 'V1ObjectMeta' };
const deletionPolicy: Shape = { type: 'enum', values: ['Delete', 'Retain'] };
const typeMeta = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata } as const;

const classShape: Shape = {
  type: 'object',
  fields: { ...typeMeta, driver: { type: 'string' }, parameters: { type: 'stringMap' }, deletionPolicy },
  required: ['driver', 'deletionPolicy'],
};

const labelSelector: Shape = { type: 'k8s', model: 'V1LabelSelector' };

/** Keyed by `apiVersion/kind`. */
export const CRD_SHAPES: Record<string, Shape> = {
  'snapshot.storage.k8s.io/v1/VolumeSnapshotClass': classShape,
  'snapshot.storage.k8s.io/v1/VolumeSnapshot': {
    type: 'object',
    fields: {
      ...typeMeta,
      spec: {
        type: 'object',
        fields: {
          source: {
            type: 'object',
            fields: { persistentVolumeClaimName: { type: 'string' }, volumeSnapshotContentName: { type: 'string' } },
            exactlyOneOf: ['persistentVolumeClaimName', 'volumeSnapshotContentName'],
          },
          volumeSnapshotClassName: { type: 'string' },
        },
        required: ['source'],
      },
      status: { type: 'any' },
    },
    required: ['spec'],
  },
  'groupsnapshot.storage.k8s.io/v1/VolumeGroupSnapshotClass': classShape,
  'groupsnapshot.storage.k8s.io/v1/VolumeGroupSnapshot': {
    type: 'object',
    fields: {
      ...typeMeta,
      spec: {
        type: 'object',
        fields: {
          source: {
            type: 'object',
            fields: { selector: labelSelector, volumeGroupSnapshotContentName: { type: 'string' } },
            exactlyOneOf: ['selector', 'volumeGroupSnapshotContentName'],
          },
          volumeGroupSnapshotClassName: { type: 'string' },
        },
        required: ['source'],
      },
      status: { type: 'any' },
    },
    required: ['spec'],
  },
};
