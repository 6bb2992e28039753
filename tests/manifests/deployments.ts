/**
 * The drivers this repository deploys, as the manifest tests see them: where each one's plain manifests
 * and overlays are, and the CPO names its objects keep (a drop-in must not rename them).
 */
import * as path from 'node:path';
import { REPO_ROOT } from './manifest-files';

export interface Deployment {
  /** Short name used in test titles. */
  name: string;
  /** The folder `kubectl apply -f` installs (with an extensionless Kustomization for `-k`). */
  plainDir: string;
  /** Folders under manifests/kustomize/overlays built on this driver's base. */
  overlays: readonly string[];
  /** CSIDriver objects of the base install. */
  csiDrivers: readonly string[];
  controller: { statefulSet: string; serviceAccount: string };
  node: { daemonSet: string; serviceAccount: string };
  /** The plugin's container in both workloads. */
  pluginContainer: string;
}

export const NAMESPACE = 'kube-system';
export const KUSTOMIZE_DIR = path.join(REPO_ROOT, 'manifests', 'kustomize');

export const CINDER: Deployment = {
  name: 'cinder',
  plainDir: path.join(REPO_ROOT, 'manifests', 'cinder-csi-plugin'),
  overlays: ['group-snapshots', 'volume-modify', 'storage-capacity', 'all'],
  csiDrivers: ['cinder.csi.openstack.org'],
  controller: { statefulSet: 'csi-cinder-controllerplugin', serviceAccount: 'csi-cinder-controller-sa' },
  node: { daemonSet: 'csi-cinder-nodeplugin', serviceAccount: 'csi-cinder-node-sa' },
  pluginContainer: 'cinder-csi-plugin',
};

export const MANILA: Deployment = {
  name: 'manila',
  plainDir: path.join(REPO_ROOT, 'manifests', 'manila-csi-plugin'),
  overlays: ['manila-cephfs', 'manila-nfs-node-access'],
  csiDrivers: ['nfs.manila.csi.openstack.org'],
  controller: { statefulSet: 'openstack-manila-csi-controllerplugin', serviceAccount: 'openstack-manila-csi-controllerplugin' },
  node: { daemonSet: 'openstack-manila-csi-nodeplugin', serviceAccount: 'openstack-manila-csi-nodeplugin' },
  pluginContainer: 'manila-csi-plugin',
};

export const DEPLOYMENTS: readonly Deployment[] = [CINDER, MANILA];

export const overlayDir = (overlay: string): string => path.join(KUSTOMIZE_DIR, 'overlays', overlay);
