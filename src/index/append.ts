// Adding stories to the current index without rebuilding it: their paragraphs are embedded and
// inserted after the previous graph's last label.
import path from 'node:path';
import { storyLanguage, type Story } from '../corpus/index.js';
import type { Embedder } from '../embed/index.js';
import { languagesWithParagraphs } from '../shared/language.js';
import type { BuildOptions, BuildReport, Graph } from './build-options.js';
import { centroidsAfter } from './centroids.js';
import { embedMissing } from './embedding.js';
import { hashInFileOrder, writeGeneration } from './generation.js';
import { readPreviousDelta } from './graph-delta.js';
import { describesManifest, withParagraphRuns } from './load.js';
import { PARAGRAPHS_FILE, manifestParagraphCount, type Manifest } from './manifest.js';
import { appendedInPlace, appendedParagraphsFile, lazyParagraphs, storedStory } from './paragraphs-file.js';
import { changeableGeneration, readPreviousGraph } from './previous-generation.js';
import { DEFAULT_HNSW, type HnswParameters, type HnswStore } from './vector-store.js';

/** Adding stories to the current index: the options of a build, with only the new stories. */
export type AppendOptions = Omit<BuildOptions, 'stories' | 'force'> & {
  added: readonly Story[];
  /**
   * The stories the index holds, as the corpus has them now (same paragraphs, in the index's
   * order), when the caller has read them: their attribution replaces the stored one.
   */
  held?: readonly Story[];
};

/**
 * Adds `added` (stories the current index does not hold) to the current index without reading
 * its other stories' texts: their paragraphs are embedded and inserted after the previous
 * graph's last label (hnswlib grows a graph in place), and the paragraph file, derived files and
 * centroids are extended. At a year's size this is what keeps adding a story to seconds.
 * Undefined, with nothing written, when the current index cannot be extended (missing, damaged,
 * another model or graph, a story id it holds already): the caller then builds in full.
 */
export async function appendStories(options: AppendOptions): Promise<BuildReport | undefined> {
  const { added, held, embedder } = options;
  const hnsw: HnswParameters = { ...DEFAULT_HNSW, ...options.hnsw };
  const current = added.length > 0 || held ? await changeableGeneration(options.indexDir, embedder, hnsw) : undefined;
  if (!current) return undefined;
  const { previousDir, previous, listed, previousBytes } = current;
  const storyList = held ? held.map(storedStory) : current.storyList;
  if (!describesManifest(storyList, previous)) return undefined;
  const ids = new Set(storyList.map((story) => story.id));
  for (const story of added) {
    if (ids.has(story.id)) return undefined;
    ids.add(story.id);
  }

  const addedParagraphs = added.flatMap((story) => story.paragraphs);
  const storyParagraphs = [...previous.stories.map((story) => story.paragraphs), ...added.map((story) => story.paragraphs.length)];
  const storyLanguages = [...storyList.map((story) => story.language), ...added.map(storyLanguage)];
  const previousFile = path.join(previousDir, PARAGRAPHS_FILE);
  const paragraphsFile = appendedInPlace(previousFile, listed, added, held && storyList) ?? withBytes(previousBytes(), (bytes) => appendedParagraphsFile(bytes, added, held && storyList));
  const graph = paragraphsFile && (await appendedGraph(previousDir, previous, added, embedder, hnsw, options.onProgress));
  if (!paragraphsFile || !graph) return undefined;
  const derived = options.derivedFiles?.extend({
    previousDir,
    previousParagraphs: manifestParagraphCount(previous),
    addedTexts: addedParagraphs.map((paragraph) => paragraph.text),
    firstLabel: graph.store.elements - addedParagraphs.length,
    labels: graph.store.labelMap,
    storyParagraphs,
    storyLanguages,
    previousTexts: () => withBytes(previousBytes(), (bytes) => lazyParagraphs(bytes)?.paragraphs),
  });
  if (options.derivedFiles && !derived) return undefined;

  const hash = hashInFileOrder([...withParagraphRuns(storyList, previous.paragraphs), ...added]);

  const dir = await writeGeneration(options, {
    hash,
    previousDir,
    store: graph.store,
    centroids: graph.centroids,
    paragraphsFile,
    derived: derived ?? {},
    stories: [...previous.stories.map(({ id, file, paragraphs }) => ({ id, file, paragraphs })), ...added.map((story) => ({ id: story.id, file: story.file, paragraphs: story.paragraphs.length }))],
    paragraphs: [...previous.paragraphs, ...addedParagraphs.map((paragraph) => ({ id: paragraph.id, hash: paragraph.hash }))],
  });
  const total = previous.paragraphs.length + addedParagraphs.length;
  return { changed: true, appended: true, dir, stories: storyParagraphs.length, paragraphs: total, embedded: addedParagraphs.length, reused: previous.paragraphs.length, languages: languagesWithParagraphs(storyLanguages, storyParagraphs) };
}

/** `use(bytes)`, or undefined without bytes. */
function withBytes<T>(bytes: Buffer | undefined, use: (bytes: Buffer) => T | undefined): T | undefined {
  return bytes && use(bytes);
}

/**
 * The previous graph with the new stories' paragraphs embedded and inserted after its last label,
 * and the previous centroids followed by the new stories'; undefined when the previous graph
 * cannot be read, so the caller builds anew.
 */
async function appendedGraph(
  dir: string,
  manifest: Manifest,
  added: readonly Story[],
  embedder: Embedder,
  hnsw: HnswParameters,
  onProgress?: (done: number, total: number) => void,
): Promise<Graph | undefined> {
  const paragraphs = added.flatMap((story) => story.paragraphs);
  const store = readPreviousDelta(dir, manifest, hnsw, paragraphs.length) ?? readPreviousGraph(dir, manifest, hnsw.efSearch);
  if (!store) return undefined;
  const { vectors } = await embedMissing(paragraphs, new Map(), embedder, onProgress);
  const first = appendVectors(store, vectors);
  const every = manifest.stories.map((_, index) => index);
  return { store, embedded: paragraphs.length, centroids: centroidsAfter(dir, manifest, every, added, { vectors, first, store }, embedder.dimensions) };
}

/** Adds `vectors` after the store's last position; the first new position. */
export function appendVectors(store: HnswStore, vectors: readonly Float32Array[]): number {
  const first = store.size;
  store.reserve(vectors.length);
  vectors.forEach((vector, i) => store.add(first + i, vector));
  return first;
}
