// Removing stories from the current index without reading or writing its graph: the removed
// paragraphs are left out of the labels a new generation searches.
import type { BuildOptions, BuildReport } from './build-options.js';
import { copiedRows, readCentroids } from './centroids.js';
import { hashInFileOrder, writeGeneration } from './generation.js';
import { describesManifest, readLabelMap, withParagraphRuns } from './load.js';
import { LABELS_FILE } from './manifest.js';
import { lazyParagraphs, withoutStories } from './paragraphs-file.js';
import { changeableGeneration, graphFiles } from './previous-generation.js';
import { DEFAULT_HNSW, type HnswParameters } from './vector-store.js';

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
export const MAX_REMOVED_SHARE = 0.1;
