import { nameMatches } from './terms.js';
import { holdsNumber } from './numbers.js';
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
  /**
   * What the encoder is worth in the question's language, 0 to 1 (src/search/calibration.ts):
   * relatedness counts that much, and a neutral value (85 % of the bar) stands in for the rest.
   * 1 when absent.
   */
  denseWorth?: number;
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

/**
 * What stands in for relatedness (as a share of the bar) where the encoder cannot read the
 * language, so that words alone answer from 15 % of the question's content on. Halfway (0.5)
 * refused 7-10 % of XQuAD's answerable Arabic, Greek, Hindi and Russian questions, a quarter
 * (0.75) 5 % of the German ones (compounds meet their parts only when written apart): outside
 * the languages an encoder reads, the refusal leans to answering (docs/quality.md).
 */
const UNKNOWN_RELATEDNESS = 0.85;

export function answerConfidence(features: AnswerFeatures, policy: RefusalPolicy = DEFAULT_REFUSAL): number {
  const worth = features.denseWorth ?? 1;
  // Below an off-topic question's level counts as nothing, not against: every word of the question in the story still answers.
  const related = Math.max(0, features.relatedness) / policy.relatednessScale;
  return worth * related + (1 - worth) * UNKNOWN_RELATEDNESS + features.storyEvidence;
}

export function isAnswered(features: AnswerFeatures, policy: RefusalPolicy = DEFAULT_REFUSAL): boolean {
  if (policy.refuseUnknownNames && features.unknownNames.length > 0) return false;
  if (features.missingAnswer) return false;
  return answerConfidence(features, policy) >= policy.threshold;
}

/**
 * Languages whose capitals do not mark names: German (and Luxembourgish) capitalise every noun,
 * so "Mannschaft" or "Spiel" would read as names a story lacks. Scripts without case (Arabic,
 * Devanagari, Han, Thai…) give no capitalised words at all.
 */
const NOUNS_CAPITALISED = new Set(['de', 'lb']);

const timeWordsByLanguage = new Map<string, ReadonlySet<string>>();

/**
 * Month and weekday names of a language (lower case, as ICU writes them alone and inside a date:
 * Russian "май" and "мая", Turkish "Mayıs"), with the English ones: words of time, not names.
 */
function timeWordsOf(language: string): ReadonlySet<string> {
  let found = timeWordsByLanguage.get(language);
  if (!found) {
    const names = new Set(TIME_WORDS);
    try {
      const formats = [{ month: 'long' }, { day: 'numeric', month: 'long' }, { weekday: 'long' }] as const;
      for (const options of formats) {
        const format = new Intl.DateTimeFormat(language, { ...options, timeZone: 'UTC' });
        for (let i = 0; i < 12; i++) {
          for (const part of format.formatToParts(Date.UTC(2021, i, i + 1))) if (part.type === 'month' || part.type === 'weekday') names.add(part.value.toLowerCase());
        }
      }
    } catch {
      // A tag ICU does not know: the English names only.
    }
    // Their terms too: a name in another case ("τον Μάιο") meets its dictionary form's stem.
    for (const name of [...names]) {
      const term = toTerm(name, language);
      if (term) names.add(term);
    }
    found = names;
    timeWordsByLanguage.set(language, found);
  }
  return found;
}

/**
 * The names a question mentions: capitalised words after the first word (“Putin”, “Japan”) and
 * numbers of two or more digits (“2018”), as index terms of the question's language. A question
 * typed in capitals or all lower case carries no such signal and yields none; in a language that
 * capitalises every noun, only numbers count.
 */
export function questionNames(question: string, language = 'en'): string[] {
  const capitalsMarkNames = !NOUNS_CAPITALISED.has(language);
  const timeWords = language === 'en' ? TIME_WORDS : timeWordsOf(language);
  const isTimeWord = (token: string) => timeWords.has(token.toLowerCase()) || (language !== 'en' && timeWords.has(toTerm(token.toLowerCase(), language) ?? ''));
  const tokens = question.normalize('NFKC').match(/[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['’.][\p{L}\p{N}][\p{L}\p{M}\p{N}]*)*/gu) ?? [];
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
    .filter((token) => (capitalsMarkNames && /^\p{Lu}/u.test(token) && !shouting && !acronym(token) && !isTimeWord(token)) || /^\p{N}{2,}$/u.test(token));
  return [...new Set(names.flatMap((name) => words(name).flatMap((word) => toTerm(word, language) ?? [])))];
}

/**
 * The names from `names` that match no term of `vocabulary`, allowing for misspelt names (`nameMatches`)
 * and numbers a story writes otherwise (`holdsNumber`, in the question's `language`).
 * A Set is searched as it is (an exact hit needs no scan); any other iterable is copied first.
 */
export function unknownNames(names: readonly string[], vocabulary: Iterable<string>, language = 'en'): string[] {
  const known: ReadonlySet<string> | readonly string[] = vocabulary instanceof Set ? vocabulary : [...vocabulary];
  const has = (term: string) => (known instanceof Set ? known.has(term) : (known as readonly string[]).includes(term));
  const matchesAny = (name: string) => {
    for (const term of known) if (nameMatches(name, term)) return true;
    return false;
  };
  // A number is no misspelt name ("2019" is not "2017"); it may be written in words or named by its decade.
  return names.filter((name) => !(/^\p{N}+$/u.test(name) ? holdsNumber(name, language, has, () => known) : has(name) || matchesAny(name)));
}
