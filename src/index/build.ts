import { existsSync, readFileSync, statSync } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CHUNKER_VERSION, corpusHash, storyLanguage, type FileRecord, type HashedStory, type Paragraph, type Story } from '../corpus/index.js';
import type { Embedder } from '../embed/index.js';
import { CENTROIDS_FILE, centroidFileContent, readCentroids, storyCentroids } from './centroids.js';
import { EmbeddingCheckpoint } from './checkpoint.js';
import { checkIndex, currentGeneration, deltaFile, describesManifest, readLabelMap, readManifest, withParagraphRuns } from './load.js';
import {
  CURRENT_FILE,
  DELTA_FILE,
  HASHES_FILE,
  INDEX_FORMAT_VERSION,
  MANIFEST_FILE,
  PARAGRAPHS_FILE,
  VECTORS_FILE,
  LABELS_FILE,
  manifestParagraphCount,
  paragraphHashesFile,
  type Manifest,
  type StoredStory,
} from './manifest.js';
import { appendedInPlace, appendedParagraphsFile, paragraphsFileText, lazyParagraphs, listStories, storedStory, withoutStories, type InPlaceAppend, type ListedStories } from './paragraphs-file.js';
import { DEFAULT_HNSW, HnswStore, type HnswParameters } from './vector-store.js';

export interface BuildOptions {
  stories: readonly Story[];
  embedder: Embedder;
  indexDir: string;
  hnsw?: Partial<HnswParameters>;
  /** Rebuild even when nothing changed. */
  force?: boolean;
  /** Called as paragraphs are embedded: (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Recorded in the manifest (e.g. `verbatim 0.1.0`). */
  builtBy?: string;
  /**
   * Files derived from the paragraph texts by the layers above, written into the generation and
   * size-checked like the others: the index stays ignorant of what they hold.
   */
  derivedFiles?: DerivedFileMaker;
  /**
   * How the story files look (see `scanCorpus` in src/corpus), asked when the manifest is written
   * at the end of the build: recorded per story for `upToDate` and `knownStories`.
   */
  corpusFiles?: () => Promise<{ files: ReadonlyMap<string, FileRecord> } | undefined>;
  now?: () => Date;
}

/** Adding stories to the current index: the options of a build, with only the new stories. */
export type AppendOptions = Omit<BuildOptions, 'stories' | 'force'> & {
  added: readonly Story[];
  /**
   * The stories the index holds, as the corpus has them now (same paragraphs, in the index's
   * order), when the caller has read them: their attribution replaces the stored one.
   */
  held?: readonly Story[];
};

/** Makes the derived files of a generation (see {@link BuildOptions.derivedFiles}). */
export interface DerivedFileMaker {
  /** The files for every paragraph. */
  derive(input: DerivationInput): Record<string, DerivedFile>;
  /** The previous generation's files extended by appended paragraphs; undefined when they cannot be (everything is then built anew). */
  extend(input: ExtensionInput): Record<string, DerivedFile> | undefined;
  /** The previous generation's files without removed stories' paragraphs; undefined when they cannot be (everything is then built anew). */
  remove?(input: RemovalInput): Record<string, DerivedFile> | undefined;
  /** Whether a generation's files are the ones this version makes; when not, an unchanged corpus still gets them made anew. */
  current?(dir: string, paragraphs: number): boolean;
}

/** What derived files are made from: the paragraph texts in label order, and how many belong to each story in turn. */
export interface DerivationInput {
  texts: readonly string[];
  storyParagraphs: readonly number[];
  /** Each story's language (BCP-47 primary subtag), in the same order: how its words become terms. English where absent. */
  storyLanguages?: ReadonlyArray<string | undefined> | undefined;
  /** Each paragraph's graph label, by position; the position itself when absent. Files keyed by labels stay valid when other paragraphs are removed. */
  labels?: ArrayLike<number> | undefined;
}

/** What derived files are extended with when paragraphs were appended to a generation. */
export interface ExtensionInput {
  previousDir: string;
  /** How many labels the previous generation held. */
  previousParagraphs: number;
  /** The appended paragraphs' texts. */
  addedTexts: readonly string[];
  /** The graph label of the first appended paragraph (the others follow it). */
  firstLabel: number;
  /** Every paragraph's graph label by position, when they are not the positions (for deriving the files anew). */
  labels?: ArrayLike<number> | undefined;
  /** Paragraphs per story, every story in label order. */
  storyParagraphs: readonly number[];
  /** Each story's language, every story in label order (English where absent). */
  storyLanguages?: ReadonlyArray<string | undefined> | undefined;
  /** The previous generation's paragraphs, whose texts are read from its paragraph file as they are asked for. */
  previousTexts(): ReadonlyArray<{ readonly text: string }> | undefined;
}

