import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HNSW, HnswStore } from '../src/index/index.js';
import { rowOf, uniformUnitVectors } from '../src/index/synthetic-vectors.js';
import { tempDir } from './helpers/corpus.js';

const DIMS = 16;
const params = { ...DEFAULT_HNSW, efSearch: 200 };

/** Labels of the k nearest by exhaustive search over `count` vectors, skipping `removed`. */
function exactTop(vectors: Float32Array, count: number, query: Float32Array, k: number, removed = new Set<number>()): number[] {
  const scored: Array<[number, number]> = [];
  for (let label = 0; label < count; label++) {
    if (removed.has(label)) continue;
    const vector = rowOf(vectors, label, DIMS);
    let dot = 0;
    for (let i = 0; i < DIMS; i++) dot += vector[i]! * query[i]!;
    scored.push([label, dot]);
  }
  return scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k).map(([label]) => label);
}

describe('HnswStore with a delta graph', () => {
  it('adds to a small delta without the base, searches both as one, folds the delta in, and leaves removed labels out', () => {
    const dir = tempDir();
    const vectors = uniformUnitVectors(260, DIMS, 7);
    const queries = uniformUnitVectors(20, DIMS, 8);
    const baseFile = path.join(dir, 'base.hnsw');
    const deltaFile = path.join(dir, 'delta.hnsw');

    const base = HnswStore.create(DIMS, 200, params);
    for (let label = 0; label < 200; label++) base.add(label, rowOf(vectors, label, DIMS));
    base.save(baseFile);

    // What an append does: the delta alone, the base never read.
    const delta = HnswStore.readDelta(200, undefined, DIMS, params);
    expect(delta.hasBase).toBe(false);
    delta.reserve(60);
    for (let label = 200; label < 260; label++) delta.add(label, rowOf(vectors, label, DIMS));
    expect([delta.elements, delta.deltaElements, delta.size]).toEqual([260, 60, 260]);
    expect(() => delta.search(rowOf(queries, 0, DIMS), 5)).toThrow(/base graph was not read/);
    return delta.saveDeltaInBackground(deltaFile).then(() => {
      const both = HnswStore.read(baseFile, DIMS, params.efSearch, undefined, deltaFile);
      expect([both.size, both.deltaElements]).toEqual([260, 60]);
      for (let q = 0; q < 20; q++) {
        const query = rowOf(queries, q, DIMS);
        expect(both.search(query, 10).map((neighbor) => neighbor.label)).toEqual(exactTop(vectors, 260, query, 10));
      }
      expect(Array.from(both.vector(230))).toEqual(Array.from(rowOf(vectors, 230, DIMS)));

      // Positions 5 and 210 removed: the map lists the others, and neither graph answers with them.
      const kept = Int32Array.from({ length: 260 }, (_, label) => label).filter((label) => label !== 5 && label !== 210);
      const holed = HnswStore.read(baseFile, DIMS, params.efSearch, kept, deltaFile);
      for (let q = 0; q < 20; q++) {
        const query = rowOf(queries, q, DIMS);
        const want = exactTop(vectors, 260, query, 10, new Set([5, 210])).map((label) => kept.indexOf(label));
        expect(holed.search(query, 10).map((neighbor) => neighbor.label)).toEqual(want);
      }

      both.foldDelta();
      expect([both.deltaElements, both.elements]).toEqual([0, 260]);
      for (let q = 0; q < 20; q++) {
        const query = rowOf(queries, q, DIMS);
        expect(both.search(query, 10).map((neighbor) => neighbor.label)).toEqual(exactTop(vectors, 260, query, 10));
      }
    });
  });
});
