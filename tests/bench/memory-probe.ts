/**
 * Preloaded into the plugin process by the memory bench (`node --expose-gc --import tsx --import
 * <this file> cmd/cinder-csi-plugin/main.ts ...`): on SIGUSR2 it collects garbage (when exposed) and
 * writes `process.memoryUsage()` as JSON to $BENCH_MEMORY_FILE. The plugin itself is unchanged.
 */
import * as fs from 'node:fs';

const target = process.env.BENCH_MEMORY_FILE;
if (target) {
  process.on('SIGUSR2', () => {
    // Twice: the first pass may only queue finalizers that free more on the second.
    globalThis.gc?.();
    globalThis.gc?.();
    const temporary = `${target}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(process.memoryUsage()));
    fs.renameSync(temporary, target);
  });
}
