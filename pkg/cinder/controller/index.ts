export { createCinderControllerService, CONTROLLER_CAPABILITIES, GROUP_CONTROLLER_CAPABILITIES } from './service';
export type { CinderControllerOptions } from './service';
export type { PvcAnnotationReader } from './context';
export { DEFAULT_WAIT_SCHEDULES } from './wait-schedules';
export type { ControllerWaitSchedules } from './wait-schedules';
