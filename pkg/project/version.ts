/**
 * The project's name and version from package.json: the CSI vendor_version and the OpenStack
 * User-Agent both come from here. Read at run time (never imported, which would copy package.json into
 * dist/), so source (tsx), compiled (dist/) and test runs all report the same value.
 */
import * as fs from 'fs';
import * as path from 'path';

export const PROJECT_NAME = 'openstack-csi';

let cached: string | undefined;

export function packageVersion(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PROJECT_NAME && pkg.version) return (cached = pkg.version);
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`package.json of ${PROJECT_NAME} not found above ${__dirname}`);
}
