/** What every Manila node handler shares. */
import type { NodeIdentityResolver } from '../../driver-kit/instance-identity/node-identity';
import type { Logger } from '../../log/logger';
import type { ManilaClouds } from '../cloud-source';
import type { ShareProtocol } from '../constants';
import type { Partner } from './partner';

export interface ManilaNodeContext {
  clouds: ManilaClouds;
  protocol: ShareProtocol;
  partner: Partner;
  /** `--runtime-config-file`, re-read per call; '' = none. */
  runtimeConfigFile: string;
  identity: NodeIdentityResolver;
  withTopology: boolean;
  logger: Logger;
  /**
   * The `os-*` secrets NodeStage received, by volume ID: NodePublish carries no stage secrets, and a
   * StorageClass may set only the stage secret. Only an optimisation: after a restart NodePublish uses
   * its own secrets or the default credentials, and builds everything else from the share again.
   */
  stageCredentials: Map<string, Record<string, string>>;
}
