/**
 * Stands in for the `form-data` package in the plugin bundles (tools/build.ts aliases it here). axios
 * requires form-data when it loads, and form-data's own dependencies (get-intrinsic & co., which
 * enumerate every JavaScript intrinsic) cost ~7 MiB of RSS, yet the driver never sends a multipart body:
 * every OpenStack request is JSON. Should a multipart body ever be built, this says why it cannot be.
 */
export default class FormDataUnsupported {
  constructor() {
    throw new Error('multipart/form-data bodies are not supported: the plugin bundle leaves out the form-data package (every OpenStack request is JSON)');
  }
}
