/**
 * A driver's services built and served inside this process from the same flags its binary takes:
 * for debugging with breakpoints and for fast tests. Same wiring as the binary (the driver's service
 * builder), no signals, no metrics endpoint.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startCsiServer } from '../csi/server';
import { createLogger } from '../log/logger';
import type { StackDriver } from './driver';
import type { PluginProcess, PluginProcessOptions } from './plugin-process';

export async function startPluginInProcess(
  options: Pick<PluginProcessOptions, 'name' | 'args' | 'socketPath' | 'logFile' | 'readyTimeoutMs'> & {
    driver: StackDriver;
  },
): Promise<PluginProcess> {
  const parsed = options.driver.parseInProcess(options.args);
  const logFile = options.logFile;
  if (logFile !== 'inherit') fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const logger = createLogger({
    verbosity: parsed.verbosity,
    fields: { component: options.driver.component, plugin: options.name },
    ...(logFile === 'inherit' ? {} : { sink: (line: string) => fs.appendFileSync(logFile, line + '\n') }),
  });
  const plugin = await parsed.build(logger);
  const server = await startCsiServer({ endpoint: parsed.endpoint, services: plugin.services, logger });
  // Ready as the process mode defines it: what Probe would answer.
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (!(await plugin.ready())) {
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${options.name} plugin (in-process) was not ready within ${options.readyTimeoutMs ?? 30_000} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  let stopped: Promise<number> | undefined;
  return {
    name: options.name,
    pid: process.pid,
    socketPath: options.socketPath,
    exitCode: () => null,
    running: () => stopped === undefined,
    stop() {
      stopped ??= (async () => {
        await server.stop();
        await plugin.close();
        return 0;
      })();
      return stopped;
    },
  };
}
