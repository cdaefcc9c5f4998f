/**
 * The reader stage: a cross-encoder (src/embed/cross-encoder.ts, or any function with its shape)
 * reads the question with each of the best candidates of the chosen stories, its probability
 * orders them and decides whether the stories answer at all. Search stays pure: the scorer is
 * passed in.
 */

/**
 * At or above this probability the reader answers even where words and encoder would refuse: a
 * paraphrase they miss ("Who sang the national anthem?" over "Lady Gaga performed the national
 * anthem"). Measured with ms-marco-MiniLM-L-12-v2 (docs/quality.md, "A real cross-encoder"): 0.99
 * answers 5 more of XQuAD-dev's 432 English questions and 2 more of our pages' 80, and no
 * near-topic or off-topic question more; 0.95 already answered a near-topic one.
 */
export const READER_SURE_SCORE = 0.99;

/** The probability that each passage answers the question, in the order given. */
export type PassageScorer = (question: string, passages: readonly string[]) => Promise<number[]>;

export interface Reranker {
  score: PassageScorer;
  /** How many of the retrieval's best passages are read (RERANK_CANDIDATES). */
  candidates: number;
  /**
   * Below this probability for the best passage, the stories do not say (RERANK_MIN_SCORE), whatever
   * the refusal of words and encoder found; from READER_SURE_SCORE they do; in between, that refusal decides.
   */
  minScore: number;
  /** The languages the model reads (all when absent): it reads no question, and judges no passage, in another. */
  languages?: ReadonlySet<string>;
}

/** Whether the reranker reads text in `language`. */
export function readsLanguage(reranker: Reranker, language: string): boolean {
  return !reranker.languages || reranker.languages.has(language);
}

/**
 * The first `candidates` of `ordered` sorted by `scores` (best first; ties keep the retrieval's
 * order), each with its score, followed by the rest in the retrieval's order.
 */
export function rerankOrder<T extends object>(ordered: readonly T[], scores: readonly number[]): Array<T & { rerankScore?: number }> {
  const read = scores.map((rerankScore, index) => ({ item: { ...ordered[index]!, rerankScore }, index }));
  read.sort((a, b) => b.item.rerankScore - a.item.rerankScore || a.index - b.index);
  const rest: Array<T & { rerankScore?: number }> = ordered.slice(scores.length);
  return [...read.map(({ item }) => item), ...rest];
}

/** Scores the best candidates with the reranker and reorders them (see rerankOrder). */
export async function rerank<T extends object>(reranker: Reranker, question: string, ordered: readonly T[], textOf: (item: T) => string): Promise<Array<T & { rerankScore?: number }>> {
  const head = ordered.slice(0, reranker.candidates);
  const scores = await reranker.score(question, head.map(textOf));
  if (scores.length !== head.length || scores.some((score) => !Number.isFinite(score))) throw new Error(`the re-ranker gave ${scores.length} scores for ${head.length} passages`);
  return rerankOrder(ordered, scores);
}
