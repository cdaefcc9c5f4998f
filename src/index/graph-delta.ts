// The delta graph: appends go to a small second graph beside the base, so an add reads and writes
// that instead of the whole graph, until it grows past its share and is folded in.
import { CENTROIDS_FILE } from './centroids.js';
import { readLabelMap } from './load.js';
import { manifestParagraphCount, type Manifest } from './manifest.js';
import { graphFiles } from './previous-generation.js';
import { HnswStore, type HnswParameters } from './vector-store.js';

/**
 * The previous generation's delta graph alone, for appending `adding` vectors without reading
 * its base: undefined when the delta would grow past `DELTA_SHARE` of the graph (the caller then
 * reads the whole graph and folds the delta in) or cannot be read.
 */
export function readPreviousDelta(dir: string, manifest: Manifest, hnsw: HnswParameters, adding: number): HnswStore | undefined {
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
