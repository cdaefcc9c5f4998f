import type { Passage, Retriever, SearchResult } from './retriever.js';
import { cleanQuestion, isSearchable } from './question.js';
import { splitSentences } from './sentences.js';

/** A message longer than this is searched sentence by sentence. */
export const CLAIM_SENTENCE_SPLIT_CHARS = 200;
/** At most this many of its sentences are searched (the longest first). */
export const MAX_CLAIM_SENTENCES = 6;

/**
 * What the stories say about a claim someone posted: the passages that bear on it, best first,
 * or a refusal when none does. A long message is searched sentence by sentence and the best
 * passages across its sentences are kept. It never judges the claim true or false.
 */
export async function checkClaim(retriever: Retriever, message: string, topK = 3): Promise<SearchResult> {
  const whole = message.replace(/\s+/g, ' ').trim();
  const sentences = whole.length > CLAIM_SENTENCE_SPLIT_CHARS ? claimSentences(whole) : [whole];
  const results = await Promise.all(sentences.map((sentence) => retriever.search({ question: sentence, topK })));
  const answered = results.filter((result) => result.outcome.kind === 'answered');
  const first = results[0]!;
  if (answered.length === 0) {
    const refusal = results.find((result) => result.outcome.kind === 'not-in-story') ?? first;
    return { ...refusal, question: cleanQuestion(whole) };
  }
  // A paragraph several sentences found keeps its best score.
  const best = new Map<number, Passage>();
  for (const result of answered) {
    for (const passage of result.passages) {
      const known = best.get(passage.label);
      if (!known || passage.score > known.score) best.set(passage.label, passage);
    }
  }
  const passages = [...best.values()].sort((a, b) => b.score - a.score || a.label - b.label).slice(0, topK);
  return {
    question: cleanQuestion(whole),
    outcome: { kind: 'answered' },
    passages,
    more: false,
    confidence: Math.max(...answered.map((result) => result.confidence)),
    searched: first.searched,
    timings: {
      embedMs: results.reduce((sum, result) => sum + result.timings.embedMs, 0),
      searchMs: results.reduce((sum, result) => sum + result.timings.searchMs, 0),
    },
  };
}

/** The message's searchable sentences, the longest (most specific) first. */
function claimSentences(text: string): string[] {
  const sentences = splitSentences(text)
    .map((span) => text.slice(span.start, span.end).trim())
    .filter((sentence) => isSearchable(cleanQuestion(sentence)) && sentence.split(' ').length >= 3);
  const chosen = sentences.sort((a, b) => b.length - a.length).slice(0, MAX_CLAIM_SENTENCES);
  return chosen.length > 0 ? chosen : [text];
}