/** What derived files lose when stories are removed from a generation. */
export interface RemovalInput {
  previousDir: string;
  /** How many paragraphs the previous generation held. */
  previousParagraphs: number;
  /** Indexes of the removed stories in the previous generation's story list. */
  removedStories: ReadonlySet<number>;
  /** The removed paragraphs' texts. */
  removedTexts: readonly string[];
  /** The removed paragraphs' languages, by text (English where absent). */
  removedLanguages?: ReadonlyArray<string | undefined> | undefined;
  /** Paragraphs per story, every story left in label order. */
  storyParagraphs: readonly number[];
}

/** A derived file's content, or an existing file (of the previous generation) whose bytes it keeps: linked, not rewritten. */
export type DerivedFile = string | Uint8Array | { sameAs: string };

export interface BuildReport {
  /** False when the existing index already matched the corpus and model. */
  changed: boolean;
  /** True when the new stories were added to the previous graph instead of building a new one. */
  appended?: boolean;
  /** True when removed or edited stories' paragraphs were marked deleted in the previous graph (edited ones appended again) instead of building a new one. */
  updatedInPlace?: boolean;
  dir: string;
  stories: number;
  paragraphs: number;
  embedded: number;
  reused: number;
}

/** Paragraphs per embed call: the embedder batches a chunk by token count, which wastes 0.5 % on padding at 256 and 1.8 % at 64. Also the checkpoint step. */
export const EMBED_CHUNK = 256;
/** Generations kept besides the new one, so a process still reading the last one is not cut off. */
const GENERATIONS_KEPT = 1;

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
  return { changed: true, appended: false, updatedInPlace: false, dir, stories: stories.length, paragraphs: paragraphs.length, embedded, reused: paragraphs.length - embedded };
}

/**
 * The current generation when it can be changed in place (the same format, chunker, model and
 * graph parameters), with its paragraph file's story list (and its bytes, read when asked for);
 * undefined when there is none, it was made another way, or its paragraph file is not the one its
 * manifest recorded.
 */
async function changeableGeneration(
  indexDir: string,
  embedder: Embedder,
  hnsw: HnswParameters,
): Promise<{ previousDir: string; previous: Manifest; listed: ListedStories; storyList: StoredStory[]; previousBytes: () => Buffer | undefined } | undefined> {
  const previousDir = currentGeneration(indexDir);
  const previous = previousDir ? readManifest(previousDir) : undefined;
  if (!previousDir || !previous) return undefined;
  if (previous.formatVersion !== INDEX_FORMAT_VERSION || previous.chunkerVersion !== CHUNKER_VERSION || !builtWith(previous, embedder) || !sameGraph(previous.hnsw, hnsw)) return undefined;
  const bytes = previous.files[PARAGRAPHS_FILE]?.bytes;
  const file = path.join(previousDir, PARAGRAPHS_FILE);
  // Only its story list is read: an append copies the rest without reading it (see `appendedInPlace`).
  const listed = listStories(previousDir, bytes);
  if (!listed || statSync(file, { throwIfNoEntry: false })?.size !== bytes) return undefined;
  let whole: Buffer | undefined;
  const previousBytes = () => {
    try {
      whole ??= readFileSync(file);
    } catch {
      return undefined;
    }
    return whole?.length === bytes ? whole : undefined;
  };
  return { previousDir, previous, listed, storyList: listed.stories, previousBytes };
}

/** The corpus hash a full load of these stories gives: `loadCorpus` reads them in file-name order. */
function hashInFileOrder(stories: Array<HashedStory & { file: string }>): string {
  return corpusHash(stories.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)));
}

/** The rows `rows` of a matrix `width` wide, in that order, followed by `extra` empty rows. */
function copiedRows(matrix: Float32Array, rows: readonly number[], width: number, extra = 0): Float32Array {
  const copy = new Float32Array((rows.length + extra) * width);
  rows.forEach((row, i) => copy.set(matrix.subarray(row * width, (row + 1) * width), i * width));
  return copy;
}

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
    storyLanguages: [...storyList.map((story) => story.language), ...added.map(storyLanguage)],
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
  return { changed: true, appended: true, dir, stories: storyParagraphs.length, paragraphs: total, embedded: addedParagraphs.length, reused: previous.paragraphs.length };
}

