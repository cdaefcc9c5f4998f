// What answering questions opens: the model, the index and the retriever. Apart from the build
// pipeline (src/pipeline.ts), so that commands that only change the index (build-index,
// add-story, remove-story) do not load the retriever's modules (~70 ms of every such command).
import type { CoreConfig } from './config.js';
import type { Embedder } from './embed/index.js';
import { IndexMissingError, beginLoadIndex, type LoadedIndex, type PendingIndex } from './index/index.js';
import { collectGarbageAfterLoad } from './memory.js';
import { buildIndexFromCorpus, openEmbedder, silentReporter, withoutConsoleNoise, type PipelineReporter } from './pipeline.js';
import { readCalibration } from './search/calibration.js';
import { Retriever, readPreparedSearch, searchFiles, type Reranker } from './search/index.js';
import { loadEnglishWords } from './shared/english.js';

/** The re-ranker named by RERANK_MODEL, loaded once per process; none when it is unset. */
export async function openReranker(config: Pick<CoreConfig, 'rerank' | 'modelDir' | 'logLevel'>): Promise<Reranker | undefined> {
  const settings = config.rerank;
  if (!settings) return undefined;
  // Imported only when configured: it brings transformers.js, which most starts load later or never.
  const { createCrossEncoder } = await import('./embed/cross-encoder.js');
  const load = () => createCrossEncoder({ model: settings.model, modelDir: config.modelDir });
  const encoder = await withoutConsoleNoise(config, load);
  return { score: (question, passages) => encoder.score(question, passages), candidates: settings.candidates, minScore: settings.minScore, ...(encoder.languages ? { languages: new Set(encoder.languages) } : {}) };
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
  collectGarbageAfterLoad();
  return value;
}

/** Everything needed to answer questions: model, index and retriever. */
export async function openRetriever(
  config: CoreConfig,
  options: { buildIfMissing?: boolean; reporter?: PipelineReporter; embedder?: Embedder; whileGraphLoads?: () => void } = {},
): Promise<{ embedder: Embedder; index: LoadedIndex; retriever: Retriever; reranker: Reranker | undefined }> {
  // Its identity is enough to check the index: the model itself loads while the graph is read.
  const embedder = options.embedder ?? (await openEmbedder(config, { lazy: true }));
  // Loaded before the index: a wrong RERANK_MODEL is reported before a first build's wait.
  const reranker = await openReranker(config);
  const pending = await beginOpenIndex(config, embedder, options);
  // The caller's own loading (the bot's discord.js) runs on this thread while the graph is read.
  options.whileGraphLoads?.();
  // The model loads while another thread reads the graph, and the search files are read meanwhile.
  const warming = withoutConsoleNoise(config, () => embedder.embed(['warm-up'], 'query'));
  warming.catch(() => {});
  // Answers are the same without them, but every start derives them (about 10 s at a year's size).
  const current = searchFiles.current(pending.dir, pending.paragraphs.length);
  if (!current) options.reporter?.info('The index\'s search files were made by an older version of Verbatim: run `npm run build-index` once to remake them (nothing is embedded again) and start faster.');
  const prepared = readPreparedSearch(pending.dir, pending.paragraphs, pending.stories.length, pending.labels, storyLanguages(pending.stories));
  // Of this version but unreadable (a changed byte): an unchanged build would keep them, a forced one remakes them.
  if (current && !prepared) options.reporter?.info(`The index's search files in ${pending.dir} are damaged: run \`npm run build-index -- --force\` once to remake them (nothing is embedded again) and start faster.`);
  await warming;
  const index = { ...pending, store: await pending.store };
  return { embedder, index, retriever: createRetriever(index, embedder, reranker, prepared), reranker };
}

let englishWords: Set<string> | undefined;

/** Each story's language by id (absent in an index built before languages were recorded: English). */
function storyLanguages(stories: ReadonlyArray<{ id: string; language?: string | undefined }>): Map<string, string | undefined> {
  return new Map(stories.map((story) => [story.id, story.language]));
}

/**
 * A retriever for a loaded index, with spelling correction against the built-in word list (and
 * the re-ranker, when there is one). `prepared`: its search files, when already read.
 */
export function createRetriever(
  index: LoadedIndex,
  embedder: Embedder,
  reranker?: Reranker,
  prepared = readPreparedSearch(index.dir, index.paragraphs, index.stories.length, index.labels, storyLanguages(index.stories)),
): Retriever {
  // Loaded when a question first has a word the corpus lacks: most never do.
  const dictionary = () => (englishWords ??= loadEnglishWords());
  return loaded(new Retriever(index, embedder, { dictionary, prepared, reranker, calibration: readCalibration(index.dir) }));
}
