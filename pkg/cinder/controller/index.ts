export { createCinderControllerService, CONTROLLER_CAPABILITIES, GROUP_CONTROLLER_CAPABILITIES } from './service';
export type { CinderControllerOptions } from './service';
export type { PvcAnnotationReader } from './context';
export type { ControllerWaitSchedules } from './context';
