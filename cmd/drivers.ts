/** The drivers `npm run demo` and `npm run local` can run, for their `--driver` flag. */
import { cinderStackDriver } from '../pkg/cinder/stack-driver';
import { manilaStackDriver } from '../pkg/manila/stack-driver';
import { chooseDriver, type StackDriver } from '../pkg/stack';

export const STACK_DRIVERS: readonly StackDriver[] = [cinderStackDriver, manilaStackDriver];

export const DEFAULT_DRIVER = cinderStackDriver.name;

/** The driver `--driver <value>` names; throws with a message naming the flag otherwise. */
export function driverFromFlag(value: string): StackDriver {
  return chooseDriver(value, STACK_DRIVERS);
}

export const DRIVER_USAGE = `--driver ${STACK_DRIVERS.map((driver) => driver.name).join('|')} (default ${DEFAULT_DRIVER})`;