/**
 * Removes stories from the current index without reading or writing its graph: the new
 * generation links the previous graph file and lists the paragraphs it still holds
 * (`labels.i32`), and the removed ones are no longer searched. The paragraph file, manifest,
 * centroids and derived files are written without them. At a year's size this keeps removing a
 * story to about 2 s, where rewriting the graph and deriving the search files took 12–30 s.
 * Undefined, with nothing written, when the index cannot be changed this way (missing, damaged,
 * another model or graph, or removed entries past `MAX_REMOVED_SHARE`): the caller then builds in full.
 */
export async function removeStories(options: Omit<BuildOptions, 'stories' | 'force'> & { removedFiles: readonly string[] }): Promise<BuildReport | undefined> {
  const { embedder } = options;
  const hnsw: HnswParameters = { ...DEFAULT_HNSW, ...options.hnsw };
  const current = options.removedFiles.length > 0 ? await changeableGeneration(options.indexDir, embedder, hnsw) : undefined;
  if (!current) return undefined;
  const { previousDir, previous, storyList } = current;
  // A removal reads the removed texts and writes the rest: the whole file is read.
  const previousFile = current.previousBytes();
  if (!previousFile) return undefined;
  const graph = graphFiles(previousDir, previous);
  if (!graph) return undefined;
  let labels: Int32Array;
  try {
    labels = readLabelMap(previousDir, previous) ?? Int32Array.from(previous.paragraphs, (_, label) => label);
  } catch {
    return undefined;
  }
  if (!describesManifest(storyList, previous) || labels.length !== previous.paragraphs.length) return undefined;
  const elements = previous.graphElements ?? (previous.files[LABELS_FILE] ? undefined : previous.paragraphs.length);
  const gone = new Set(options.removedFiles);
  const removedStories = new Set(previous.stories.flatMap((story, index) => (gone.has(story.file) ? [index] : [])));
  if (elements === undefined || removedStories.size !== gone.size || removedStories.size === previous.stories.length) return undefined;

  // Each story's paragraphs follow each other in position order: the removed ones are runs of positions.
  const removedPositions: number[] = [];
  const keptLabels = new Int32Array(labels.length - previous.stories.reduce((sum, story, index) => sum + (removedStories.has(index) ? story.paragraphs : 0), 0));
  let position = 0;
  let kept = 0;
  previous.stories.forEach((story, index) => {
    for (let i = 0; i < story.paragraphs; i++, position++) {
      if (removedStories.has(index)) removedPositions.push(position);
      else keptLabels[kept++] = labels[position]!;
    }
  });
  if (elements - keptLabels.length > MAX_REMOVED_SHARE * elements) return undefined;
  const runs = withParagraphRuns(storyList, previous.paragraphs);

  const keptIndexes = previous.stories.flatMap((_, index) => (removedStories.has(index) ? [] : [index]));
  const keptStories = keptIndexes.map((index) => previous.stories[index]!);
  // Only the removed paragraphs' texts are parsed: the word statistics lose their counts.
  const stored = lazyParagraphs(previousFile);
  const texts = stored && removedPositions.map((position) => stored.paragraphs[position]!.text);
  const derived =
    texts &&
    options.derivedFiles?.remove?.({
      previousDir,
      previousParagraphs: previous.paragraphs.length,
      removedStories,
      removedTexts: texts,
      removedLanguages: previous.stories.flatMap((story, index) => (removedStories.has(index) ? Array<string | undefined>(story.paragraphs).fill(storyList[index]?.language) : [])),
      storyParagraphs: keptStories.map((story) => story.paragraphs),
    });
  if (options.derivedFiles && !derived) return undefined;
  const paragraphsFile = withoutStories(previousFile, removedStories);
  const before = readCentroids(previousDir, previous.stories.length, embedder.dimensions);
  if (!paragraphsFile || !before) return undefined;
  const centroids = copiedRows(before, keptIndexes, embedder.dimensions);

  const removedSet = new Set(removedPositions);
  const paragraphs = previous.paragraphs.filter((_, position) => !removedSet.has(position));
  const hash = hashInFileOrder(runs.filter((_, index) => !removedStories.has(index)));
  const dir = await writeGeneration(options, {
    hash,
    previousDir,
    store: { sameAs: graph.base, deltaSameAs: graph.delta, deltaElements: previous.deltaElements ?? 0, labels: keptLabels, elements },
    centroids,
    paragraphsFile,
    derived: derived ?? {},
    stories: keptStories.map(({ id, file, paragraphs: count }) => ({ id, file, paragraphs: count })),
    paragraphs,
  });
  return { changed: true, updatedInPlace: true, dir, stories: keptStories.length, paragraphs: paragraphs.length, embedded: 0, reused: paragraphs.length };
}

