// Brute-force nearest neighbours: the ground truth HNSW recall is measured against (npm run bench).
import type { Neighbor, VectorStore } from './vector-store.js';

/**
 * Every vector in one Float32Array, searched by a dot product with each: exact, O(n·d) per query.
 * Vectors must be unit length (then the dot product is the cosine similarity, as in HnswStore).
 */
export class ExactStore implements VectorStore {
  private matrix: Float32Array;
  private count = 0;

  constructor(
    readonly dimensions: number,
    capacity = 1024,
  ) {
    this.matrix = new Float32Array(Math.max(1, capacity) * dimensions);
  }

  /** A store over a ready matrix of `matrix.length / dimensions` unit vectors (labels 0…n-1); not copied. */
  static fromMatrix(matrix: Float32Array, dimensions: number): ExactStore {
    if (matrix.length % dimensions !== 0) throw new Error(`ExactStore.fromMatrix: ${matrix.length} values is not a whole number of ${dimensions}-d vectors.`);
    const store = new ExactStore(dimensions, 1);
    store.matrix = matrix;
    store.count = matrix.length / dimensions;
    return store;
  }

  get size(): number {
    return this.count;
  }

  /** Labels are positions: add 0, 1, 2… in order. */
  add(label: number, vector: Float32Array): void {
    if (label !== this.count) throw new Error(`ExactStore.add: expected label ${this.count}, got ${label}; labels are positions, added in order.`);
    if (vector.length !== this.dimensions) throw new Error(`ExactStore.add: a ${vector.length}-d vector in a ${this.dimensions}-d store.`);
    if ((this.count + 1) * this.dimensions > this.matrix.length) {
      const grown = new Float32Array(this.matrix.length * 2);
      grown.set(this.matrix);
      this.matrix = grown;
    }
    this.matrix.set(vector, this.count * this.dimensions);
    this.count++;
  }

  vector(label: number): Float32Array {
    if (!Number.isInteger(label) || label < 0 || label >= this.count) throw new Error(`ExactStore.vector: no label ${label} (size ${this.count}).`);
    return this.matrix.slice(label * this.dimensions, (label + 1) * this.dimensions);
  }

  search(query: Float32Array, k: number, accept?: (label: number) => boolean): Neighbor[] {
    const count = Math.min(k, this.count);
    if (count <= 0) return [];
    const top = new TopK(count);
    const { matrix, dimensions } = this;
    for (let label = 0, row = 0; label < this.count; label++, row += dimensions) {
      let dot = 0;
      for (let i = 0; i < dimensions; i++) dot += matrix[row + i]! * query[i]!;
      if (dot > top.floor && (!accept || accept(label))) top.push(label, dot);
    }
    return top.sorted();
  }
}

/** The k best (label, similarity) pairs seen, kept sorted (k is small: insertion is cheapest). */
class TopK {
  private readonly labels: number[] = [];
  private readonly scores: number[] = [];
  /** The score to beat to get in. */
  floor = -Infinity;

  constructor(private readonly k: number) {}

  push(label: number, score: number): void {
    let at = this.scores.length;
    while (at > 0 && this.scores[at - 1]! < score) at--;
    this.scores.splice(at, 0, score);
    this.labels.splice(at, 0, label);
    if (this.scores.length > this.k) {
      this.scores.pop();
      this.labels.pop();
    }
    if (this.scores.length === this.k) this.floor = this.scores[this.k - 1]!;
  }

  sorted(): Neighbor[] {
    return this.labels.map((label, i) => ({ label, similarity: this.scores[i]! }));
  }
}

/** Share of the true k nearest labels that an approximate result found, in [0, 1]. */
export function recallAtK(found: readonly Neighbor[], truth: readonly Neighbor[], k: number): number {
  const wanted = new Set(truth.slice(0, k).map((hit) => hit.label));
  if (wanted.size === 0) return 1;
  let hits = 0;
  for (const hit of found.slice(0, k)) if (wanted.has(hit.label)) hits++;
  return hits / wanted.size;
}
