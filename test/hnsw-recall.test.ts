// HNSW with the project's default parameters against exact search, on seeded clustered vectors
// (the kind of data `npm run bench` measures at 100,000): recall@10 must stay at or above 0.98.
// Deterministic: the same vectors, the same graph (fixed seed, one insertion order) every run.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EF_SEARCH } from '../src/config.js';
import { ExactStore, recallAtK } from '../src/index/exact-search.js';
import { DEFAULT_MIXTURE, gaussianMixture, rowOf } from '../src/index/synthetic-vectors.js';
import { DEFAULT_HNSW, HnswStore, type VectorStore } from '../src/index/vector-store.js';
import { tempDir } from './helpers/corpus.js';

const N = 5000;
const DIMS = 512;
const QUERIES = 200;
const K = 10;
const MIN_RECALL = 0.98;

describe('HnswStore recall@10 against exact search (5,000 clustered 512-d vectors, default parameters)', () => {
  it(`is at least ${MIN_RECALL}, built and after a save and read`, () => {
    const mixture = gaussianMixture({ dims: DIMS, ...DEFAULT_MIXTURE });
    const data = mixture.sample(N, 1);
    const queries = mixture.sample(QUERIES, 2); // drawn like the data, never part of it
    const hnsw = { ...DEFAULT_HNSW, efSearch: DEFAULT_EF_SEARCH };

    const graph = HnswStore.create(DIMS, N, hnsw);
    for (let label = 0; label < N; label++) graph.add(label, rowOf(data, label, DIMS));
    const exact = ExactStore.fromMatrix(data, DIMS);
    const truth = Array.from({ length: QUERIES }, (_, q) => exact.search(rowOf(queries, q, DIMS), K));
    const recall = (store: VectorStore) =>
      truth.reduce((sum, expected, q) => sum + recallAtK(store.search(rowOf(queries, q, DIMS), K), expected, K), 0) / QUERIES;

    expect(truth.every((hits) => hits.length === K)).toBe(true);
    const built = recall(graph);
    expect(built).toBeGreaterThanOrEqual(MIN_RECALL);

    // The graph the bot loads is the saved one.
    const file = path.join(tempDir(), 'vectors.hnsw');
    graph.save(file);
    expect(recall(HnswStore.read(file, DIMS, DEFAULT_EF_SEARCH))).toBe(built);
  }, 20_000);
});
