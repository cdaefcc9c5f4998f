import { stemmer } from 'stemmer';
import { foldText } from '../fold.js';

export { foldText };

/**
 * English stop words plus the words that frame a question ("what happened", "how did … react"):
 * they say what kind of answer is wanted, not what it is about, so they never count as content.
 */
export const STOP_WORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by
  can could did do does doing down during each few for from further had has have having he her here hers herself him himself
  his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours
  ourselves out over own same she should so some such than that the their theirs them themselves then there these they this
  those through to too under until up very was we were what when where which while who whom why will with would you your
  yours yourself yourselves s t don didn doesn isn wasn weren won ve ll re d m also said says say tell told according
  happen happened happening story article report reported please know`
    .split(/\s+/)
    .filter(Boolean),
);

/** Word tokens of a text: letters and digits, keeping inner apostrophes and dots (U.S.). */
export function words(text: string): string[] {
  return foldText(text).match(/[\p{L}\p{N}]+(?:['.][\p{L}\p{N}]+)*/gu) ?? [];
}

/**
 * Terms of words seen lately. Words repeat (a year of news has about 80,000 distinct ones in 4.7
 * million), and stemming each occurrence was most of the cost of indexing a year's paragraphs.
 * Emptied when full, so memory stays bounded.
 */
const termCache = new Map<string, string | null>();
const TERM_CACHE_SIZE = 200_000;

/** One word to its index term: stop words dropped, possessives and dots removed, stemmed. */
export function toTerm(word: string): string | undefined {
  const cached = termCache.get(word);
  if (cached !== undefined) return cached ?? undefined;
  const bare = word.toLowerCase().replace(/'s$/, '').replace(/['.]/g, '');
  const term = bare.length === 0 || STOP_WORDS.has(bare) || STOP_WORDS.has(word.toLowerCase()) ? undefined : /^\p{N}+$/u.test(bare) ? bare : stemmer(bare);
  if (termCache.size >= TERM_CACHE_SIZE) termCache.clear();
  termCache.set(word, term ?? null);
  return term;
}

/** The content terms of a text, in order. */
export function contentTerms(text: string): string[] {
  return words(text).flatMap((word) => toTerm(word) ?? []);
}
