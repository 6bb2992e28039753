/** Errors the block backend throws; the simulator maps them to its own API errors. */
export class BlockBackendError extends Error {
  override readonly name: string = 'BlockBackendError';
}

export class ImageNotFoundError extends BlockBackendError {
  override readonly name = 'ImageNotFoundError';
  constructor(readonly key: string) {
    super(`no image for key ${JSON.stringify(key)}`);
  }
}

export class ImageExistsError extends BlockBackendError {
  override readonly name = 'ImageExistsError';
  constructor(readonly key: string) {
    super(`an image for key ${JSON.stringify(key)} already exists`);
  }
}

export class InvalidSizeError extends BlockBackendError {
  override readonly name = 'InvalidSizeError';
}

export class LinkConflictError extends BlockBackendError {
  override readonly name = 'LinkConflictError';
}

export class BackendClosedError extends BlockBackendError {
  override readonly name = 'BackendClosedError';
  constructor() {
    super('the block backend is closed');
  }
}
