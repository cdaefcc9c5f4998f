import { mean_pooling, Tensor } from '@xenova/transformers';
import { describe, expect, it } from 'vitest';
import { meanPoolNormalized } from '../src/embed/pooling.js';

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
