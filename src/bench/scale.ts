// The scale part of `npm run bench`: HNSW against exact search on synthetic vectors, side by side.
import { ExactStore, recallAtK } from '../index/exact-search.js';
import { DEFAULT_MIXTURE, gaussianMixture, rowOf, uniformUnitVectors } from '../index/synthetic-vectors.js';
import { HnswStore, type HnswParameters, type VectorStore } from '../index/vector-store.js';
import { percentile } from './stats.js';

export const VECTOR_KINDS = ['clustered', 'uniform'] as const;
export type VectorKind = (typeof VECTOR_KINDS)[number];

export interface ScaleOptions {
  n: number;
  dims: number;
  kind: VectorKind;
  /** Query vectors (drawn like the data, never part of it). */
  queries: number;
  k: number;
  hnsw: HnswParameters;
  /** Also measure these efSearch values on the same graph (the tuning curve). */
  efSweep?: readonly number[];
}

export interface EfPoint {
  efSearch: number;
  recallAt10: number;
  hnswP95Ms: number;
}

export interface ScaleReport {
  n: number;
  dims: number;
  kind: VectorKind;
  /** How the vectors were made, in words. */
  vectors: string;
  queries: number;
  M: number;
  efConstruction: number;
  efSearch: number;
  buildMs: number;
  /** Mean share of the exact 10 nearest neighbours HNSW returns. */
  recallAt10: number;
  hnswP50Ms: number;
  hnswP95Ms: number;
  exactP50Ms: number;
  exactP95Ms: number;
  /** exactP95Ms / hnswP95Ms. */
  speedup: number;
  /** Mean cosine of each query with its exact nearest neighbour: how much structure the data has. */
  meanTop1Similarity: number;
  sweep: EfPoint[];
}

const DATA_SEED = 1;
const QUERY_SEED = 2;

function describeVectors(kind: VectorKind, n: number, dims: number): string {
  if (kind === 'uniform') {
    return `${n} uniform random unit vectors in ${dims}-d (normalised seeded Gaussians, seed ${DATA_SEED}; queries seed ${QUERY_SEED}): no structure, HNSW's worst case`;
  }
  const { clusters, spread, seed } = DEFAULT_MIXTURE;
  return `${n} unit vectors in ${dims}-d from a seeded Gaussian mixture: ${clusters} random unit centres (seed ${seed}), each point a centre plus isotropic noise of relative length ${spread}, normalised (seed ${DATA_SEED}); queries drawn the same way (seed ${QUERY_SEED})`;
}

function makeVectors(kind: VectorKind, n: number, queries: number, dims: number): { data: Float32Array; queries: Float32Array } {
  if (kind === 'uniform') return { data: uniformUnitVectors(n, dims, DATA_SEED), queries: uniformUnitVectors(queries, dims, QUERY_SEED) };
  const mixture = gaussianMixture({ dims, ...DEFAULT_MIXTURE });
  return { data: mixture.sample(n, DATA_SEED), queries: mixture.sample(queries, QUERY_SEED) };
}

/** Times `store.search` on every query; returns the hits and the per-query milliseconds. */
function timeQueries(store: VectorStore, queries: Float32Array, dims: number, k: number) {
  const hits = [];
  const ms: number[] = [];
  for (let q = 0; q < queries.length / dims; q++) {
    const started = performance.now();
    hits.push(store.search(rowOf(queries, q, dims), k));
    ms.push(performance.now() - started);
  }
  return { hits, ms };
}

/** Builds HNSW over `n` synthetic vectors and compares it with brute force on the same queries. */
export function runScaleBench(options: ScaleOptions): ScaleReport {
  const { n, dims, kind, k, hnsw } = options;
  const vectors = makeVectors(kind, n, options.queries, dims);

  const exact = ExactStore.fromMatrix(vectors.data, dims);
  const truth = timeQueries(exact, vectors.queries, dims, k);

  const started = performance.now();
  const graph = HnswStore.create(dims, n, hnsw);
  for (let label = 0; label < n; label++) graph.add(label, rowOf(vectors.data, label, dims));
  const buildMs = performance.now() - started;

  const measure = (efSearch: number): EfPoint & { p50: number } => {
    graph.setEfSearch(efSearch);
    timeQueries(graph, vectors.queries.subarray(0, Math.min(20, options.queries) * dims), dims, k); // warm the caches
    const run = timeQueries(graph, vectors.queries, dims, k);
    const recall = run.hits.reduce((sum, hits, q) => sum + recallAtK(hits, truth.hits[q]!, k), 0) / run.hits.length;
    return { efSearch, recallAt10: recall, hnswP95Ms: percentile(run.ms, 95), p50: percentile(run.ms, 50) };
  };
  const points = [...new Set([...(options.efSweep ?? []), hnsw.efSearch])].sort((a, b) => a - b).map(measure);
  const chosen = points.find((point) => point.efSearch === hnsw.efSearch)!;
  const sweep = points.map(({ p50: _p50, ...point }) => point);

  const exactP95Ms = percentile(truth.ms, 95);
  return {
    n,
    dims,
    kind,
    vectors: describeVectors(kind, n, dims),
    queries: options.queries,
    M: hnsw.M,
    efConstruction: hnsw.efConstruction,
    efSearch: hnsw.efSearch,
    buildMs,
    recallAt10: chosen.recallAt10,
    hnswP50Ms: chosen.p50,
    hnswP95Ms: chosen.hnswP95Ms,
    exactP50Ms: percentile(truth.ms, 50),
    exactP95Ms,
    speedup: exactP95Ms / Math.max(chosen.hnswP95Ms, 1e-6),
    meanTop1Similarity: truth.hits.reduce((sum, hits) => sum + (hits[0]?.similarity ?? 0), 0) / truth.hits.length,
    sweep,
  };
}
