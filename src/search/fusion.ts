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

/**
 * `ranking` with the `lead` labels first (in the order `ranking` gives them, then those it lacks),
 * then the rest of `ranking`. Scores stay non-increasing down the list: a lead item scores at least
 * what the best of the rest does.
 */
export function leadWith(ranking: ReadonlyArray<{ label: number; score: number; evidence?: number }>, lead: readonly number[]): Array<{ label: number; score: number; evidence?: number }> {
  const leading = new Set(lead);
  const rest = ranking.filter((item) => !leading.has(item.label));
  const floor = rest[0]?.score ?? Number.NEGATIVE_INFINITY;
  const ranked = ranking.filter((item) => leading.has(item.label));
  const missing = lead.filter((label) => !ranked.some((item) => item.label === label)).map((label) => ({ label, score: floor }));
  return [...[...ranked, ...missing].map((item) => ({ ...item, score: Math.max(item.score, floor) })), ...rest];
}
