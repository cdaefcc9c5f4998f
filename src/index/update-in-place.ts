// Stories removed or edited, changed in the previous graph: their paragraphs marked deleted, the
// edited and new stories appended after them.
import { appendVectors } from './append.js';
import type { BuildOptions, BuildReport } from './build-options.js';
import { centroidsAfter } from './centroids.js';
import type { StoryChanges } from './changes.js';
import { embedMissing } from './embedding.js';
import { writeGeneration, writtenInFull } from './generation.js';
import type { Manifest } from './manifest.js';
import { readPreviousGraph } from './previous-generation.js';
import { MAX_REMOVED_SHARE } from './remove.js';
import { DEFAULT_HNSW, type HnswParameters } from './vector-store.js';

/**
 * The previous generation with the removed and edited stories' paragraphs marked deleted in its
 * graph (the others keep their vectors and links) and the edited and new stories appended after
 * them, embedding only paragraph texts the graph does not hold; the paragraph file, centroids and
 * search files are written for the result. At a year's size this is seconds where building a
 * graph is a minute. Undefined when the graph cannot be read or would hold too many deleted entries.
 */
export async function updateInPlace(options: BuildOptions, previousDir: string, previous: Manifest, kept: StoryChanges, hash: string): Promise<BuildReport | undefined> {
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
