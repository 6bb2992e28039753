/**
 * What every device-backed e2e suite shares: skip with the reason when loop devices are unavailable,
 * one stack (simulator + plugin processes) per suite, plugin logs in a stable file per suite.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startStack, type Stack } from '../../pkg/stack';
import { cinderStackDriver } from '../../pkg/cinder/stack-driver';
import { canUseLoopDevices } from '../../pkg/mounter/host-capabilities';

export const canUseLoop = canUseLoopDevices;
const SKIP_REASON = 'needs root and /dev/loop-control for loop devices and mounts';

export interface StackSuite {
  /** The running stack (valid inside tests). */
  stack(): Stack;
  /** Plugin logs of the last run of this suite, overwritten each time: read them when a test fails. */
  logFile: string;
}

export function describeWithStack(title: string, logName: string, body: (suite: StackSuite) => void): void {
  const logFile = path.join(os.tmpdir(), 'openstack-csi-e2e', `${logName}.log`);
  if (!canUseLoop) {
    // Jest lists nothing for a wholly skipped file, so say why on the console as well.
    console.warn(`${title}: SKIPPED, ${SKIP_REASON}`);
    describe.skip(`${title} (SKIPPED: ${SKIP_REASON})`, () => body({ stack: () => undefined as never, logFile }));
    return;
  }
  describe(title, () => {
    let stack: Stack | undefined;
    beforeAll(async () => {
      fs.rmSync(logFile, { force: true });
      stack = await startStack({ driver: cinderStackDriver, devices: 'required', logFile });
    }, 240_000);
    afterAll(async () => {
      await stack?.stop();
    }, 120_000);
    body({
      stack: () => {
        if (!stack) throw new Error(`the stack did not start; see ${logFile}`);
        return stack;
      },
      logFile,
    });
  });
}
