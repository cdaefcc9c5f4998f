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
import { createEmbedder, createLazyEmbedder, embeddingPrefixes, type Embedder } from './embed/index.js';
import { createWorkerEmbedder } from './embed/worker-embedder.js';
import {
  IndexMissingError,
  appendStories,
  removeStories,
  buildIndex,
  currentGeneration,
  indexedSummaries,
  knownStories,
  beginLoadIndex,
  readManifest,
  upToDate,
  type BuildReport,
  type LoadedIndex,
  type Manifest,
  type PendingIndex,
} from './index/index.js';
import { Retriever, searchFiles, readPreparedSearch, type Reranker } from './search/index.js';
import { loadEnglishWords } from './search/dictionary.js';
import { collectGarbage } from './memory.js';

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
  const model = { modelId: config.embedModel, modelDir: config.modelDir, prefixes };
  // Called without awaiting anything first: the worker starts before this returns its promise.
  if (options.inWorker) return withoutConsoleNoise(config, () => createWorkerEmbedder(model, { quiet: !showsModelNoise(config) }));
  const create = options.lazy ? createLazyEmbedder : createEmbedder;
  return withoutConsoleNoise(config, () => create(model));
}

/** The re-ranker named by RERANK_MODEL, loaded once per process; none when it is unset. */
export async function openReranker(config: Pick<CoreConfig, 'rerank' | 'modelDir' | 'logLevel'>): Promise<Reranker | undefined> {
  const settings = config.rerank;
  if (!settings) return undefined;
  // Imported only when configured: it brings transformers.js, which most starts load later or never.
  const { createCrossEncoder } = await import('./embed/cross-encoder.js');
  const load = () => createCrossEncoder({ model: settings.model, modelDir: config.modelDir });
  const encoder = await withoutConsoleNoise(config, load);
  return { score: (question, passages) => encoder.score(question, passages), candidates: settings.candidates, minScore: settings.minScore };
}

function showsModelNoise(config: Pick<CoreConfig, 'logLevel'>): boolean {
  return config.logLevel === 'debug' || config.logLevel === 'trace';
}

/**
 * transformers.js prints a model it cannot load to the console (with a stack trace, then again
 * for its wasm fallback) before throwing; the thrown error becomes one sentence instead. Its
 * console output during loading is shown only with LOG_LEVEL=debug.
 */
async function withoutConsoleNoise<T>(config: Pick<CoreConfig, 'logLevel'>, work: () => Promise<T>): Promise<T> {
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

/** Reads `corpus/` and (re)builds the index, embedding only what changed. */
export async function buildIndexFromCorpus(
  config: CoreConfig,
  embedder: Embedder,
  reporter: PipelineReporter = silentReporter,
  options: { force?: boolean } = {},
): Promise<BuildReport> {
  const hnsw = { efSearch: config.efSearch };
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

/** Loads the index for the configured model; with `buildIfMissing`, a first run builds it. */
export async function openIndex(
  config: CoreConfig,
  embedder: Embedder,
  options: { buildIfMissing?: boolean; reporter?: PipelineReporter; previous?: LoadedIndex } = {},
): Promise<LoadedIndex> {
  const pending = await beginOpenIndex(config, embedder, options);
  return loaded({ ...pending, store: await pending.store });
}

/** `openIndex` returning while the graph is still being read (see `beginLoadIndex`). */
async function beginOpenIndex(config: CoreConfig, embedder: Embedder, options: { buildIfMissing?: boolean; reporter?: PipelineReporter; previous?: LoadedIndex }): Promise<PendingIndex> {
  const expected = { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: config.efSearch, prefixes: embedder.prefixes };
  try {
    return beginLoadIndex(config.indexDir, expected, options.previous);
  } catch (error) {
    if (!(error instanceof IndexMissingError) || !options.buildIfMissing) throw error;
    const reporter = options.reporter ?? silentReporter;
    reporter.info(`No index in ${config.indexDir} yet: building it from ${config.corpusDir} (once).`);
    const report = await buildIndexFromCorpus(config, embedder, reporter);
    reporter.info(`Index built: ${report.paragraphs} paragraphs from ${report.stories} ${report.stories === 1 ? 'story' : 'stories'}.`);
    return beginLoadIndex(config.indexDir, expected);
  }
}

/** What was loaded, once the load's garbage is gone (see src/memory.ts). */
function loaded<T>(value: T): T {
  collectGarbage();
  return value;
}

/** Everything needed to answer questions: model, index and retriever. */
export async function openRetriever(
  config: CoreConfig,
  options: { buildIfMissing?: boolean; reporter?: PipelineReporter; embedder?: Embedder } = {},
): Promise<{ embedder: Embedder; index: LoadedIndex; retriever: Retriever; reranker: Reranker | undefined }> {
  // Its identity is enough to check the index: the model itself loads while the graph is read.
  const embedder = options.embedder ?? (await openEmbedder(config, { lazy: true }));
  // Loaded before the index: a wrong RERANK_MODEL is reported before a first build's wait.
  const reranker = await openReranker(config);
  const pending = await beginOpenIndex(config, embedder, options);
  await withoutConsoleNoise(config, () => embedder.embed(['warm-up'], 'query'));
  if (!searchFiles.current(pending.dir, pending.paragraphs.length)) {
    // Answers are the same, but every start derives them (about 10 s at a year's size).
    options.reporter?.info('The index\'s search files were made by an older version of Verbatim: run `npm run build-index` once to remake them (nothing is embedded again) and start faster.');
  }
  // The search files are read while another thread reads the graph.
  const prepared = readPreparedSearch(pending.dir, pending.paragraphs, pending.stories.length, pending.labels);
  const index = { ...pending, store: await pending.store };
  return { embedder, index, retriever: createRetriever(index, embedder, reranker, prepared), reranker };
}

let englishWords: Set<string> | undefined;

/**
 * A retriever for a loaded index, with spelling correction against the built-in word list (and
 * the re-ranker, when there is one). `prepared`: its search files, when already read.
 */
export function createRetriever(index: LoadedIndex, embedder: Embedder, reranker?: Reranker, prepared = readPreparedSearch(index.dir, index.paragraphs, index.stories.length, index.labels)): Retriever {
  englishWords ??= loadEnglishWords();
  return loaded(new Retriever(index, embedder, { dictionary: englishWords, prepared, reranker }));
}
