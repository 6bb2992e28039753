/**
 * The kubelet-root rule: every staging, target and volume path the node service touches must resolve
 * (symlinks followed, no `..` segments) to a path strictly inside the kubelet directory (`--kubelet-dir`,
 * `/var/lib/kubelet` by default, as CPO and EBS deployments mount it). Anything else is a malformed
 * request: the plugin never mounts over, unmounts from or deletes a path outside it.
 */
import * as path from 'node:path';
import { invalidArgument } from '../../csi/errors';
import type { Mounter } from '../../mounter';
import type { NodeContext } from './context';

export const DEFAULT_KUBELET_DIR = '/var/lib/kubelet';

/** `requested` (absolute, already checked for NUL) resolved inside `kubeletDir`, or INVALID_ARGUMENT naming the rule. */
export async function resolveInsideKubeletDir(
  mounter: Mounter,
  kubeletDir: string,
  requested: string,
  field: string,
): Promise<string> {
  if (requested.split('/').includes('..')) {
    throw invalidArgument(`${field} "${requested}" must not contain ".." segments; give the path kubelet created, inside ${kubeletDir}`);
  }
  const [root, resolved] = await Promise.all([mounter.realPath(kubeletDir), mounter.realPath(requested)]);
  if (!resolved.startsWith(root === '/' ? '/' : `${root}/`) || resolved === root) {
    throw invalidArgument(
      `${field} "${requested}" resolves to ${resolved}, which is not inside the kubelet directory ${kubeletDir}: ` +
        'staging and target paths must be inside it (set --kubelet-dir if kubelet uses another root)',
    );
  }
  return path.normalize(resolved);
}

/** `resolveInsideKubeletDir` with the service's mounter and `--kubelet-dir`. */
export function kubeletPath(node: NodeContext, requested: string, field: string): Promise<string> {
  return resolveInsideKubeletDir(node.mounter, node.kubeletDir, requested, field);
}
