import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CHUNKER_VERSION, corpusHash, type Paragraph, type Story } from '../corpus/index.js';
import type { Embedder } from '../embed/index.js';
import { checkIndex, currentGeneration, readManifest } from './load.js';
import {
  CURRENT_FILE,
  INDEX_FORMAT_VERSION,
  MANIFEST_FILE,
  PARAGRAPHS_FILE,
  VECTORS_FILE,
  type Manifest,
} from './manifest.js';
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
   * Files derived from the paragraph texts (in label order) by the layers above, written into
   * the generation and size-checked like the others: the index stays ignorant of what they hold.
   */
  derivedFiles?: (texts: readonly string[]) => Record<string, string>;
  /** Recorded in the manifest, for `upToDate` (see `corpusFingerprint` in src/corpus). */
  corpusFingerprint?: string;
  now?: () => Date;
}

export interface BuildReport {
  /** False when the existing index already matched the corpus and model. */
  changed: boolean;
  dir: string;
  stories: number;
  paragraphs: number;
  embedded: number;
  reused: number;
}

const EMBED_CHUNK = 64;
/** Generations kept besides the new one, so a process still reading the last one is not cut off. */
const GENERATIONS_KEPT = 1;

/**
 * Builds the index for `stories`: embeds only paragraphs whose text or model changed, writes a
 * new generation folder, then switches `CURRENT` to it with an atomic rename.
 */