/** Graph entries marked removed beyond this share of the graph: a full build drops them (searches still visit them). */
const MAX_REMOVED_SHARE = 0.1;

/**
 * The previous generation with the removed and edited stories' paragraphs marked deleted in its
 * graph (the others keep their vectors and links) and the edited and new stories appended after
 * them, embedding only paragraph texts the graph does not hold; the paragraph file, centroids and
 * search files are written for the result. At a year's size this is seconds where building a
 * graph is a minute. Undefined when the graph cannot be read or would hold too many deleted entries.
 */
async function updateInPlace(options: BuildOptions, previousDir: string, previous: Manifest, kept: StoryChanges, hash: string): Promise<BuildReport | undefined> {
  const { embedder } = options;
  const hnsw: HnswParameters = { ...DEFAULT_HNSW, ...options.hnsw };
  if (kept.held.length + kept.appended.length === 0) return undefined;
  const store = readPreviousGraph(previousDir, previous, hnsw.efSearch);
  if (!store) return undefined;
  const deleted = store.removed + kept.removed.length;
  if (deleted > MAX_REMOVED_SHARE * (store.size + store.removed + kept.appended.reduce((sum, story) => sum + story.paragraphs.length, 0))) return undefined;
  const stories = [...kept.held, ...kept.appended];

  // Texts an edited story kept (or a new one shares) are not embedded again: their vectors are read before they are marked deleted.
  const appendedParagraphs = kept.appended.flatMap((story) => story.paragraphs);
  const wanted = new Set(appendedParagraphs.map((paragraph) => paragraph.hash));
  const reusable = new Map<string, Float32Array>();
  previous.paragraphs.forEach((paragraph, position) => {
    if (wanted.has(paragraph.hash) && !reusable.has(paragraph.hash)) reusable.set(paragraph.hash, store.vector(position));
  });
  store.remove(kept.removed);
  const { vectors, embedded } = await embedMissing(appendedParagraphs, reusable, embedder, options.onProgress);
  const first = appendVectors(store, vectors);
  const centroids = centroidsAfter(previousDir, previous, kept.heldIndexes, kept.appended, { vectors, first, store }, embedder.dimensions);
  // Keyed by the graph's labels, which now differ from the positions.
  const files = writtenInFull(options, stories, store.labelMap);

  const paragraphs = stories.flatMap((story) => story.paragraphs);
  const dir = await writeGeneration(options, { hash, previousDir, store, centroids, ...files });
  return { changed: true, appended: false, updatedInPlace: true, dir, stories: stories.length, paragraphs: paragraphs.length, embedded, reused: paragraphs.length - embedded };
}

/** How the corpus differs from the previous generation, story by story. */
interface StoryChanges {
  /** Stories it holds unchanged (their attribution may be edited), in its order. */
  held: Story[];
  /** Their indexes among its stories. */
  heldIndexes: number[];
  /** Positions of the paragraphs of stories removed or edited since. */
  removed: number[];
  /** Edited and new stories, in corpus order. */
  appended: Story[];
}

/**
 * The previous generation's stories still in the corpus with the same paragraphs (in its order,
 * as the corpus has them now), the positions of the removed or edited ones' paragraphs, and the
 * edited and new stories. With nothing removed, the new ones can be appended (their labels follow
 * the previous ones). Undefined when the manifest's paragraphs do not add up to its stories.
 */
export function storyChanges(previous: Manifest, stories: readonly Story[]): StoryChanges | undefined {
  const byId = new Map(stories.map((story) => [story.id, story]));
  const changes: StoryChanges = { held: [], heldIndexes: [], removed: [], appended: [] };
  const heldIds = new Set<string>();
  let position = 0;
  for (const [index, { id, paragraphs }] of previous.stories.entries()) {
    const story = byId.get(id);
    const same = story && story.paragraphs.length === paragraphs && story.paragraphs.every((paragraph, i) => previous.paragraphs[position + i]?.hash === paragraph.hash);
    if (same) {
      changes.held.push(story);
      changes.heldIndexes.push(index);
      heldIds.add(id);
    } else {
      for (let i = 0; i < paragraphs; i++) changes.removed.push(position + i);
    }
    position += paragraphs;
  }
  if (position !== previous.paragraphs.length) return undefined;
  changes.appended = stories.filter((story) => !heldIds.has(story.id));
  return changes;
}

