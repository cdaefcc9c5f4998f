import {
  fileChanges,
  loadCorpus,
  loadStoryFiles,
  corpusSummaries,
  sameFiles,
  scanCorpus,
  settledScan,
  type StorySummary,
} from './corpus/index.js';
import type { CoreConfig } from './config.js';
import { createEmbedder, createLazyEmbedder, embeddingPooling, embeddingPrefixes, type Embedder } from './embed/index.js';
import { createWorkerEmbedder } from './embed/worker-embedder.js';
import {
  appendStories,
  beginLoadIndex,
  removeStories,
  buildIndex,
  currentGeneration,
  indexedSummaries,
  knownStories,
  readManifest,
  upToDate,
  type BuildReport,
  type Manifest,
} from './index/index.js';
import { makeFolder } from './shared/folders.js';
import { searchFiles } from './search/prepared.js';
import { calibrateCorpus, calibrationApplies, readCalibration, writeCalibration } from './search/calibration.js';

/** Progress and messages from the pipeline, for whoever runs it (terminal or bot logs). */
export interface PipelineReporter {
  info(message: string): void;
  progress?(done: number, total: number): void;
  progressDone?(): void;
}

export const silentReporter: PipelineReporter = { info: () => {} };

/**
 * The embedding model named by the configuration. `lazy`: loaded on its first use (see
 * `createLazyEmbedder`), for builds that may have nothing to embed. `inWorker`: loading at once on
 * a worker thread (see `createWorkerEmbedder`), for a command that will embed after reading its index.
 */
export function openEmbedder(config: CoreConfig, options: { lazy?: boolean; inWorker?: boolean } = {}): Promise<Embedder> {
  const prefixes = embeddingPrefixes(config.embedModel, config.embedPrefixes);
  // Pooling and prefixes as the model's authors trained it (src/embed/pooling.ts, prefixes.ts).
  const model = { modelId: config.embedModel, modelDir: config.modelDir, prefixes, pooling: embeddingPooling(config.embedModel) };
  // Called without awaiting anything first: the worker starts before this returns its promise.
  if (options.inWorker) return withoutConsoleNoise(config, () => createWorkerEmbedder(model, { quiet: !showsModelNoise(config) }));
  const create = options.lazy ? createLazyEmbedder : createEmbedder;
  return withoutConsoleNoise(config, () => create(model));
}

function showsModelNoise(config: Pick<CoreConfig, 'logLevel'>): boolean {
  return config.logLevel === 'debug' || config.logLevel === 'trace';
}

/**
 * transformers.js prints a model it cannot load to the console (with a stack trace, then again
 * for its wasm fallback) before throwing; the thrown error becomes one sentence instead. Its
 * console output during loading is shown only with LOG_LEVEL=debug.
 */
export async function withoutConsoleNoise<T>(config: Pick<CoreConfig, 'logLevel'>, work: () => Promise<T>): Promise<T> {
  if (showsModelNoise(config)) return work();
  const { error, warn } = console;
  console.error = () => {};
  console.warn = () => {};
  try {
    return await work();
  } finally {
    console.error = error;
    console.warn = warn;
  }
}

/**
 * Reads `corpus/` and (re)builds the index, embedding only what changed; then makes sure the
 * index's generation holds the refusal's calibration for its encoder and corpus.
 */
export async function buildIndexFromCorpus(
  config: CoreConfig,
  embedder: Embedder,
  reporter: PipelineReporter = silentReporter,
  options: { force?: boolean } = {},
): Promise<BuildReport> {
  const previousDir = currentGeneration(config.indexDir);
  const report = await buildOrUpdate(config, embedder, reporter, options);
  await keepCalibrated(config, embedder, report, previousDir);
  return report;
}

/**
 * The generation `report` names keeps its calibration, or gets the previous generation's when
 * that still applies (the same encoder, a corpus within a tenth of the size it was measured
 * at: one story added to a year changes nothing measurable; no language it did not measure),
 * or is measured: the background questions embedded and searched in the new index
 * (src/search/calibration.ts).
 */
