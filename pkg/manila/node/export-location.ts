/**
 * Choosing the export location a node mounts: skip admin-only and empty paths, keep those whose address
 * is in the runtime config's `nfs.matchExportLocationAddress` CIDR (when set), prefer `preferred`, else the
 * first. Paths are `host:/path` (NFS; IPv6 hosts bracketed) or `mon1:port,mon2:port:/path` (CephFS), split
 * on the last `:` before the path.
 */
import { BlockList, isIP } from 'node:net';
import { failedPrecondition } from '../../csi/errors';
import type { ShareExportLocation } from '../../openstack/api';

export interface SplitLocation {
  /** NFS server (IPv6 in brackets) or CephFS monitor list. */
  host: string;
  path: string;
}

export function splitExportPath(exportPath: string): SplitLocation {
  const index = exportPath.lastIndexOf(':');
  if (index <= 0 || index === exportPath.length - 1) throw failedPrecondition(`export location "${exportPath}" is not host:path`);
  let host = exportPath.slice(0, index);
  // A bare IPv6 address would make "server:path" ambiguous for the partner: bracket it.
  if (isIP(host) === 6) host = `[${host}]`;
  return { host, path: exportPath.slice(index + 1) };
}

function unbracket(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}

function cidrMatcher(cidr: string): (host: string) => boolean {
  const [address, prefixText] = cidr.trim().split('/');
  const family = isIP(address);
  const prefix = Number(prefixText);
  if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
    throw failedPrecondition(`runtime config nfs.matchExportLocationAddress "${cidr}" is not a CIDR (e.g. 10.0.0.0/8)`);
  }
  const list = new BlockList();
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return (host) => {
    const ip = unbracket(host);
    const ipFamily = isIP(ip);
    return ipFamily !== 0 && list.check(ip, ipFamily === 4 ? 'ipv4' : 'ipv6');
  };
}

export function chooseExportLocation(
  shareId: string,
  locations: readonly ShareExportLocation[],
  matchAddress?: string,
): ShareExportLocation {
  let usable = locations.filter((location) => !location.is_admin_only && location.path.trim() !== '');
  if (usable.length === 0) throw failedPrecondition(`share ${shareId} has no usable export location`);
  if (matchAddress) {
    const matches = cidrMatcher(matchAddress);
    usable = usable.filter((location) => matches(splitExportPath(location.path).host));
    if (usable.length === 0) {
      throw failedPrecondition(`no export location of share ${shareId} is in ${matchAddress} (runtime config nfs.matchExportLocationAddress)`);
    }
  }
  return usable.find((location) => location.preferred) ?? usable[0];
}
