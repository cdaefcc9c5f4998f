/**
 * Groups texts for the encoder by token count. A batch is padded to its longest text, so texts
 * of one length in one batch waste nothing; sorting by characters left about 10 % of a year's
 * encoder work on padding, sorting by tokens 0.5 % (docs/performance.md).
 */

/** Positions of `lengths` in batches of at most `batchSize`, shortest first (ties keep input order). */
export function batchesByLength(lengths: readonly number[], batchSize: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize) batches.push(order.slice(start, start + batchSize));
  return batches;
}

/**
 * The rows picked by `batch`, padded with `padValue` to the longest of them, as one row-major
 * int64 matrix (the layout transformers.js's tokenizer gives with `padding: true`).
 */
export function paddedRows(
  rows: readonly (readonly number[])[],
  batch: readonly number[],
  padValue: number,
  side: 'left' | 'right' = 'right',
): { data: BigInt64Array; dims: [number, number] } {
  const width = Math.max(0, ...batch.map((i) => rows[i]!.length));
  const data = new BigInt64Array(batch.length * width).fill(BigInt(padValue));
  batch.forEach((rowIndex, row) => {
    const values = rows[rowIndex]!;
    const offset = row * width + (side === 'left' ? width - values.length : 0);
    for (let column = 0; column < values.length; column++) data[offset + column] = BigInt(values[column]!);
  });
  return { data, dims: [batch.length, width] };
}
