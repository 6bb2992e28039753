export { startSimulator, type Simulator, type SimServer, type SimulatorCredentials } from './simulator';
export type { SimulatorOptions, SimServerSpec, CinderQuotas, ManilaQuotas } from './options';
export type {
  SimulatorControl,
  FaultRule,
  FaultAction,
  FailureRule,
  HoldRule,
  Latency,
  RequestMatcher,
  ResourceKind,
} from './control';
export { seededRandom } from './control';
export type { RequestLog, RequestRecord } from './request-log';
export type { SharedFileSystemControl, ShareFailureRule } from './shared-file-system/control';
export type { SharedFileSystemOptions, ExportLocationProfile, AccessRuleProfile, AddressFamily } from './shared-file-system/behaviour';
export type { TransitionLog, TransitionRecord } from './transitions';
