// Generations on disk: a new one written in a staging folder beside the others and switched to
// with an atomic rename of `CURRENT`, its manifest, and the old ones pruned.
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CHUNKER_VERSION, corpusHash, storyLanguage, type FileRecord, type HashedStory, type Story } from '../corpus/index.js';
import type { BuildOptions } from './build-options.js';
import { CENTROIDS_FILE, centroidFileContent } from './centroids.js';
import type { DerivedFile } from './derived-files.js';
import { CURRENT_FILE, DELTA_FILE, HASHES_FILE, INDEX_FORMAT_VERSION, LABELS_FILE, MANIFEST_FILE, PARAGRAPHS_FILE, VECTORS_FILE, paragraphHashesFile, type Manifest } from './manifest.js';
import { paragraphsFileText, type InPlaceAppend } from './paragraphs-file.js';
import { DEFAULT_HNSW, HnswStore } from './vector-store.js';

/** Generations kept besides the new one, so a process still reading the last one is not cut off. */
const GENERATIONS_KEPT = 1;

/** The corpus hash a full load of these stories gives: `loadCorpus` reads them in file-name order. */
export function hashInFileOrder(stories: Array<HashedStory & { file: string }>): string {
  return corpusHash(stories.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)));
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
export function writtenInFull(options: Pick<BuildOptions, 'derivedFiles'>, stories: readonly Story[], labels?: Int32Array): Omit<GenerationContent, 'hash' | 'previousDir' | 'store' | 'centroids'> {
  const paragraphs = stories.flatMap((story) => story.paragraphs);
  return {
    paragraphsFile: paragraphsFileText(stories, paragraphs),
    derived: options.derivedFiles?.derive({ texts: paragraphs.map((paragraph) => paragraph.text), storyParagraphs: stories.map((story) => story.paragraphs.length), storyLanguages: stories.map(storyLanguage), labels }) ?? {},
    stories: stories.map((story) => ({ id: story.id, file: story.file, paragraphs: story.paragraphs.length })),
    paragraphs: paragraphs.map((paragraph) => ({ id: paragraph.id, hash: paragraph.hash })),
  };
}

/** Writes a generation folder beside the others, then points `CURRENT` at it: readers see the old index or the new one, never half. */
export async function writeGeneration(options: Omit<BuildOptions, 'stories'>, content: GenerationContent): Promise<string> {
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

async function writeDerived(file: string, content: DerivedFile): Promise<void> {
  if (typeof content === 'string' || content instanceof Uint8Array) return writeFile(file, content);
  try {
    await link(content.sameAs, file);
  } catch {
    // Another file system, or links not allowed: a copy keeps the same bytes.
    await copyFile(content.sameAs, file);
  }
}

export function withFileRecords(stories: Manifest['stories'], files: ReadonlyMap<string, FileRecord> | undefined): Manifest['stories'] {
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
export async function recordFiles(dir: string, manifest: Manifest, stories: Manifest['stories']): Promise<void> {
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
