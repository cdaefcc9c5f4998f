import { splitSentences, type SentenceSpan } from './sentences.js';
import { termCoverage, type TermStatistics } from './terms.js';
import { contentTerms } from './text.js';

/** A sentence of a paragraph with its content terms: what `bestSentence` scores. */
export interface SentenceTerms {
  span: SentenceSpan;
  terms: ReadonlySet<string>;
}

/** The sentences of a paragraph with their content terms; computed once per paragraph by the retriever. */
export function sentenceTerms(text: string): SentenceTerms[] {
  return splitSentences(text).map((span) => ({ span, terms: new Set(contentTerms(text.slice(span.start, span.end))) }));
}

/**
 * The sentence of a paragraph that best answers the question: the one holding most of the
 * question's content (idf-weighted); the earlier sentence wins a tie, as news leads with the point.
 * `sentences` may be passed when `sentenceTerms(text)` is already known.
 */
export function bestSentence(
  text: string,
  questionTerms: readonly string[],
  stats: TermStatistics,
  sentences: readonly SentenceTerms[] = sentenceTerms(text),
): SentenceSpan | undefined {
  if (sentences.length === 0) return undefined;
  let best = sentences[0]!.span;
  let bestScore = -1;
  for (const { span, terms } of sentences) {
    const score = termCoverage(questionTerms, terms, stats);
    if (score > bestScore + 1e-9) {
      best = span;
      bestScore = score;
    }
  }
  return best;
}
