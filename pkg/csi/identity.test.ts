import { createIdentityService, validateDriverName } from './identity';
import { silentLogger } from '../log/logger';
import type { CallContext } from './handlers';

const ctx: CallContext = { requestId: 'r', method: 'Probe', logger: silentLogger };

describe('createIdentityService', () => {
  it('reports name, version and only the capabilities asked for', async () => {
    const identity = createIdentityService({
      driverName: 'cinder.csi.openstack.org',
      vendorVersion: '1.2.3',
      capabilities: { volumeExpansion: ['ONLINE', 'OFFLINE'], groupControllerService: true },
      ready: () => true,
    });
    await expect(identity.GetPluginInfo!({}, ctx)).resolves.toEqual({
      name: 'cinder.csi.openstack.org',
      vendor_version: '1.2.3',
      manifest: {},
    });
    await expect(identity.GetPluginCapabilities!({}, ctx)).resolves.toEqual({
      capabilities: [
        { service: { type: 'GROUP_CONTROLLER_SERVICE' } },
        { volume_expansion: { type: 'ONLINE' } },
        { volume_expansion: { type: 'OFFLINE' } },
      ],
    });
  });

  it('answers Probe from the readiness callback each time', async () => {
    let ready = false;
    const identity = createIdentityService({
      driverName: 'x.example.org',
      vendorVersion: '1',
      capabilities: {},
      ready: async () => ready,
    });
    await expect(identity.Probe!({}, ctx)).resolves.toEqual({ ready: { value: false } });
    ready = true;
    await expect(identity.Probe!({}, ctx)).resolves.toEqual({ ready: { value: true } });
  });

  it('lets a failing readiness check surface as an error (unhealthy, not "not ready")', async () => {
    const identity = createIdentityService({
      driverName: 'x.example.org',
      vendorVersion: '1',
      capabilities: {},
      ready: () => {
        throw new Error('metadata service unreachable');
      },
    });
    await expect(identity.Probe!({}, ctx)).rejects.toThrow('metadata service unreachable');
  });

  it('rejects invalid driver names and empty versions at construction', () => {
    expect(() => validateDriverName('a'.repeat(64))).toThrow(/invalid/);
    expect(() => validateDriverName('cinder_csi')).toThrow(/invalid/);
    expect(() => validateDriverName('.cinder')).toThrow(/invalid/);
    expect(() => validateDriverName('a'.repeat(63))).not.toThrow();
    expect(() =>
      createIdentityService({ driverName: 'ok.example', vendorVersion: ' ', capabilities: {}, ready: () => true }),
    ).toThrow(/vendor version/);
  });
});
