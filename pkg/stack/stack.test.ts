/**
 * The harness itself, with the plugins served in-process and block devices off so it runs anywhere
 * (the e2e suite covers the process mode with real devices).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cinderStackDriver } from '../cinder/stack-driver';
import { describeLeftovers, runLifecycle } from './lifecycle';
import { startStack, type Stack } from './stack';
import { StepRunner } from './steps';

jest.setTimeout(120_000);

describe('startStack (in-process plugins, no devices)', () => {
  let stack: Stack | undefined;

  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it('wires controller and node to the simulator, runs the controller lifecycle and removes its directory', async () => {
    stack = await startStack({ driver: cinderStackDriver, pluginMode: 'in-process', devices: 'off', nodeName: 'harness-node' });
    const workDir = stack.workDir;
    expect(stack.devicesEnabled).toBe(false);
    expect(fs.existsSync(stack.cloudConfPath)).toBe(true);
    expect((await stack.node.node.NodeGetInfo({})).node_id).toBe(stack.nodeId);
    expect(stack.controllerProcess()).not.toBe(stack.nodeProcess());

    const runner = new StepRunner();
    await runLifecycle(stack, 'xfs', runner, { skipNodeSteps: 'test without devices' });
    expect(runner.records.filter((r) => r.status === 'failed')).toEqual([]);
    expect(runner.records.filter((r) => r.status === 'ok').map((r) => r.name)).toEqual(
      expect.arrayContaining(['CreateSnapshot', 'CreateVolume clone', 'DeleteVolume ×4', 'nothing left on the host']),
    );
    expect(runner.records.find((r) => r.name === 'NodeStageVolume (source)')).toMatchObject({
      status: 'skipped',
      detail: 'test without devices',
    });
    expect(describeLeftovers(await stack.leftovers())).toEqual([]);

    await stack.stop();
    stack = undefined;
    expect(fs.existsSync(workDir)).toBe(false);
  });

  it('serves both services on one socket when asked, and restarts that one plugin', async () => {
    const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-single-'));
    try {
      const socketPath = path.join(socketDir, 'csi.sock');
      stack = await startStack({ driver: cinderStackDriver, pluginMode: 'in-process', devices: 'off', singleSocket: socketPath });
      expect(stack.controllerProcess()).toBe(stack.nodeProcess());
      const caps = await stack.controller.identity.GetPluginCapabilities({});
      expect(caps.capabilities.map((c) => c.service?.type)).toContain('CONTROLLER_SERVICE');
      expect((await stack.node.node.NodeGetInfo({})).node_id).toBe(stack.nodeId);

      expect(await stack.restartNode()).toBe(0);
      expect((await stack.controller.node.NodeGetInfo({})).node_id).toBe(stack.nodeId);
      await stack.stop();
      stack = undefined;
      expect(fs.existsSync(socketPath)).toBe(false);
    } finally {
      fs.rmSync(socketDir, { recursive: true, force: true });
    }
  });
});
