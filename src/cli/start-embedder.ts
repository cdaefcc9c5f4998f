// The model for a terminal command, loading beside the command's own work.
import type { CoreConfig } from '../config.js';
import type { Embedder } from '../embed/index.js';
import { ensureModel, modelsBuilt } from '../entry/model.js';
import { openEmbedder } from '../pipeline.js';
import { terminalReporter } from './terminal.js';

/**
 * The embedder for a command that will embed after reading pages and its index (adding a story),
 * its model loading on a worker thread from now on (see `createWorkerEmbedder`).
 * A built-in model not built yet is built first.
 */
export function startEmbedder(config: CoreConfig): Promise<Embedder> {
  const starting = modelsBuilt(config)
    ? openEmbedder(config, { inWorker: true })
    : (async () => {
        await ensureModel(config, terminalReporter('Embedding'));
        return openEmbedder(config, { inWorker: true });
      })();
  // A failure is reported by whatever awaits it; none if nothing does.
  starting.catch(() => {});
  return starting;
}
