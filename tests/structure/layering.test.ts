/**
 * The package layering the developers' guide sets out: `pkg/csi` knows nothing of OpenStack,
 * `pkg/openstack` nothing of CSI, and neither (nor the driver kit or the run harness) imports a driver,
 * so a second driver is added beside `pkg/cinder` without touching them.
 */
import * as path from 'node:path';
import { isTestCode, localImports, sourceFiles } from './imports';

const DRIVERS = ['cinder', 'manila'];

/** Production modules of `pkg/<folder>` that import one of `forbidden` (pkg folders). */
function offences(folder: string, forbidden: readonly string[]): string[] {
  return sourceFiles(path.join('pkg', folder))
    .filter((file) => !isTestCode(file))
    .flatMap((file) =>
      localImports(file)
        .filter((target) => {
          const [top, pkg] = target.split(path.sep);
          return top === 'pkg' && forbidden.includes(pkg);
        })
        .map((target) => `${file} imports ${target}`),
    );
}

describe('package layering', () => {
  it.each([
    ['csi', ['openstack', 'driver-kit', 'stack', 'simulator', ...DRIVERS]],
    ['openstack', ['csi', 'driver-kit', 'stack', 'simulator', ...DRIVERS]],
    ['driver-kit', ['stack', 'simulator', ...DRIVERS]],
    ['stack', DRIVERS],
  ])('pkg/%s imports none of %j', (folder, forbidden) => {
    expect(sourceFiles(path.join('pkg', folder)).length).toBeGreaterThan(3);
    expect(offences(folder, forbidden)).toEqual([]);
  });
});
