// How a word becomes an index term in a language other than English (English keeps its own rules
// in text.ts): stop words from that language's list, then its Snowball stemmer. Both come from
// Orama's packages (@orama/stemmers: Snowball's algorithms compiled to JavaScript, 27 languages;
// @orama/stopwords: Snowball's stop lists and others, 31), one kept project under Apache-2.0,
// loaded the first time a language is met. A language without a stemmer keeps its words whole
// (Chinese, Japanese, Thai and Vietnamese have no inflection to strip); one without a stop list
// keeps every word (rare-word weighting still makes frequent ones count little).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * BCP-47 primary subtags to the modules' names. Not Bulgarian's: it writes into the string it is
 * given and throws on words like "потери" (3.1.18).
 */
const STEMMERS: Readonly<Record<string, string>> = {
  ar: 'arabic', hy: 'armenian', da: 'danish', nl: 'dutch', fi: 'finnish', fr: 'french', de: 'german', el: 'greek',
  hu: 'hungarian', hi: 'indian', id: 'indonesian', ga: 'irish', it: 'italian', lt: 'lithuanian', ne: 'nepali', no: 'norwegian',
  pt: 'portuguese', ro: 'romanian', ru: 'russian', sr: 'serbian', es: 'spanish', sv: 'swedish', ta: 'tamil', tr: 'turkish',
  uk: 'ukrainian', sa: 'sanskrit',
};
const STOP_LISTS: Readonly<Record<string, string>> = { ...STEMMERS, bg: 'bulgarian', ja: 'japanese', zh: 'mandarin', sl: 'slovenian', en: 'english' };

/** Terms of words seen lately, per language, bounded like English's (text.ts). */
const TERM_CACHE_SIZE = 100_000;

export interface LanguageAnalysis {
  language: string;
  /** Whether the language has a stemmer here. */
  stems: boolean;
  /** Whether a (lower-case) word is one of its stop words. */
  isStopWord(word: string): boolean;
  /** A word (as `words` gives it: folded, lower case) to its term; undefined for a stop word. */
  toTerm(word: string): string | undefined;
}

const analyses = new Map<string, LanguageAnalysis>();

/** The analysis of a language other than English (English's stop list too, for `stopWordShare`), made on first use. */
export function languageAnalysis(language: string): LanguageAnalysis {
  let analysis = analyses.get(language);
  if (!analysis) {
    analysis = makeAnalysis(language);
    analyses.set(language, analysis);
  }
  return analysis;
}

/** The languages with a Snowball stemmer here. */
export const STEMMED_LANGUAGES: readonly string[] = Object.keys(STEMMERS);

/** Greek stop lists are written without accents and with σ for ς: words are compared so. */
function greekKey(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').replace(/ς/g, 'σ');
}

function makeAnalysis(language: string): LanguageAnalysis {
  const stemmerName = STEMMERS[language];
  const stem: ((word: string) => string) | undefined = stemmerName ? (require(`@orama/stemmers/${stemmerName}`) as { stemmer: (word: string) => string }).stemmer : undefined;
  const listName = STOP_LISTS[language];
  const key = language === 'el' ? greekKey : (word: string) => word;
  const stopWords = new Set(listName ? (require(`@orama/stopwords/${listName}`) as { stopwords: string[] }).stopwords.map((word) => key(word.normalize('NFKC').toLowerCase())) : []);
  const cache = new Map<string, string | null>();
  const isStopWord = (word: string) => stopWords.has(key(word));
  return {
    language,
    stems: stem !== undefined,
    isStopWord,
    toTerm(word: string): string | undefined {
      const cached = cache.get(word);
      if (cached !== undefined) return cached ?? undefined;
      let bare = word.toLowerCase();
      // Turkish writes a suffix on a name after an apostrophe ("Ankara'da"): the name is the term.
      if (language === 'tr') bare = bare.replace(/'.*$/, '');
      bare = bare.replace(/['.]/g, '');
      let term: string | undefined;
      if (bare.length === 0 || isStopWord(bare) || isStopWord(word)) term = undefined;
      else if (/^\p{N}+$/u.test(bare) || !stem) term = bare;
      else term = stemmed(stem, bare);
      if (cache.size >= TERM_CACHE_SIZE) cache.clear();
      cache.set(word, term ?? null);
      return term;
    },
  };
}

/**
 * The share of `words` (lower case) that are stop words of a language: what tells apart languages
 * an n-gram detector confuses on a short text (an English sentence naming "Mühlenstraße"). 0 for a
 * language without a stop list here.
 */
export function stopWordShare(words: readonly string[], language: string): number {
  if (words.length === 0 || !STOP_LISTS[language]) return 0;
  const { isStopWord } = languageAnalysis(language);
  return words.filter((word) => isStopWord(word)).length / words.length;
}

/** A word's stem, or the word itself where the stemmer fails on it (a port's bug must not stop an index build). */
function stemmed(stem: (word: string) => string, word: string): string {
  try {
    return stem(word) || word;
  } catch {
    return word;
  }
}
