// Building the index for a corpus: nothing when it is up to date, an append or an in-place update
// when the previous generation allows one (append.ts, update-in-place.ts), a new graph otherwise.
import { mkdir } from 'node:fs/promises';
import { corpusHash, storyLanguage, type Story } from '../corpus/index.js';
import type { Embedder } from '../embed/index.js';
import { languagesWithParagraphs } from '../shared/language.js';
import { appendStories } from './append.js';
import type { BuildOptions, BuildReport, Graph } from './build-options.js';
import { storyCentroids } from './centroids.js';
import { storyChanges } from './changes.js';
import { EmbeddingCheckpoint } from './checkpoint.js';
import type { DerivedFileMaker } from './derived-files.js';
import { embedMissing } from './embedding.js';
import { recordFiles, withFileRecords, writeGeneration, writtenInFull } from './generation.js';
import { checkIndex, currentGeneration, readManifest } from './load.js';
import { INDEX_FORMAT_VERSION, manifestParagraphCount, type Manifest } from './manifest.js';
import { builtWith, readReusableVectors, sameGraph } from './previous-generation.js';
import { updateInPlace } from './update-in-place.js';
import { DEFAULT_HNSW, HnswStore, type HnswParameters } from './vector-store.js';

/**
 * Builds the index for `stories`: embeds only paragraphs whose text or model changed, writes a
 * new generation folder, then switches `CURRENT` to it with an atomic rename. Stories only added
 * are appended to the previous generation's graph (see {@link appendStories}); stories removed or
 * edited are marked deleted in it (see `updateInPlace`); anything else builds a new graph.
 */
export async function buildIndex(options: BuildOptions): Promise<BuildReport> {
  const { stories, embedder, indexDir } = options;
  const hnsw: HnswParameters = { ...DEFAULT_HNSW, ...options.hnsw };
  const paragraphs = stories.flatMap((story) => story.paragraphs);
  const hash = corpusHash(stories);

  const previousDir = currentGeneration(indexDir);
  const previous = previousDir ? readManifest(previousDir) : undefined;
  const sameModel = previous !== undefined && previous.formatVersion === INDEX_FORMAT_VERSION && builtWith(previous, embedder);

  const unchanged = !options.force && sameModel && previousDir && previous.corpusHash === hash && sameGraph(previous.hnsw, hnsw);
  // "Up to date" only when the index also loads: a damaged one is rebuilt, not kept.
  // With derived files an older version made, the unchanged corpus goes on to the append path below, which remakes them.
  if (unchanged && previousDir && (options.derivedFiles?.current?.(previousDir, manifestParagraphCount(previous)) ?? true) && loads(indexDir, embedder, hnsw)) {
    // Remember how the files look now, so the next unchanged build need not read them.
    const scan = await options.corpusFiles?.();
    const recorded = withFileRecords(previous.stories, scan?.files);
    if (scan && JSON.stringify(recorded) !== JSON.stringify(previous.stories)) await recordFiles(previousDir, previous, recorded);
    return { changed: false, dir: previousDir, stories: stories.length, paragraphs: paragraphs.length, embedded: 0, reused: paragraphs.length };
  }

  // The previous graph can be changed in place (same model and graph parameters) unless told to build anew.
  const inPlace = !options.force && sameModel && previousDir !== undefined && sameGraph(previous.hnsw, hnsw);
  const changes = inPlace ? storyChanges(previous, stories) : undefined;
  // Stories only added (or only their attribution edited): new paragraphs join the previous graph, whose labels stay.
  const appended = changes && changes.removed.length === 0 ? await appendStories({ ...options, held: changes.held, added: changes.appended }) : undefined;
  if (appended) return appended;
  // Stories removed or edited: their old paragraphs are marked deleted in the previous graph, edited and new ones appended.
  const updated = changes && changes.removed.length > 0 && previousDir ? await updateInPlace(options, previousDir, previous!, changes, hash) : undefined;
  if (updated) return updated;

  await mkdir(indexDir, { recursive: true });
  const checkpoint = new EmbeddingCheckpoint(indexDir, { id: embedder.modelId, hash: embedder.modelHash }, embedder.dimensions);
  // The paragraph file and the search files are made first: what deriving them leaves behind (a
  // year's BM25 index is several hundred MB) is collected while the paragraphs are embedded,
  // instead of adding to the graph and the vectors at the end (a year's peak RSS 1.96 → 1.44 GB).
  const files = writtenInFull(options, stories);
  const reusable = sameModel && previousDir ? readReusableVectors(previousDir, previous) : new Map<string, Float32Array>();
  const { store, embedded, centroids } = await newGraph(stories, reusable, checkpoint, embedder, hnsw, options.onProgress);
  const dir = await writeGeneration(options, { hash, previousDir, store, centroids, ...files });
  checkpoint.remove();
  const languages = languagesWithParagraphs(stories.map(storyLanguage), stories.map((story) => story.paragraphs.length));
  return { changed: true, appended: false, updatedInPlace: false, dir, stories: stories.length, paragraphs: paragraphs.length, embedded, reused: paragraphs.length - embedded, languages };
}

