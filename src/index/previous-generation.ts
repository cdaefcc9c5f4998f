// The current generation as a build reuses it: whether it was made the same way (format, chunker,
// model, graph parameters), its graph files checked against the manifest, its graph and vectors.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CHUNKER_VERSION } from '../corpus/index.js';
import type { Embedder } from '../embed/index.js';
import { currentGeneration, deltaFile, readLabelMap, readManifest } from './load.js';
import { DELTA_FILE, INDEX_FORMAT_VERSION, PARAGRAPHS_FILE, VECTORS_FILE, manifestParagraphCount, type Manifest, type StoredStory } from './manifest.js';
import { listStories, type ListedStories } from './paragraphs-file.js';
import { HnswStore, type HnswParameters } from './vector-store.js';

/**
 * The current generation when it can be changed in place (the same format, chunker, model and
 * graph parameters), with its paragraph file's story list (and its bytes, read when asked for);
 * undefined when there is none, it was made another way, or its paragraph file is not the one its
 * manifest recorded.
 */
export async function changeableGeneration(
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

export function builtWith(manifest: Manifest, embedder: Embedder): boolean {
  return manifest.model.id === embedder.modelId && manifest.model.hash === embedder.modelHash && manifest.model.dimensions === embedder.dimensions;
}

export function sameGraph(stored: Manifest['hnsw'], wanted: HnswParameters): boolean {
  return stored.M === wanted.M && stored.efConstruction === wanted.efConstruction && stored.randomSeed === wanted.randomSeed;
}

/** Vectors of the previous generation keyed by paragraph hash; empty when it cannot be read. */
export function readReusableVectors(dir: string, manifest: Manifest): Map<string, Float32Array> {
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
export function readPreviousGraph(dir: string, manifest: Manifest, efSearch: number): HnswStore | undefined {
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
export function graphFiles(dir: string, manifest: Manifest): { base: string; delta: string | undefined } | undefined {
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
