/**
 * The project version from package.json, reported as the CSI vendor_version. Looked up at run time
 * so source (tsx), compiled (dist/) and test runs all report the same value.
 */
import * as fs from 'fs';
import * as path from 'path';

const PROJECT_NAME = 'openstack-csi';

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
