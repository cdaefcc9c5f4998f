import { mean_pooling, Tensor } from '@xenova/transformers';
import { describe, expect, it } from 'vitest';
import { identityHash } from '../src/embed/embedder.js';
import { clsPoolNormalized, embeddingPooling, meanPoolNormalized } from '../src/embed/pooling.js';

/** Deterministic pseudo-random floats, so the comparison covers rounding, not a chosen case. */
function floats(count: number, seed: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    values[i] = (state / 2 ** 31) * 6 - 3;
  }
  return values;
}

describe('meanPoolNormalized', () => {
  it('gives bit-for-bit the vectors of transformers.js mean_pooling + normalize on a padded batch', () => {
    const [rows, length, width] = [3, 7, 16];
    const hidden = floats(rows * length * width, 7);
    // Rows of 7, 4 and 1 real tokens: the rest is padding whose values must not count.
    const lengths = [7, 4, 1];
    const mask = BigInt64Array.from({ length: rows * length }, (_, i) => (i % length < lengths[Math.floor(i / length)]! ? 1n : 0n));

    const reference = mean_pooling(new Tensor('float32', hidden, [rows, length, width]), new Tensor('int64', mask, [rows, length])).normalize(2, -1);
    const pooled = meanPoolNormalized(hidden, [rows, length, width], mask);

    expect(pooled).toHaveLength(rows);
    pooled.forEach((vector, row) => expect(Array.from(vector)).toEqual(Array.from((reference.data as Float32Array).subarray(row * width, (row + 1) * width))));
    // Padding really is ignored: the one-token row is that token's vector, normalised.
    const token = hidden.subarray(2 * length * width, 2 * length * width + width);
    expect(pooled[2]![0]).toBeCloseTo(token[0]! / Math.hypot(...token), 6);
  });
});

describe('clsPoolNormalized (bge: the first token)', () => {
  it("gives each row's first token vector, unit length, whatever the other tokens hold", () => {
    const [rows, length, width] = [2, 5, 8];
    const hidden = floats(rows * length * width, 3);
    const pooled = clsPoolNormalized(hidden, [rows, length, width]);
    for (let row = 0; row < rows; row++) {
      const first = hidden.subarray(row * length * width, row * length * width + width);
      const norm = Math.hypot(...first);
      pooled[row]!.forEach((value, k) => expect(value).toBeCloseTo(first[k]! / norm, 6));
    }
    const changedTail = hidden.slice();
    changedTail.fill(9, width, length * width);
    expect(clsPoolNormalized(changedTail, [rows, length, width])[0]).toEqual(pooled[0]);
  });

  it('is the pooling of the bge family only', () => {
    expect(['bge-small-en-v1.5', 'bge-small-zh-v1.5-q', 'Xenova/bge-small-en-v1.5', 'BAAI/bge-base-en-v1.5'].map(embeddingPooling)).toEqual(['cls', 'cls', 'cls', 'cls']);
    expect(['use-lite', 'all-minilm-l6-v2', 'e5-small-v2', 'Xenova/all-MiniLM-L6-v2', 'Xenova/e5-small-v2'].map(embeddingPooling)).toEqual(['mean', 'mean', 'mean', 'mean', 'mean']);
  });
});

describe('the model identity', () => {
  it('is the files alone for mean pooling without prefixes (built-in indexes stay valid), and changes with pooling or prefixes', () => {
    const prefixes = { query: 'query: ', passage: 'passage: ' };
    expect(identityHash('abc', undefined)).toBe('abc');
    expect(identityHash('abc', undefined, 'mean')).toBe('abc');
    const variants = [identityHash('abc', undefined, 'cls'), identityHash('abc', prefixes), identityHash('abc', prefixes, 'cls')];
    expect(new Set(['abc', ...variants]).size).toBe(4);
  });
});
