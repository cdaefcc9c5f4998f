import { holdsAnswerType, type AnswerType } from './answer-type.js';
import { splitSentences, type SentenceSpan } from './sentences.js';
import { termCoverage, type TermStatistics } from './terms.js';
import { contentTerms } from './text.js';

/** A sentence of a paragraph with its content terms: what `bestSentence` scores. */
export interface SentenceTerms {
  span: SentenceSpan;
  terms: ReadonlySet<string>;
}

/** The sentences of a paragraph with their content terms; computed once per paragraph by the retriever. */
export function sentenceTerms(text: string, language?: string): SentenceTerms[] {
  return splitSentences(text).map((span) => ({ span, terms: new Set(contentTerms(text.slice(span.start, span.end), language)) }));
}

/**
 * Added to a sentence's share of the question's words when it holds the kind of answer asked for
 * ("6,000 white Akoya pearls" after "The dress is made of pearls ..."): enough to settle between
 * sentences that match the question about as well, not to pick one that barely does.
 */
export const ANSWER_SENTENCE_WEIGHT = 0.1;

/**
 * The sentence of a paragraph that best answers the question: the one holding most of the
 * question's content (idf-weighted), nudged towards one holding the kind of answer asked for
 * (`answer`); the earlier sentence wins a tie, as news leads with the point.
 * `sentences` may be passed when `sentenceTerms(text)` is already known.
 */
export function bestSentence(
  text: string,
  questionTerms: readonly string[],
  stats: TermStatistics,
  sentences: readonly SentenceTerms[] = sentenceTerms(text),
  answer?: { type: AnswerType; question: string },
): SentenceSpan | undefined {
  if (sentences.length === 0) return undefined;
  let best = sentences[0]!.span;
  let bestScore = -1;
  for (const { span, terms } of sentences) {
    const typed = answer && holdsAnswerType(text.slice(span.start, span.end), answer.type, answer.question) ? ANSWER_SENTENCE_WEIGHT : 0;
    const score = termCoverage(questionTerms, terms, stats) + typed;
    if (score > bestScore + 1e-9) {
      best = span;
      bestScore = score;
    }
  }
  return best;
}
