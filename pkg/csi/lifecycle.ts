/**
 * Process lifecycle for plugin binaries: the first SIGTERM/SIGINT drains and exits 0; a second one
 * while draining exits at once with 1 (an operator who insists).
 */
import type { Logger } from '../log/logger';

export function exitOnSignals(shutdown: () => Promise<void>, logger: Logger): void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      logger.warn('second signal while shutting down; exiting now', { signal });
      process.exit(1);
    }
    shuttingDown = true;
    logger.info('shutting down', { signal });
    shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { error: err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
