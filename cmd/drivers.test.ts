import { DEFAULT_DRIVER, driverFromFlag } from './drivers';

describe('--driver', () => {
  it('names the Cinder driver, the default', () => {
    expect(DEFAULT_DRIVER).toBe('cinder');
    const driver = driverFromFlag('cinder');
    expect(driver.name).toBe('cinder');
    expect(driver.entryPoint).toMatch(/cmd\/cinder-csi-plugin\/main\.ts$/);
    expect(driver.lifecycle.kinds).toEqual(['ext4', 'xfs', 'block']);
  });

  it('says Manila is not there yet rather than calling it a typo', () => {
    expect(() => driverFromFlag('manila')).toThrow('--driver manila: the manila driver is not implemented yet; available: cinder');
  });

  it('rejects anything else naming the flag and the choices', () => {
    expect(() => driverFromFlag('nfs')).toThrow('invalid value "nfs" for --driver: choose from cinder');
    expect(() => driverFromFlag('')).toThrow('invalid value "" for --driver: choose from cinder');
  });
});
