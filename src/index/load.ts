import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
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
  parseManifest,
  type Manifest,
  type ParagraphsFile,
  type StoredParagraph,
  type StoredStory,
} from './manifest.js';
import { CHUNKER_VERSION, type IndexedSummary, type KnownStory } from '../corpus/index.js';
import { CENTROIDS_FILE, readCentroids } from './centroids.js';
import { HnswStore } from './vector-store.js';
import { readParagraphsFile, readParagraphsLazily, readStoryList } from './paragraphs-file.js';

export interface LoadedIndex {
  /** The generation folder this index was read from. */
  dir: string;
  manifest: Manifest;
  stories: StoredStory[];
  /** In label order: `paragraphs[label]`. */
  paragraphs: StoredParagraph[];
  store: HnswStore;
  /** Each story's centroid, flat in story order; undefined for an index written before they were stored. */
  centroids?: Float32Array;
  /** Each position's graph label, once paragraphs were removed (the positions themselves while undefined). */
  labels?: Int32Array;
  /** Which file the base graph was read from (device, inode, size): a later generation that links it need not read it again. */
  baseGraph?: string;
}

/** What the loaded index must match: the model that will embed the questions. */
export interface IndexExpectation {
  modelId: string;
  modelHash: string;
  dimensions: number;
  efSearch: number;
  /** The embedder's query and passage prefixes; absent = none. */
  prefixes?: { query: string; passage: string } | undefined;
}

/** Thrown when there is no index yet; the terminal builds one, other callers say what to run. */
export class IndexMissingError extends UserError {
  override name = 'IndexMissingError';
}

const REBUILD = 'run npm run build-index';

/** The generation folder named by `CURRENT`, or undefined when no index was ever built. */
export function currentGeneration(indexDir: string): string | undefined {
  const pointer = path.join(indexDir, CURRENT_FILE);
  if (!existsSync(pointer)) return undefined;
  const name = readFileSync(pointer, 'utf8').trim();
  return name ? path.join(indexDir, name) : undefined;
}

/** The last manifest read, with the file's identity then: a rebuild reads it up to three times. */
let lastRead: { file: string; stamp: string; manifest: Manifest | undefined } | undefined;

/**
 * Reads and validates a manifest; undefined when missing or unreadable. The same file read again
 * (same inode, size and times: manifests are only ever replaced by a rename) is not parsed again,
 * which at a year's size is a tenth of a second each time.
 */
