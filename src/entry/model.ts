// Shared by the entry points (src/cli, src/discord/bot.ts): the built-in model is built on first use.
import type { CoreConfig } from '../config.js';
import { BUILT_IN_RERANKERS } from '../embed/built-in.js';
import { BUILT_IN_MODELS, isLocalModel } from '../embed/index.js';
import type { PipelineReporter } from '../pipeline.js';

/** Builds the configured built-in models (embedding, and RERANK_MODEL when it names one) on first use (e.g. after `npm ci --ignore-scripts`). */
export async function ensureModel(config: CoreConfig, reporter: PipelineReporter): Promise<void> {
  for (const model of unbuiltModels(config)) {
    reporter.info(`The model ${model} is not built yet: building it in ${config.modelDir} (once).`);
    // Loaded only now: the builders bring the ONNX writer, which every start would otherwise pay for.
    const { buildModel } = await import('../embed/model-build/registry.js');
    await buildModel(model, config.modelDir, { log: reporter.info });
  }
}

/** Whether `ensureModel` has nothing to build. */
export function modelsBuilt(config: CoreConfig): boolean {
  return unbuiltModels(config).length === 0;
}

function unbuiltModels(config: CoreConfig): string[] {
  return [config.embedModel, config.rerank?.model].filter(
    (model): model is string => model !== undefined && (BUILT_IN_MODELS.has(model) || BUILT_IN_RERANKERS.has(model)) && !isLocalModel(config.modelDir, model),
  );
}