async function keepCalibrated(config: CoreConfig, embedder: Embedder, report: BuildReport, previousDir: string | undefined): Promise<void> {
  if (calibrationApplies(readCalibration(report.dir), embedder.modelHash, report.paragraphs, report.languages)) return;
  const previous = previousDir && previousDir !== report.dir ? readCalibration(previousDir) : undefined;
  if (calibrationApplies(previous, embedder.modelHash, report.paragraphs, report.languages)) return writeCalibration(report.dir, previous);
  const expected = { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: config.efSearch, prefixes: embedder.prefixes };
  const pending = beginLoadIndex(config.indexDir, expected);
  const calibration = await calibrateCorpus(embedder, { ...pending, store: await pending.store });
  await writeCalibration(report.dir, calibration);
}

async function buildOrUpdate(config: CoreConfig, embedder: Embedder, reporter: PipelineReporter, options: { force?: boolean }): Promise<BuildReport> {
  const hnsw = { efSearch: config.efSearch };
  makeFolder(config.indexDir, { folder: 'The index folder', setting: 'INDEX_DIR' });
  // Nothing in the folder changed: no need to read and parse every story (thousands, in a year).
  const scan = await scanCorpus(config.corpusDir);
  const current = options.force || !scan ? undefined : await upToDate(config.indexDir, (recorded) => sameFiles(config.corpusDir, scan, recorded), embedder, hnsw, searchFiles);
  if (current) return current;
  const build = {
    // Described again at the end: files too new to trust at the start have settled by then.
    corpusFiles: async () => (scan ? settledScan(config.corpusDir, scan) : undefined),
    embedder,
    indexDir: config.indexDir,
    hnsw,
    builtBy: 'verbatim',
    derivedFiles: searchFiles,
    onProgress: reporter.progress?.bind(reporter),
  };
  try {
    const recorded = !options.force && scan ? recordedStoryFiles(config) : undefined;
    const changes = recorded && scan ? await fileChanges(config.corpusDir, scan, recorded) : undefined;
    const unsure = changes ? changes.changed.length + changes.undescribed.length : 0;
    // Story files only added (the usual update): only they are read, and appended to the index.
    if (changes && unsure === 0 && changes.removed.length === 0 && changes.added.length > 0) {
      const appended = await appendStories({ ...build, added: await loadStoryFiles(config.corpusDir, changes.added) });
      if (appended) return appended;
    }
    // Story files only removed: nothing is read but the index's own files.
    if (changes && unsure === 0 && changes.added.length === 0 && changes.removed.length > 0) {
      const pruned = await removeStories({ ...build, removedFiles: changes.removed });
      if (pruned) return pruned;
    }
    // Files the index holds unchanged are not read again: their text comes from the index.
    const stories = await loadCorpus(config.corpusDir, options.force ? {} : { known: knownStories(config.indexDir) });
    return await buildIndex({ ...build, stories, force: options.force });
  } finally {
    reporter.progressDone?.();
  }
}

/** The story files the current index was built from, as it recorded them. */
function recordedStoryFiles(config: Pick<CoreConfig, 'indexDir'>): Manifest['stories'] | undefined {
  const dir = currentGeneration(config.indexDir);
  return dir ? readManifest(dir)?.stories : undefined;
}

/**
 * Every story of the corpus without its texts (for duplicate checks and story lists): unchanged
 * files are described by the index, so at a year's size only new or changed files are read.
 */
export async function loadStorySummaries(config: Pick<CoreConfig, 'corpusDir' | 'indexDir'>, options: { allowEmpty?: boolean } = {}): Promise<StorySummary[]> {
  return corpusSummaries(config.corpusDir, { allowEmpty: options.allowEmpty, indexed: indexedSummaries(config.indexDir) });
}