/** A graph of every story's paragraphs, embedding those with no reusable or checkpointed vector. */
async function newGraph(
  stories: readonly Story[],
  reusable: Map<string, Float32Array>,
  checkpoint: EmbeddingCheckpoint,
  embedder: Embedder,
  hnsw: HnswParameters,
  onProgress?: (done: number, total: number) => void,
): Promise<Graph> {
  const paragraphs = stories.flatMap((story) => story.paragraphs);
  // What an interrupted build already embedded is not embedded again.
  for (const [hash, vector] of checkpoint.read()) reusable.set(hash, vector);
  const { vectors, embedded } = await embedMissing(paragraphs, reusable, embedder, onProgress, checkpoint);
  const store = HnswStore.create(embedder.dimensions, paragraphs.length, hnsw);
  for (let label = 0; label < paragraphs.length; label++) store.add(label, vectors[label]!);
  const centroids = storyCentroids(stories.map((story) => story.paragraphs.length), (label) => vectors[label]!, embedder.dimensions);
  return { store, embedded, centroids };
}

/**
 * The current index when its recorded story files are the corpus's files unchanged (`sameCorpus`,
 * see `sameFiles` in src/corpus), it was built with this model and these graph parameters, and it
 * passes every check short of reading the graph, with `derivedFiles` as this version makes them:
 * a rebuild that can stop before reading the corpus. Undefined when anything may have changed.
 */
export async function upToDate(
  indexDir: string,
  sameCorpus: (recorded: Manifest['stories']) => Promise<boolean>,
  embedder: Embedder,
  hnsw: Partial<HnswParameters> = {},
  derivedFiles?: DerivedFileMaker,
): Promise<BuildReport | undefined> {
  const dir = currentGeneration(indexDir);
  const manifest = dir ? readManifest(dir) : undefined;
  const wanted: HnswParameters = { ...DEFAULT_HNSW, ...hnsw };
  if (!dir || !manifest || manifest.formatVersion !== INDEX_FORMAT_VERSION) return undefined;
  if (manifest.model.id !== embedder.modelId || manifest.model.hash !== embedder.modelHash || !sameGraph(manifest.hnsw, wanted)) return undefined;
  if (derivedFiles?.current && !derivedFiles.current(dir, manifestParagraphCount(manifest))) return undefined;
  if (!(await sameCorpus(manifest.stories)) || !loads(indexDir, embedder, wanted)) return undefined;
  const paragraphs = manifestParagraphCount(manifest);
  return { changed: false, dir, stories: manifest.stories.length, paragraphs, embedded: 0, reused: paragraphs };
}

/** Whether the current index would load (every check but reading the graph, which a size check stands for). */
function loads(indexDir: string, embedder: Embedder, hnsw: HnswParameters): boolean {
  try {
    checkIndex(indexDir, { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: hnsw.efSearch, prefixes: embedder.prefixes }, 'story list');
    return true;
  } catch {
    return false;
  }
}