export function readManifest(generationDir: string): Manifest | undefined {
  const file = path.join(generationDir, MANIFEST_FILE);
  try {
    const info = statSync(file);
    const stamp = `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
    if (lastRead?.file === file && lastRead.stamp === stamp) return lastRead.manifest;
    lastRead = { file, stamp, manifest: parseManifest(readFileSync(file), () => readFileSync(path.join(generationDir, HASHES_FILE))) };
    return lastRead.manifest;
  } catch {
    return undefined;
  }
}

/** The generation's position → graph label map, when it has one (see `HnswStore`); throws when unreadable. */
export function readLabelMap(dir: string, manifest: Manifest): Int32Array | undefined {
  if (!manifest.files[LABELS_FILE]) return undefined;
  const bytes = readFileSync(path.join(dir, LABELS_FILE));
  if (bytes.length % 4 !== 0) throw new Error('The label map is damaged.');
  // A copy, so the array starts on a 4-byte boundary.
  return new Int32Array(new Uint8Array(bytes).buffer);
}

/** Loads the current index and checks it was built the way this process will query it. */
export function loadIndex(indexDir: string, expected: IndexExpectation): LoadedIndex {
  const { dir, manifest, stored } = checkIndex(indexDir, expected);
  let store: HnswStore;
  let labels: Int32Array | undefined;
  try {
    labels = readLabelMap(dir, manifest);
    store = HnswStore.read(path.join(dir, VECTORS_FILE), manifest.model.dimensions, expected.efSearch, labels, deltaFile(dir, manifest));
  } catch {
    throw new UserError(`The vector file in ${dir} cannot be read: ${REBUILD}.`);
  }
  return { ...checkedParts(dir, manifest, stored), ...(labels ? { labels } : {}), store: checkedStore(dir, store, stored.paragraphs.length) };
}

/** An index whose graph is still being read on another thread: everything else can be used meanwhile. */
export type PendingIndex = Omit<LoadedIndex, 'store'> & { store: Promise<HnswStore> };

/**
 * `loadIndex` with the graph read on a libuv thread: checks everything first (throwing the same
 * sentences), then returns while the graph is read, so a start can load the search files in the
 * meantime. Await `store` before answering.
 */
export function beginLoadIndex(indexDir: string, expected: IndexExpectation, previous?: LoadedIndex): PendingIndex {
  // The graph is read from as soon as the files are known to be there and whole; the paragraphs meanwhile.
  const { dir, manifest } = checkIndex(indexDir, expected, 'sizes');
  let labels: Int32Array | undefined;
  try {
    labels = readLabelMap(dir, manifest);
  } catch {
    throw new UserError(`The vector file in ${dir} cannot be read: ${REBUILD}.`);
  }
  const paragraphs = manifestParagraphCount(manifest);
  const baseGraph = fileIdentity(path.join(dir, VECTORS_FILE));
  // A generation that linked the base graph file of the index in memory (stories added or removed since) shares it.
  const reading =
    previous && baseGraph !== undefined && previous.baseGraph === baseGraph && previous.manifest.model.dimensions === manifest.model.dimensions
      ? HnswStore.withBaseOf(previous.store, expected.efSearch, labels, deltaFile(dir, manifest))
      : HnswStore.readInBackground(path.join(dir, VECTORS_FILE), manifest.model.dimensions, expected.efSearch, labels, deltaFile(dir, manifest));
  const store = reading.then(
    (graph) => checkedStore(dir, graph, paragraphs),
    () => {
      throw new UserError(`The vector file in ${dir} cannot be read: ${REBUILD}.`);
    },
  );
  // Rejections are the caller's when it awaits; none goes unhandled if it fails before that.
  store.catch(() => {});
  const stored = checkedParagraphs(dir, manifest);
  return { ...checkedParts(dir, manifest, stored), ...(labels ? { labels } : {}), ...(baseGraph ? { baseGraph } : {}), store };
}

function fileIdentity(file: string): string | undefined {
  try {
    const info = statSync(file);
    return `${info.dev}:${info.ino}:${info.size}`;
  } catch {
    return undefined;
  }
}

/** The generation's delta graph file, when it has one. */
export function deltaFile(dir: string, manifest: Manifest): string | undefined {
  return manifest.files[DELTA_FILE] ? path.join(dir, DELTA_FILE) : undefined;
}

function checkedStore(dir: string, store: HnswStore, paragraphs: number): HnswStore {
  if (store.size !== paragraphs) throw new UserError(`The vector file in ${dir} holds ${store.size} vectors for ${paragraphs} paragraphs: ${REBUILD}.`);
  return store;
}

function checkedParts(dir: string, manifest: Manifest, stored: ParagraphsFile): Omit<LoadedIndex, 'store'> {
  const centroids = manifest.files[CENTROIDS_FILE] ? readCentroids(dir, stored.stories.length, manifest.model.dimensions) : undefined;
  return { dir, manifest, stories: stored.stories, paragraphs: stored.paragraphs, ...(centroids ? { centroids } : {}) };
}

/**
 * Everything `loadIndex` checks short of reading the vectors into a graph (the slow part at a
 * year's size): the pointer, the manifest, the model, every file's size and the paragraph file.
 * Throws the same sentences.
 */
export function checkIndex(indexDir: string, expected: IndexExpectation, read: 'story list' | 'sizes'): { dir: string; manifest: Manifest };
export function checkIndex(indexDir: string, expected: IndexExpectation): { dir: string; manifest: Manifest; stored: ParagraphsFile };
/**
 * `read`: how far the paragraph file is checked beyond its size: in full (read, lazily, the
 * default), only its story list against the manifest's (`story list`), or not at all (`sizes`:
 * for a caller that reads it next, see `checkedParagraphs`).
 */
export function checkIndex(
  indexDir: string,
  expected: IndexExpectation,
  read: 'paragraphs' | 'story list' | 'sizes' = 'paragraphs',
): { dir: string; manifest: Manifest; stored?: ParagraphsFile } {
  const dir = currentGeneration(indexDir);
  if (!dir) throw new IndexMissingError(`There is no index in ${indexDir} yet: ${REBUILD}.`);
  if (!existsSync(dir)) throw new UserError(`The index in ${indexDir} points to a missing folder: ${REBUILD}.`);

  const manifest = readManifest(dir);
  if (!manifest) throw new UserError(`The index manifest in ${dir} is missing or unreadable: ${REBUILD}.`);
  if (manifest.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new UserError(
      `The index was written in format ${manifest.formatVersion} but this version of Verbatim reads format ${INDEX_FORMAT_VERSION}: ${REBUILD}.`,
    );
  }
  if (manifest.model.id !== expected.modelId) {
    throw new UserError(
      `The index was built with the model "${manifest.model.id}" but EMBED_MODEL is "${expected.modelId}": ${REBUILD} (or set EMBED_MODEL back).`,
    );
  }
  if (manifest.model.dimensions !== expected.dimensions) {
    throw new UserError(
      `The index holds ${manifest.model.dimensions}-dimensional vectors but the model makes ${expected.dimensions}: ${REBUILD}.`,
    );
  }
  const prefixes = (value: { query: string; passage: string } | undefined) => (value ? `query "${value.query}", passage "${value.passage}"` : 'no prefixes');
  if (prefixes(manifest.model.prefixes) !== prefixes(expected.prefixes)) {
    throw new UserError(`The index was embedded with ${prefixes(manifest.model.prefixes)} but the model now uses ${prefixes(expected.prefixes)}: ${REBUILD}.`);
  }
  if (manifest.model.hash !== expected.modelHash) {
    throw new UserError(`The index was built with different files for the model "${expected.modelId}": ${REBUILD}.`);
  }
  for (const [name, { bytes }] of Object.entries(manifest.files)) {
    const file = path.join(dir, name);
    const actual = existsSync(file) ? statSync(file).size : -1;
    if (actual !== bytes) throw new UserError(`The index file ${file} is missing or damaged (${describeSize(actual, bytes)}): ${REBUILD}.`);
  }

  if (read === 'sizes') return { dir, manifest };
  if (read === 'story list') {
    const storyList = readStoryList(dir, manifest.files[PARAGRAPHS_FILE]?.bytes);
    if (!storyList) throw new UserError(`The paragraph file in ${dir} cannot be read: ${REBUILD}.`);
    if (!describesManifest(storyList, manifest)) throw new UserError(`The paragraph file in ${dir} does not match its manifest: ${REBUILD}.`);
    return { dir, manifest };
  }
  return { dir, manifest, stored: checkedParagraphs(dir, manifest) };
}

/** The generation's paragraph file, read lazily (see `readParagraphsLazily`), when it matches its manifest; else one sentence. */
function checkedParagraphs(dir: string, manifest: Manifest): ParagraphsFile {
  const stored = readParagraphsLazily(dir);
  if (!stored) throw new UserError(`The paragraph file in ${dir} cannot be read: ${REBUILD}.`);
  if (stored.paragraphs.length !== manifestParagraphCount(manifest) || !describesManifest(stored.stories, manifest)) {
    throw new UserError(`The paragraph file in ${dir} does not match its manifest: ${REBUILD}.`);
  }
  return stored;
}

/**
 * The stories of the current index by file name, without their texts, each with how its file was
 * when it was read: what `corpusSummaries` takes instead of reading unchanged files. Reads the
 * manifest and the head of the paragraph file only. Empty when there is no readable index.
 */
export function indexedSummaries(indexDir: string): Map<string, IndexedSummary> {
  const indexed = new Map<string, IndexedSummary>();
  const dir = currentGeneration(indexDir);
  const manifest = dir ? readManifest(dir) : undefined;
  if (!dir || !manifest || manifest.chunkerVersion !== CHUNKER_VERSION) return indexed;
  const storyList = readStoryList(dir, manifest.files[PARAGRAPHS_FILE]?.bytes);
  if (!storyList || !describesManifest(storyList, manifest)) return indexed;
  withParagraphRuns(storyList, manifest.paragraphs).forEach((summary, i) => {
    const { signature, content } = manifest.stories[i]!;
    if (signature === undefined && content === undefined) return;
    indexed.set(summary.file, { record: signature !== undefined ? { signature } : { content }, summary });
  });
  return indexed;
}

/**
 * Each story of a generation's story list with its run of `paragraphs` (a story's paragraphs
 * follow each other in label order): the manifest's hashes, or the paragraph file's texts.
 */
export function withParagraphRuns<P>(storyList: readonly StoredStory[], paragraphs: readonly P[]): Array<Omit<StoredStory, 'paragraphCount'> & { paragraphs: P[] }> {
  let label = 0;
  return storyList.map(({ paragraphCount, ...attribution }) => {
    label += paragraphCount;
    return { ...attribution, paragraphs: paragraphs.slice(label - paragraphCount, label) };
  });
}

/** Whether a paragraph file's story list is the manifest's, story for story. */
export function describesManifest(storyList: readonly StoredStory[], manifest: Manifest): boolean {
  return (
    storyList.length === manifest.stories.length &&
    storyList.every((story, i) => {
      const entry = manifest.stories[i]!;
      return story.id === entry.id && story.file === entry.file && story.paragraphCount === entry.paragraphs;
    })
  );
}

/**
 * The stories of the current index by file name, with the file signature each was read at: what
 * `loadCorpus` reuses instead of reading files that did not change. Empty when there is no
 * readable index (everything is then read from the files, as before).
 */
export function knownStories(indexDir: string): Map<string, KnownStory> {
  const known = new Map<string, KnownStory>();
  const dir = currentGeneration(indexDir);
  const manifest = dir ? readManifest(dir) : undefined;
  if (!dir || !manifest || manifest.chunkerVersion !== CHUNKER_VERSION) return known;
  try {
    if (statSync(path.join(dir, PARAGRAPHS_FILE)).size !== manifest.files[PARAGRAPHS_FILE]?.bytes) return known;
    const stored = readParagraphsFile(dir);
    if (!stored || !describesManifest(stored.stories, manifest) || stored.paragraphs.length !== manifest.paragraphs.length) return known;
    withParagraphRuns(stored.stories, stored.paragraphs).forEach((story, i) => {
      const { signature } = manifest.stories[i]!;
      if (signature) known.set(story.file, { signature, story });
    });
  } catch {
    known.clear();
  }
  return known;
}

function describeSize(actual: number, expected: number): string {
  return actual < 0 ? 'not found' : `${actual} bytes, expected ${expected}`;
}
