/** The p-th percentile (0–100) of `values` by the nearest-rank method; 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Latency {
  p50Ms: number;
  p95Ms: number;
}

export function latency(values: readonly number[]): Latency {
  return { p50Ms: percentile(values, 50), p95Ms: percentile(values, 95) };
}

/** The median of a few runs. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