/** What a new generation holds. */
interface GenerationContent {
  hash: string;
  previousDir: string | undefined;
  /** The graph to write, or the previous generation's file kept as it is with the labels still searched, in position order. */
  store: HnswStore | KeptGraph;
  /** Each story's centroid, flat in label order. */
  centroids: Float32Array;
  /** Whole, in pieces written one after the other, or the previous file copied and written over at its end. */
  paragraphsFile: string | Buffer | Buffer[] | InPlaceAppend;
  derived: Record<string, DerivedFile>;
  /** In label order, as the manifest lists them. */
  stories: Manifest['stories'];
  paragraphs: Manifest['paragraphs'];
}

/** A graph file kept from the previous generation (linked, not rewritten). */
interface KeptGraph {
  sameAs: string;
  /** The previous generation's delta graph file, kept too. */
  deltaSameAs?: string;
  deltaElements: number;
  /** Position → label of the paragraphs it still holds. */
  labels: Int32Array;
  /** Every entry the file holds, removed ones too. */
  elements: number;
}

/** A generation's paragraph file, search files and manifest lists for `stories` in label order, made in full. */
function writtenInFull(options: Pick<BuildOptions, 'derivedFiles'>, stories: readonly Story[], labels?: Int32Array): Omit<GenerationContent, 'hash' | 'previousDir' | 'store' | 'centroids'> {
  const paragraphs = stories.flatMap((story) => story.paragraphs);
  return {
    paragraphsFile: paragraphsFileText(stories, paragraphs),
    derived: options.derivedFiles?.derive({ texts: paragraphs.map((paragraph) => paragraph.text), storyParagraphs: stories.map((story) => story.paragraphs.length), storyLanguages: stories.map(storyLanguage), labels }) ?? {},
    stories: stories.map((story) => ({ id: story.id, file: story.file, paragraphs: story.paragraphs.length })),
    paragraphs: paragraphs.map((paragraph) => ({ id: paragraph.id, hash: paragraph.hash })),
  };
}