export async function buildIndex(options: BuildOptions): Promise<BuildReport> {
  const { stories, embedder, indexDir } = options;
  const hnsw: HnswParameters = { ...DEFAULT_HNSW, ...options.hnsw };
  const paragraphs = stories.flatMap((story) => story.paragraphs);
  const hash = corpusHash(stories);

  const previousDir = currentGeneration(indexDir);
  const previous = previousDir ? readManifest(previousDir) : undefined;
  const sameModel =
    previous !== undefined &&
    previous.formatVersion === INDEX_FORMAT_VERSION &&
    previous.model.id === embedder.modelId &&
    previous.model.hash === embedder.modelHash &&
    previous.model.dimensions === embedder.dimensions;

  const unchanged = !options.force && sameModel && previousDir && previous.corpusHash === hash && sameGraph(previous.hnsw, hnsw);
  // "Up to date" only when the index also loads: a damaged one is rebuilt, not kept.
  if (unchanged && previousDir && loads(indexDir, embedder, hnsw)) {
    // Remember the files' fingerprint, so the next unchanged build need not read them.
    if (options.corpusFingerprint && previous.corpusFingerprint !== options.corpusFingerprint) {
      const temporary = path.join(previousDir, `.${MANIFEST_FILE}.${process.pid}`);
      await writeFile(temporary, `${JSON.stringify({ ...previous, corpusFingerprint: options.corpusFingerprint }, null, 2)}\n`);
      await rename(temporary, path.join(previousDir, MANIFEST_FILE));
    }
    return { changed: false, dir: previousDir, stories: stories.length, paragraphs: paragraphs.length, embedded: 0, reused: paragraphs.length };
  }

  const reusable = sameModel && previousDir ? readReusableVectors(previousDir, previous) : new Map<string, Float32Array>();
  const vectors = await embedMissing(paragraphs, reusable, embedder, options.onProgress);

  const store = HnswStore.create(embedder.dimensions, paragraphs.length, hnsw);
  paragraphs.forEach((_, label) => store.add(label, vectors.vectors[label]!));

  const builtAt = (options.now ?? (() => new Date()))();
  const generation = `gen-${builtAt.toISOString().replace(/[:.]/g, '-')}-${hash.slice(0, 8)}`;
  await mkdir(indexDir, { recursive: true });
  const staging = path.join(indexDir, `.tmp-${generation}-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);

  store.save(path.join(staging, VECTORS_FILE));
  const paragraphsFile = {
    stories: stories.map((story) => ({
      id: story.id,
      file: story.file,
      title: story.title,
      outlet: story.outlet,
      authors: story.authors,
      published: story.published,
      url: story.url,
      paragraphCount: story.paragraphs.length,
    })),
    paragraphs: paragraphs.map(({ id, storyId, number, text, hash: paragraphHash }) => ({ id, storyId, number, text, hash: paragraphHash })),
  };
  await writeFile(path.join(staging, PARAGRAPHS_FILE), JSON.stringify(paragraphsFile));
  const derived = options.derivedFiles?.(paragraphs.map((paragraph) => paragraph.text)) ?? {};
  for (const [name, content] of Object.entries(derived)) await writeFile(path.join(staging, name), content);

  const manifest: Manifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    builtAt: builtAt.toISOString(),
    builtBy: options.builtBy ?? 'verbatim',
    model: { id: embedder.modelId, hash: embedder.modelHash, dimensions: embedder.dimensions },
    hnsw: { space: 'cosine', ...hnsw },
    chunkerVersion: CHUNKER_VERSION,
    corpusHash: hash,
    ...(options.corpusFingerprint ? { corpusFingerprint: options.corpusFingerprint } : {}),
    stories: stories.map((story) => ({ id: story.id, file: story.file, paragraphs: story.paragraphs.length })),
    paragraphs: paragraphs.map((paragraph) => ({ id: paragraph.id, hash: paragraph.hash })),
    files: {
      [VECTORS_FILE]: { bytes: (await stat(path.join(staging, VECTORS_FILE))).size },
      [PARAGRAPHS_FILE]: { bytes: (await stat(path.join(staging, PARAGRAPHS_FILE))).size },
      ...Object.fromEntries(await Promise.all(Object.keys(derived).map(async (name) => [name, { bytes: (await stat(path.join(staging, name))).size }]))),
    },
  };
  await writeFile(path.join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);

  const finalDir = path.join(indexDir, generation);
  await rename(staging, finalDir);
  const pointerTmp = path.join(indexDir, `.${CURRENT_FILE}.${process.pid}`);
  await writeFile(pointerTmp, `${generation}\n`);
  await rename(pointerTmp, path.join(indexDir, CURRENT_FILE));
  await pruneGenerations(indexDir, [generation, previousDir ? path.basename(previousDir) : '']);

  return {
    changed: true,
    dir: finalDir,
    stories: stories.length,
    paragraphs: paragraphs.length,
    embedded: vectors.embedded,
    reused: paragraphs.length - vectors.embedded,
  };
}

/**
 * The current index when it was built from a corpus with this fingerprint, with this model and
 * these graph parameters, and passes every check short of reading the graph: a rebuild that can
 * stop before reading the corpus. Undefined when anything may have changed.
 */
export function upToDate(indexDir: string, fingerprint: string | undefined, embedder: Embedder, hnsw: Partial<HnswParameters> = {}): BuildReport | undefined {
  const dir = fingerprint ? currentGeneration(indexDir) : undefined;
  const manifest = dir ? readManifest(dir) : undefined;
  const wanted: HnswParameters = { ...DEFAULT_HNSW, ...hnsw };
  if (!dir || !manifest || manifest.corpusFingerprint !== fingerprint || manifest.formatVersion !== INDEX_FORMAT_VERSION) return undefined;
  if (manifest.model.id !== embedder.modelId || manifest.model.hash !== embedder.modelHash || !sameGraph(manifest.hnsw, wanted)) return undefined;
  if (!loads(indexDir, embedder, wanted)) return undefined;
  return { changed: false, dir, stories: manifest.stories.length, paragraphs: manifest.paragraphs.length, embedded: 0, reused: manifest.paragraphs.length };
}

/** Whether the current index would load (every check but reading the graph, which a size check stands for). */
function loads(indexDir: string, embedder: Embedder, hnsw: HnswParameters): boolean {
  try {
    checkIndex(indexDir, { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: hnsw.efSearch });
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
  try {
    // A file of the wrong size is not handed to the native reader at all.
    const bytes = manifest.files[VECTORS_FILE]?.bytes;
    if (bytes === undefined || statSync(path.join(dir, VECTORS_FILE)).size !== bytes) return byHash;
    const store = HnswStore.read(path.join(dir, VECTORS_FILE), manifest.model.dimensions, manifest.hnsw.efSearch);
    if (store.size !== manifest.paragraphs.length) return byHash;
    manifest.paragraphs.forEach((paragraph, label) => byHash.set(paragraph.hash, store.vector(label)));
  } catch {
    // A damaged previous index only means everything is embedded again.
  }
  return byHash;
}

async function embedMissing(
  paragraphs: readonly Paragraph[],
  reusable: Map<string, Float32Array>,
  embedder: Embedder,
  onProgress?: (done: number, total: number) => void,
): Promise<{ vectors: Float32Array[]; embedded: number }> {
  const vectors: Float32Array[] = paragraphs.map((paragraph) => reusable.get(paragraph.hash) ?? new Float32Array(0));
  // Shortest first, so each chunk holds texts of similar length (the embedder pads a batch to its longest).
  const missing = paragraphs.flatMap((paragraph, label) => (reusable.has(paragraph.hash) ? [] : [label])).sort((a, b) => paragraphs[a]!.text.length - paragraphs[b]!.text.length || a - b);
  onProgress?.(0, missing.length);
  for (let start = 0; start < missing.length; start += EMBED_CHUNK) {
    const labels = missing.slice(start, start + EMBED_CHUNK);
    const embedded = await embedder.embed(labels.map((label) => paragraphs[label]!.text));
    labels.forEach((label, i) => (vectors[label] = embedded[i]!));
    onProgress?.(Math.min(start + EMBED_CHUNK, missing.length), missing.length);
  }
  return { vectors, embedded: missing.length };
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
