import { splitSentences, type SentenceSpan } from './sentences.js';
import { coverage, type TermStatistics } from './terms.js';

/**
 * The sentence of a paragraph that best answers the question: the one holding most of the
 * question's content (idf-weighted); the earlier sentence wins a tie, as news leads with the point.
 */
export function bestSentence(text: string, questionTerms: readonly string[], stats: TermStatistics): SentenceSpan | undefined {
  const sentences = splitSentences(text);
  if (sentences.length === 0) return undefined;
  let best = sentences[0]!;
  let bestScore = -1;
  for (const span of sentences) {
    const score = coverage(questionTerms, text.slice(span.start, span.end), stats);
    if (score > bestScore + 1e-9) {
      best = span;
      bestScore = score;
    }
  }
  return best;
}
