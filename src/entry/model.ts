// Shared by the entry points (src/cli, src/discord/bot.ts): the built-in model is built on first use.
import type { CoreConfig } from '../config.js';
import { BUILT_IN_MODELS, isLocalModel } from '../embed/index.js';
import type { PipelineReporter } from '../pipeline.js';

/** Builds the configured built-in model on first use (e.g. after `npm ci --ignore-scripts`). */
export async function ensureModel(config: CoreConfig, reporter: PipelineReporter): Promise<void> {
  if (!BUILT_IN_MODELS.has(config.embedModel) || isLocalModel(config.modelDir, config.embedModel)) return;
  reporter.info(`The model ${config.embedModel} is not built yet: building it in ${config.modelDir} (once).`);
  // Loaded only now: the builders bring the ONNX writer, which every start would otherwise pay for.
  const { buildModel } = await import('../embed/model-build/registry.js');
  await buildModel(config.embedModel, config.modelDir, { log: reporter.info });
}
