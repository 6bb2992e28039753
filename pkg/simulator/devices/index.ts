export type { AttachResult, BlockBackend, BlockBackendOptions } from './block-backend';
export { createBlockBackend, detectLoopSupport, type LoopSupport } from './create-block-backend';
export {
  BackendClosedError,
  BlockBackendError,
  ImageExistsError,
  ImageNotFoundError,
  InvalidSizeError,
  LinkConflictError,
} from './errors';
export type { CommandRunner, CommandResult } from './command';
