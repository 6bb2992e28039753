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
export type { RequestLog, RequestRecord } from './request-log';
export type { TransitionLog, TransitionRecord } from './transitions';
