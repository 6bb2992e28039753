import { DEFAULT_DRIVER, driverFromFlag } from './drivers';

describe('--driver', () => {
  it('names the Cinder driver, the default', () => {
    expect(DEFAULT_DRIVER).toBe('cinder');
    const driver = driverFromFlag('cinder');
    expect(driver.name).toBe('cinder');
    expect(driver.entryPoint).toMatch(/cmd\/cinder-csi-plugin\/main\.ts$/);
    expect(driver.lifecycle.kinds).toEqual(['ext4', 'xfs', 'block']);
  });

  it('names the Manila driver: manila-csi-plugin serving NFS, its share lifecycle', () => {
    const driver = driverFromFlag('manila');
    expect(driver.name).toBe('manila');
    expect(driver.entryPoint).toMatch(/cmd\/manila-csi-plugin\/main\.ts$/);
    expect(driver.lifecycle.kinds).toEqual(['nfs']);
    expect(driver.startNodeCompanions).toBeDefined();
  });

  it('rejects anything else naming the flag and the choices', () => {
    expect(() => driverFromFlag('nfs')).toThrow('invalid value "nfs" for --driver: choose from cinder, manila');
    expect(() => driverFromFlag('')).toThrow('invalid value "" for --driver: choose from cinder, manila');
  });
});
