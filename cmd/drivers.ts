/**
 * The drivers `npm run demo` and `npm run local` can run, for their `--driver` flag. Manila is named
 * as upcoming so `--driver manila` says it is not there yet instead of calling it a typo.
 */
import { cinderStackDriver } from '../pkg/cinder/stack-driver';
import { chooseDriver, type StackDriver } from '../pkg/stack';

export const STACK_DRIVERS: readonly StackDriver[] = [cinderStackDriver];
const UPCOMING_DRIVERS = ['manila'];

export const DEFAULT_DRIVER = cinderStackDriver.name;

/** The driver `--driver <value>` names; throws with a message naming the flag otherwise. */
export function driverFromFlag(value: string): StackDriver {
  return chooseDriver(value, STACK_DRIVERS, UPCOMING_DRIVERS);
}

export const DRIVER_USAGE = `--driver ${STACK_DRIVERS.map((driver) => driver.name).join('|')} (default ${DEFAULT_DRIVER})`;
