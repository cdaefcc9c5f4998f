/**
 * Mean pooling over the unmasked tokens, then L2 normalisation: the same arithmetic as
 * transformers.js's `mean_pooling` + `normalize` (so vectors are bit-for-bit those an index was
 * built with), without its per-element BigInt conversion, which took as long as the encoder
 * itself (docs/performance.md).
 */
export function meanPoolNormalized(
  hidden: Float32Array,
  dims: readonly [rows: number, length: number, width: number],
  attentionMask: ArrayLike<bigint | number>,
): Float32Array[] {
  const [rows, length, width] = dims;
  const sums = new Float64Array(width);
  const vectors: Float32Array[] = [];
  for (let row = 0; row < rows; row++) {
    sums.fill(0);
    let count = 0;
    for (let position = 0; position < length; position++) {
      // Masked positions add exactly zero in transformers.js's sum: skipping them changes nothing.
      if (Number(attentionMask[row * length + position]) === 0) continue;
      count++;
      const offset = (row * length + position) * width;
      for (let k = 0; k < width; k++) sums[k] = sums[k]! + hidden[offset + k]!;
    }
    const vector = new Float32Array(width);
    for (let k = 0; k < width; k++) vector[k] = sums[k]! / count;
    vectors.push(normalizeInPlace(vector));
  }
  return vectors;
}

/** L2 normalisation with transformers.js's rounding: squares summed in float32, divided by a float32 norm. */
function normalizeInPlace(vector: Float32Array): Float32Array {
  let squares = 0;
  for (const value of vector) squares = Math.fround(squares + value ** 2);
  const norm = Math.fround(squares ** 0.5);
  for (let k = 0; k < vector.length; k++) vector[k] = vector[k]! / norm;
  return vector;
}

/**
 * How a model turns its token vectors into one vector, as its authors trained it: sentence-transformers
 * models (MiniLM, e5) average the unmasked tokens; bge takes the first token ([CLS]).
 */
export type Pooling = 'mean' | 'cls';

/** The first token's vector ([CLS]), L2-normalised with the same rounding as `meanPoolNormalized`. */
export function clsPoolNormalized(hidden: Float32Array, dims: readonly [rows: number, length: number, width: number]): Float32Array[] {
  const [rows, length, width] = dims;
  const vectors: Float32Array[] = [];
  for (let row = 0; row < rows; row++) {
    const offset = row * length * width;
    vectors.push(normalizeInPlace(hidden.slice(offset, offset + width)));
  }
  return vectors;
}

const CLS_POOLED: readonly RegExp[] = [
  // BAAI/bge-* (and their Xenova conversions, and the local builds named bge-small-en-v1.5 / bge-small-zh-v1.5).
  /(^|\/)bge-/i,
];

/** The pooling `modelId` was trained with: CLS for the bge family, mean for everything else (our built-in models included). */
export function embeddingPooling(modelId: string): Pooling {
  return CLS_POOLED.some((pattern) => pattern.test(modelId)) ? 'cls' : 'mean';
}
