// Deterministic synthetic unit vectors for the scale benchmark (npm run bench): the same seed
// gives the same vectors on every machine, so recall figures can be compared between runs.

/** A seeded 32-bit PRNG (mulberry32): uniform floats in [0, 1). Never Math.random. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples from a uniform source (Box–Muller, both values used). */
export function seededGaussian(seed: number): () => number {
  const uniform = seededRandom(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const u = 1 - uniform(); // (0, 1]: log(0) never happens
    const v = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

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
