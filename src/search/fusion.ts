/** The usual RRF constant: damps the difference between rank 1 and rank 2 of one list. */
export const RRF_K = 60;

/**
 * Reciprocal Rank Fusion: each list votes 1 / (k + rank) for its items. It needs no score
 * calibration between lists, which dense cosine and BM25 scores do not share.
 */
export function reciprocalRankFusion(rankings: ReadonlyArray<readonly number[]>, k = RRF_K): Array<{ label: number; score: number }> {
  const scores = new Map<number, number>();
  for (const ranking of rankings) {
    ranking.forEach((label, rank) => scores.set(label, (scores.get(label) ?? 0) + 1 / (k + rank + 1)));
  }
  return [...scores.entries()]
    .map(([label, score]) => ({ label, score }))
    .sort((a, b) => b.score - a.score || a.label - b.label);
}

/** Standard scores of a list: how many standard deviations each value lies above the mean. */
export function standardize(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const deviation = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
  return values.map((value) => (deviation > 1e-9 ? (value - mean) / deviation : 0));
}

/**
 * Score fusion: each retriever's scores are standardised over the candidate pool, then added.
 * Unlike RRF it keeps how far ahead a candidate is, so one confident retriever can outvote a
 * lukewarm one; measured better than RRF on our questions (docs/quality.md).
 */
export function standardScoreFusion(candidates: readonly number[], scoreLists: ReadonlyArray<readonly number[]>, weights?: readonly number[]): Array<{ label: number; score: number }> {
  const fused = new Array<number>(candidates.length).fill(0);
  scoreLists.forEach((scores, list) => {
    const weight = weights?.[list] ?? 1;
    standardize(scores).forEach((z, i) => (fused[i]! += weight * z));
  });
  return candidates
    .map((label, i) => ({ label, score: fused[i]! }))
    .sort((a, b) => b.score - a.score || a.label - b.label);
}