/** Writes a generation folder beside the others, then points `CURRENT` at it: readers see the old index or the new one, never half. */
async function writeGeneration(options: Omit<BuildOptions, 'stories'>, content: GenerationContent): Promise<string> {
  const { embedder, indexDir } = options;
  const builtAt = (options.now ?? (() => new Date()))();
  const generation = `gen-${builtAt.toISOString().replace(/[:.]/g, '-')}-${content.hash.slice(0, 8)}`;
  await mkdir(indexDir, { recursive: true });
  const staging = path.join(indexDir, `.tmp-${generation}-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);

  // The graph is written by a libuv thread (half a second at a year's size) while this one writes the rest.
  const { store } = content;
  const writes: Array<Promise<void>> = [];
  let withDelta: boolean;
  if (store instanceof HnswStore) {
    // A store that did not read the base graph (an append to the delta) keeps the previous file.
    const previousBase = content.previousDir && path.join(content.previousDir, VECTORS_FILE);
    if (store.hasBase) writes.push(store.saveInBackground(path.join(staging, VECTORS_FILE)));
    else if (previousBase) writes.push(writeDerived(path.join(staging, VECTORS_FILE), { sameAs: previousBase }));
    else throw new Error('writeGeneration: a graph without its base and no previous generation.');
    withDelta = store.deltaElements > 0;
    if (withDelta) writes.push(store.saveDeltaInBackground(path.join(staging, DELTA_FILE)));
  } else {
    writes.push(writeDerived(path.join(staging, VECTORS_FILE), { sameAs: store.sameAs }));
    withDelta = store.deltaSameAs !== undefined;
    if (store.deltaSameAs) writes.push(writeDerived(path.join(staging, DELTA_FILE), { sameAs: store.deltaSameAs }));
  }
  writes.push(writePieces(path.join(staging, PARAGRAPHS_FILE), content.paragraphsFile));
  writes.push(writeFile(path.join(staging, HASHES_FILE), paragraphHashesFile(content.paragraphs)));
  for (const [name, file] of Object.entries(content.derived)) writes.push(writeDerived(path.join(staging, name), file));
  writes.push(writeFile(path.join(staging, CENTROIDS_FILE), centroidFileContent(content.centroids)));
  const labels = store instanceof HnswStore ? store.labelMap : store.labels;
  if (labels) writes.push(writeFile(path.join(staging, LABELS_FILE), new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength)));
  await Promise.all(writes);

  const scan = await options.corpusFiles?.();
  const manifest: Omit<Manifest, 'paragraphs'> = {
    formatVersion: INDEX_FORMAT_VERSION,
    builtAt: builtAt.toISOString(),
    builtBy: options.builtBy ?? 'verbatim',
    model: { id: embedder.modelId, hash: embedder.modelHash, dimensions: embedder.dimensions, ...(embedder.prefixes ? { prefixes: embedder.prefixes } : {}) },
    hnsw: { space: 'cosine', ...DEFAULT_HNSW, ...options.hnsw },
    chunkerVersion: CHUNKER_VERSION,
    corpusHash: content.hash,
    graphElements: store.elements,
    deltaElements: store.deltaElements,
    stories: withFileRecords(content.stories, scan?.files),
    files: Object.fromEntries(
      await Promise.all(
        [VECTORS_FILE, ...(withDelta ? [DELTA_FILE] : []), PARAGRAPHS_FILE, HASHES_FILE, CENTROIDS_FILE, ...(labels ? [LABELS_FILE] : []), ...Object.keys(content.derived)].map(async (name) => [name, { bytes: (await stat(path.join(staging, name))).size }]),
      ),
    ),
  };
  await writeFile(path.join(staging, MANIFEST_FILE), manifestText(manifest));

  const finalDir = path.join(indexDir, generation);
  await rename(staging, finalDir);
  const pointerTmp = path.join(indexDir, `.${CURRENT_FILE}.${process.pid}`);
  await writeFile(pointerTmp, `${generation}\n`);
  await rename(pointerTmp, path.join(indexDir, CURRENT_FILE));
  await pruneGenerations(indexDir, [generation, content.previousDir ? path.basename(content.previousDir) : '']);
  return finalDir;
}

/**
 * A file written whole, from pieces in one `writev` (views of a previous file's bytes need no
 * copy), or as a copy of another file (made by the kernel: its bytes never enter this process)
 * written over from an offset and cut after what was written there.
 */
async function writePieces(file: string, content: string | Buffer | Buffer[] | InPlaceAppend): Promise<void> {
  if (typeof content === 'string' || Buffer.isBuffer(content)) return writeFile(file, content);
  if (!Array.isArray(content)) await copyFile(content.copyOf, file);
  const handle = await open(file, Array.isArray(content) ? 'w' : 'r+');
  try {
    if (Array.isArray(content)) await handle.writev(content);
    else {
      await handle.write(content.tail, 0, content.tail.length, content.at);
      await handle.truncate(content.at + content.tail.length);
    }
  } finally {
    await handle.close();
  }
}

/** `use(bytes)`, or undefined without bytes. */
function withBytes<T>(bytes: Buffer | undefined, use: (bytes: Buffer) => T | undefined): T | undefined {
  return bytes && use(bytes);
}

async function writeDerived(file: string, content: DerivedFile): Promise<void> {
  if (typeof content === 'string' || content instanceof Uint8Array) return writeFile(file, content);
  try {
    await link(content.sameAs, file);
  } catch {
    // Another file system, or links not allowed: a copy keeps the same bytes.
    await copyFile(content.sameAs, file);
  }
}

function builtWith(manifest: Manifest, embedder: Embedder): boolean {
  return manifest.model.id === embedder.modelId && manifest.model.hash === embedder.modelHash && manifest.model.dimensions === embedder.dimensions;
}

interface Graph {
  store: HnswStore;
  embedded: number;
  /** Each story's centroid, flat in label order. */
  centroids: Float32Array;
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
function appendVectors(store: HnswStore, vectors: readonly Float32Array[]): number {
  const first = store.size;
  store.reserve(vectors.length);
  vectors.forEach((vector, i) => store.add(first + i, vector));
  return first;
}

/**
 * Centroids of the previous generation's stories at `heldIndexes` (read from its file) followed
 * by those of `appended` (from their vectors, added to the store from position `first`). A
 * generation written before centroids were stored gets them all from the store's vectors once.
 */
function centroidsAfter(
  dir: string,
  previous: Manifest,
  heldIndexes: readonly number[],
  appended: readonly Story[],
  added: { vectors: readonly Float32Array[]; first: number; store: HnswStore },
  width: number,
): Float32Array {
  const appendedCounts = appended.map((story) => story.paragraphs.length);
  const before = readCentroids(dir, previous.stories.length, width);
  if (!before) return storyCentroids([...heldIndexes.map((story) => previous.stories[story]!.paragraphs), ...appendedCounts], (position) => added.store.vector(position), width);
  const centroids = copiedRows(before, heldIndexes, width, appended.length);
  centroids.set(storyCentroids(appendedCounts, (position) => added.vectors[position - added.first]!, width, added.first), heldIndexes.length * width);
  return centroids;
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

function withFileRecords(stories: Manifest['stories'], files: ReadonlyMap<string, FileRecord> | undefined): Manifest['stories'] {
  return stories.map(({ signature: _signature, content: _content, ...story }) => ({ ...story, ...files?.get(story.file) }));
}

/** The manifest as JSON, without its paragraph list (written to `hashes.bin`, see `HASHES_FILE`). */
function manifestText(manifest: Omit<Manifest, 'paragraphs'>): string {
  return `${JSON.stringify(manifestFields(manifest), null, 2)}\n`;
}

/** A manifest's fields but its paragraph list, which is not read (see `parseManifest`). */
function manifestFields(manifest: Omit<Manifest, 'paragraphs'>): Omit<Manifest, 'paragraphs'> {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(manifest)) if (key !== 'paragraphs') fields[key] = manifest[key as keyof typeof manifest];
  return fields as Omit<Manifest, 'paragraphs'>;
}

/**
 * Replaces a generation's manifest with one recording how its story files look now (see
 * `scanCorpus`). A manifest that still lists the paragraph hashes itself (written before
 * `hashes.bin`) gets the file first.
 */
async function recordFiles(dir: string, manifest: Manifest, stories: Manifest['stories']): Promise<void> {
  let files = manifest.files;
  if (!files[HASHES_FILE]) {
    const hashes = paragraphHashesFile(manifest.paragraphs);
    await writeFile(path.join(dir, HASHES_FILE), hashes);
    files = { ...files, [HASHES_FILE]: { bytes: hashes.length } };
  }
  const temporary = path.join(dir, `.${MANIFEST_FILE}.${process.pid}`);
  await writeFile(temporary, manifestText({ ...manifestFields(manifest), stories, files }));
  await rename(temporary, path.join(dir, MANIFEST_FILE));
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
    checkIndex(indexDir, { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: hnsw.efSearch }, 'story list');
    return true;
  } catch {
    return false;
  }
}

function sameGraph(stored: Manifest['hnsw'], wanted: HnswParameters): boolean {
  return stored.M === wanted.M && stored.efConstruction === wanted.efConstruction && stored.randomSeed === wanted.randomSeed;
}

/** Vectors of the previous generation keyed by paragraph hash; empty when it cannot be read. */
function readReusableVectors(dir: string, manifest: Manifest): Map<string, Float32Array> {
  const byHash = new Map<string, Float32Array>();
  // A damaged previous index only means everything is embedded again.
  const store = readPreviousGraph(dir, manifest, manifest.hnsw.efSearch);
  if (store) manifest.paragraphs.forEach((paragraph, label) => byHash.set(paragraph.hash, store.vector(label)));
  return byHash;
}

/**
 * The previous generation's graph (its delta folded into the base: a build that reads the whole
 * graph writes it whole), or undefined when it is missing, damaged or does not match its manifest.
 */
function readPreviousGraph(dir: string, manifest: Manifest, efSearch: number): HnswStore | undefined {
  const graph = graphFiles(dir, manifest);
  if (!graph) return undefined;
  try {
    const store = HnswStore.read(graph.base, manifest.model.dimensions, efSearch, readLabelMap(dir, manifest), graph.delta);
    store.foldDelta();
    return store.size === manifestParagraphCount(manifest) ? store : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A generation's graph files (the base, and the delta when it has one) when each has the size its
 * manifest recorded; undefined otherwise. A file of the wrong size is not handed to the native
 * reader at all, nor linked into a new generation.
 */
function graphFiles(dir: string, manifest: Manifest): { base: string; delta: string | undefined } | undefined {
  const base = path.join(dir, VECTORS_FILE);
  const delta = deltaFile(dir, manifest);
  const whole = (file: string, name: string) => {
    try {
      return manifest.files[name] !== undefined && statSync(file).size === manifest.files[name].bytes;
    } catch {
      return false;
    }
  };
  return whole(base, VECTORS_FILE) && (!delta || whole(delta, DELTA_FILE)) ? { base, delta } : undefined;
}

/**
 * The previous generation's delta graph alone, for appending `adding` vectors without reading
 * its base: undefined when the delta would grow past `DELTA_SHARE` of the graph (the caller then
 * reads the whole graph and folds the delta in) or cannot be read.
 */
function readPreviousDelta(dir: string, manifest: Manifest, hnsw: HnswParameters, adding: number): HnswStore | undefined {
  const elements = manifest.graphElements;
  const inDelta = manifest.deltaElements ?? 0;
  // Without stored centroids the appended ones would be computed from every vector, base included.
  if (elements === undefined || !manifest.files[CENTROIDS_FILE] || inDelta + adding > Math.max(DELTA_MIN, DELTA_SHARE * elements)) return undefined;
  const graph = graphFiles(dir, manifest);
  if (!graph || (!graph.delta && inDelta > 0)) return undefined;
  try {
    const store = HnswStore.readDelta(elements - inDelta, graph.delta, manifest.model.dimensions, hnsw, readLabelMap(dir, manifest));
    return store.elements === elements && store.size === manifestParagraphCount(manifest) ? store : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How large the delta graph may grow before an append folds it into the base: 5 % of the graph,
 * at least 2,000 entries. Reading and writing it stays well under a second; a search asks two
 * graphs instead of one.
 */
const DELTA_SHARE = 0.05;
const DELTA_MIN = 2000;

async function embedMissing(
  paragraphs: readonly Paragraph[],
  reusable: Map<string, Float32Array>,
  embedder: Embedder,
  onProgress?: (done: number, total: number) => void,
  checkpoint?: EmbeddingCheckpoint,
): Promise<{ vectors: Float32Array[]; embedded: number }> {
  const vectors: Float32Array[] = paragraphs.map((paragraph) => reusable.get(paragraph.hash) ?? new Float32Array(0));
  const missing = paragraphs.flatMap((paragraph, label) => (reusable.has(paragraph.hash) ? [] : [label]));
  onProgress?.(0, missing.length);
  let done = 0;
  for (const labels of embeddingChunks(missing, (label) => paragraphs[label]!.text.length)) {
    const embedded = await embedder.embed(labels.map((label) => paragraphs[label]!.text));
    labels.forEach((label, i) => (vectors[label] = embedded[i]!));
    checkpoint?.append(labels.map((label) => paragraphs[label]!.hash), embedded);
    done += labels.length;
    onProgress?.(done, missing.length);
  }
  return { vectors, embedded: missing.length };
}

/**
 * The embed calls a build makes for these paragraphs (positions into them): shortest first, so
 * each chunk holds texts of similar length (the embedder pads a batch to its longest token
 * count), `EMBED_CHUNK` at a time.
 */
export function embeddingChunks(positions: readonly number[], lengthOf: (position: number) => number): number[][] {
  const order = [...positions].sort((a, b) => lengthOf(a) - lengthOf(b) || a - b);
  const chunks: number[][] = [];
  for (let start = 0; start < order.length; start += EMBED_CHUNK) chunks.push(order.slice(start, start + EMBED_CHUNK));
  return chunks;
}

/** The texts of each embed call appending these new stories makes (see `appendedGraph`): what an add can ask the model for ahead. */
export function appendEmbedCalls(stories: ReadonlyArray<{ paragraphs: readonly string[] }>): string[][] {
  const texts = stories.flatMap((story) => story.paragraphs);
  return embeddingChunks(texts.map((_, position) => position), (position) => texts[position]!.length).map((chunk) => chunk.map((position) => texts[position]!));
}

/** Removes old generations and staging folders left by crashed builds. */
async function pruneGenerations(indexDir: string, keep: string[]): Promise<void> {
  const entries = await readdir(indexDir, { withFileTypes: true });
  const generations = entries
    .filter((entry) => entry.isDirectory() && (entry.name.startsWith('gen-') || entry.name.startsWith('.tmp-')))
    .map((entry) => entry.name)
    .sort();
  const kept = new Set(keep.filter(Boolean).slice(0, GENERATIONS_KEPT + 1));
  for (const name of generations) {
    if (kept.has(name)) continue;
    // A staging folder of a build still running in another process must survive.
    if (name.startsWith('.tmp-') && isRunning(Number(name.split('-').pop()))) continue;
    const full = path.join(indexDir, name);
    if (existsSync(full)) await rm(full, { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
