import { nameMatches } from './terms.js';
import { TIME_WORDS } from './time-intent.js';
import { toTerm, words } from './text.js';

/** What the refusal decision looks at for the best passage of a question. */
export interface AnswerFeatures {
  /** Cosine similarity between the question and the best passage (shown; the decision uses `relatedness`). */
  similarity: number;
  /** Idf-weighted share of the question's content words the best passage contains, resembling words included (what ranking uses). */
  coverage: number;
  /**
   * How far the question's best cosine with the searched paragraphs stands above what an everyday
   * off-topic question gets from this encoder on this corpus, in standard deviations
   * (src/search/calibration.ts).
   */
  relatedness: number;
  /** Idf-weighted share of the question's content words that the best passage's story holds exactly (the same stem). */
  storyEvidence: number;
  /** Names (capitalised words, numbers) in the question that the leading passages' stories never mention. */
  unknownNames: readonly string[];
  /** The question asks for a kind of answer (a person, a number, an amount, a time) that no leading passage holds. */
  missingAnswer?: boolean;
}

/**
 * Decides whether the best passage answers the question or the story does not say:
 * confidence = relatedness / relatednessScale + storyEvidence, answered from `threshold` on.
 * Both parts are on scales that do not depend on the encoder: relatedness is measured against
 * the encoder's own off-topic scores on this corpus, and evidence is a share of words. With the
 * defaults, a question is answered when the encoder puts it three standard deviations above an
 * off-topic question, or the story holds every one of its words, or a mix of the two
 * (docs/quality.md, "Refusal with any encoder").
 */
export interface RefusalPolicy {
  /** Relatedness (in standard deviations) that alone is enough to answer. */
  relatednessScale: number;
  threshold: number;
  /** Refuse when the question names someone or something the story never mentions. */
  refuseUnknownNames: boolean;
}

export const DEFAULT_REFUSAL: RefusalPolicy = { relatednessScale: 3, threshold: 1, refuseUnknownNames: true };

export function answerConfidence(features: AnswerFeatures, policy: RefusalPolicy = DEFAULT_REFUSAL): number {
  return features.relatedness / policy.relatednessScale + features.storyEvidence;
}

export function isAnswered(features: AnswerFeatures, policy: RefusalPolicy = DEFAULT_REFUSAL): boolean {
  if (policy.refuseUnknownNames && features.unknownNames.length > 0) return false;
  if (features.missingAnswer) return false;
  return answerConfidence(features, policy) >= policy.threshold;
}

/**
 * The names a question mentions: capitalised words after the first word (“Putin”, “Japan”) and
 * numbers of two or more digits (“2018”), as index terms. A question typed in capitals or
 * all lower case carries no such signal and yields none.
 */
export function questionNames(question: string): string[] {
  const tokens = question.normalize('NFKC').match(/[\p{L}\p{N}]+(?:['’.][\p{L}\p{N}]+)*/gu) ?? [];
  const letters = tokens.filter((token) => /\p{L}{2}/u.test(token));
  // In a question typed in capitals every word looks like a name; ordinary acronyms (FBI) do not count.
  const shouted = letters.filter((token) => token === token.toUpperCase());
  const shouting = letters.length > 0 && shouted.length / letters.length > 0.6;
  // A short acronym (TV, NYC, FBI) is often spelt out in the story ("New York City"), so it is no name to refuse over.
  const acronym = (token: string) => {
    const bare = token.replace(/['’]s$/, '');
    return bare.length <= 4 && bare === bare.toUpperCase() && /\p{L}/u.test(bare);
  };
  const names = tokens
    .slice(1)
    .filter((token) => (/^\p{Lu}/u.test(token) && !shouting && !acronym(token) && !TIME_WORDS.has(token.toLowerCase())) || /^\p{N}{2,}$/u.test(token));
  return [...new Set(names.flatMap((name) => words(name).flatMap((word) => toTerm(word) ?? [])))];
}

/**
 * The names from `names` that match no term of `vocabulary`, allowing for misspelt names (`nameMatches`).
 * A Set is searched as it is (an exact hit needs no scan); any other iterable is copied first.
 */
export function unknownNames(names: readonly string[], vocabulary: Iterable<string>): string[] {
  const known: ReadonlySet<string> | readonly string[] = vocabulary instanceof Set ? vocabulary : [...vocabulary];
  const matchesAny = (name: string) => {
    for (const term of known) if (nameMatches(name, term)) return true;
    return false;
  };
  return names.filter((name) => !((known instanceof Set && known.has(name)) || matchesAny(name)));
}
