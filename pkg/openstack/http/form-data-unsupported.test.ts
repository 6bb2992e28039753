import FormDataUnsupported from './form-data-unsupported';

describe('the form-data stand-in of the plugin bundles', () => {
  it('refuses to build a multipart body and says why', () => {
    expect(() => new FormDataUnsupported()).toThrow(/multipart\/form-data bodies are not supported.*form-data package/);
  });
});
