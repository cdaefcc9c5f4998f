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
 * The first `shown` places of `ranking`, with every `seated` label among them: the seated ones
 * and the ranking's best until the places are full, in the ranking's order (a seated label the
 * ranking lacks comes last of them), then the rest of the ranking. Scores stay non-increasing: a
 * shown item scores at least what the best of the rest does.
 */
export function withSeats(ranking: ReadonlyArray<{ label: number; score: number; evidence?: number }>, seated: readonly number[], shown: number): Array<{ label: number; score: number; evidence?: number }> {
  const seats = new Set(seated.slice(0, shown));
  for (const item of ranking) {
    if (seats.size >= shown) break;
    seats.add(item.label);
  }
  const rest = ranking.filter((item) => !seats.has(item.label));
  const ranked = ranking.filter((item) => seats.has(item.label));
  // With nothing below, a seated label the ranking lacks scores what the last shown one does.
  const floor = rest[0]?.score ?? ranked.at(-1)?.score ?? 0;
  const missing = [...seats].filter((label) => !ranked.some((item) => item.label === label)).map((label) => ({ label, score: floor }));
  return [...[...ranked, ...missing].map((item) => ({ ...item, score: Math.max(item.score, floor) })), ...rest];
}
