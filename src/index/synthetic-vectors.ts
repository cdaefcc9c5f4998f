// Deterministic synthetic unit vectors for the scale benchmark (npm run bench): the same seed
// gives the same vectors on every machine, so recall figures can be compared between runs.
import { seededGaussian, seededRandom } from '../shared/random.js';

function normalizeRow(matrix: Float32Array, row: number, dims: number): void {
  let norm = 0;
  for (let i = row * dims; i < (row + 1) * dims; i++) norm += matrix[i]! * matrix[i]!;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = row * dims; i < (row + 1) * dims; i++) matrix[i]! *= scale;
}

/**
 * `n` unit vectors uniformly spread over the sphere (normalised Gaussians), as one row-major
 * matrix. The worst case for HNSW: in 512-d they have no structure and all look equally far apart.
 */
export function uniformUnitVectors(n: number, dims: number, seed: number): Float32Array {
  const gaussian = seededGaussian(seed);
  const matrix = new Float32Array(n * dims);
  for (let row = 0; row < n; row++) {
    for (let i = 0; i < dims; i++) matrix[row * dims + i] = gaussian();
    normalizeRow(matrix, row, dims);
  }
  return matrix;
}

export interface MixtureOptions {
  dims: number;
  /** How many topics (cluster centres). */
  clusters: number;
  /**
   * Length of the Gaussian noise added to a (unit) centre, relative to it: 0.75 puts a point at
   * cosine ≈ 0.8 from its centre and ≈ 0.64 from its neighbours in the same cluster, about what
   * sentence embeddings of paragraphs on one subject show.
   */
  spread: number;
  seed: number;
}

export const DEFAULT_MIXTURE: Omit<MixtureOptions, 'dims'> = { clusters: 500, spread: 0.75, seed: 42 };

/** A seeded Gaussian mixture on the sphere: `sample(n, seed)` draws unit vectors around its centres. */
export function gaussianMixture(options: MixtureOptions): { centres: Float32Array; sample(n: number, seed: number): Float32Array } {
  const { dims, clusters, spread } = options;
  const centres = uniformUnitVectors(clusters, dims, options.seed);
  const sigma = spread / Math.sqrt(dims);
  return {
    centres,
    sample(n, seed) {
      const gaussian = seededGaussian(seed);
      const pick = seededRandom(seed ^ 0x9e3779b9);
      const matrix = new Float32Array(n * dims);
      for (let row = 0; row < n; row++) {
        const centre = Math.floor(pick() * clusters) * dims;
        for (let i = 0; i < dims; i++) matrix[row * dims + i] = centres[centre + i]! + sigma * gaussian();
        normalizeRow(matrix, row, dims);
      }
      return matrix;
    },
  };
}

/** Row `row` of a row-major matrix, as a view (no copy). */
export function rowOf(matrix: Float32Array, row: number, dims: number): Float32Array {
  return matrix.subarray(row * dims, (row + 1) * dims);
}
