import { stemmer } from 'stemmer';
import { editDistance } from './terms.js';
import { STOP_WORDS, words } from './text.js';

/**
 * Corrects misspelt question words to words of the corpus ("meating" -> "meeting",
 * "breifings" -> "briefings") before search, so both the encoder and BM25 see real words.
 * A word is left alone when the corpus has it, when it is an ordinary English word (the
 * dictionary: a real word the story lacks, like "weather", must stay what it is, or refusal
 * would be fooled), when the corpus has its stem ("naming"), when it is shorter than 4 letters,
 * or when no corpus word is within one edit (two from 7 letters).
 */
/**
 * How often each word (letters only) occurs in the texts, added to `counts`. Every story's words,
 * whatever its language: a word some story has (a French place name asked about in English) is
 * never corrected away. Only English questions are corrected (the dictionary that tells a real
 * word from a typo is English; see the retriever).
 */
export function countWords(texts: readonly string[], counts = new Map<string, number>()): Map<string, number> {
  for (const text of texts) {
    for (const word of words(text)) if (/^\p{L}+$/u.test(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/**
 * Shorthand members type in chat, spelt out: too far from the word for the typo correction
 * ("ppl" is three edits from "people"). Only unambiguous ones: not "u", "r" or "hr", nor "wont"
 * or "im", which are words.
 */
const CHAT_SHORTHAND = new Map(
  Object.entries({
    ppl: 'people',
    govt: 'government',
    abt: 'about',
    bc: 'because',
    cuz: 'because',
    thru: 'through',
    tho: 'though',
    yrs: 'years',
    hrs: 'hours',
    mins: 'minutes',
    pics: 'pictures',
    dept: 'department',
    approx: 'approximately',
    bday: 'birthday',
    convo: 'conversation',
    rn: 'right now',
    pls: 'please',
    plz: 'please',
    smth: 'something',
    sb: 'somebody',
    wrt: 'about',
    ofc: 'of course',
    // Contractions typed without their apostrophe: "whos" must still ask "who".
    whos: "who's",
    whats: "what's",
    wheres: "where's",
    whens: "when's",
    hows: "how's",
    thats: "that's",
    theres: "there's",
    dont: "don't",
    doesnt: "doesn't",
    didnt: "didn't",
    isnt: "isn't",
    wasnt: "wasn't",
    werent: "weren't",
    arent: "aren't",
    cant: "can't",
    couldnt: "couldn't",
    wouldnt: "wouldn't",
    shouldnt: "shouldn't",
    hasnt: "hasn't",
    havent: "haven't",
    youre: "you're",
    theyre: "they're",
  }),
);

/** Corpus words by length and the stems that decide how far a suggestion may be. */
interface CandidateIndex {
  /** Corpus words (lower case) by length, with how often each occurs. */
  byLength: Map<number, Array<{ word: string; count: number }>>;
  corpusWords: Set<string>;
  /** Stems of corpus words: "naming" is meant when the story says "name". */
  corpusStems: Set<string>;
  /** Stems of dictionary words: "meating" could be "meat" + "ing", so only a one-letter fix applies. */
  dictionaryStems: Set<string>;
}

export class SpellingCorrector {
  /** Corpus words (lower case) with how often each occurs, and the question words any corpus may lack (see `candidates`). */
  private readonly counts: Map<string, number>;
  /**
   * What suggesting a word needs beyond `counts`, made the first time a word is neither a corpus,
   * dictionary nor stop word: stemming every corpus and dictionary word takes ~0.2 s at a year's
   * size, and most questions have no such word.
   */
  private candidateIndex: CandidateIndex | undefined;

  private dictionaryWords: ReadonlySet<string> | undefined;

  /**
   * `corpus`: the paragraph texts, or their word counts as `countWords` gives them (stored with the index).
   * `dictionary`: English words, or how to load them the first time a word is not the corpus's (most
   * questions never need them: ~20 ms of a one-story start). An empty dictionary changes nothing.
   */
  constructor(
    corpus: readonly string[] | Iterable<readonly [string, number]>,
    private readonly loadDictionary: ReadonlySet<string> | (() => ReadonlySet<string>),
  ) {
    this.counts = new Map(Array.isArray(corpus) ? countWords(corpus as readonly string[]) : (corpus as Iterable<readonly [string, number]>));
    // Question words the corpus may lack ("which", "about") are candidates, at the lowest priority.
    for (const word of STOP_WORDS) if (!this.counts.has(word)) this.counts.set(word, 0);
  }

  private get dictionary(): ReadonlySet<string> {
    const load = this.loadDictionary;
    return (this.dictionaryWords ??= typeof load === 'function' ? load() : load);
  }

  private candidates(): CandidateIndex {
    if (this.candidateIndex) return this.candidateIndex;
    const index: CandidateIndex = { byLength: new Map(), corpusWords: new Set(), corpusStems: new Set(), dictionaryStems: new Set() };
    for (const word of this.dictionary) index.dictionaryStems.add(stemmer(word));
    const counts = new Map(this.counts);
    // A stem that is itself an English word is a candidate too ("boasting" offers "boast").
    for (const [word, count] of [...counts]) {
      const stem = stemmer(word);
      if (stem !== word && this.dictionary.has(stem) && !counts.has(stem)) counts.set(stem, count);
    }
    for (const [word, count] of counts) {
      index.corpusWords.add(word);
      index.corpusStems.add(stemmer(word));
      const bucket = index.byLength.get(word.length) ?? [];
      bucket.push({ word, count });
      index.byLength.set(word.length, bucket);
    }
    // Most frequent first, then alphabetical: ties between equally close words resolve the same way every time.
    for (const bucket of index.byLength.values()) bucket.sort((a, b) => b.count - a.count || a.word.localeCompare(b.word));
    return (this.candidateIndex = index);
  }

  /** Whether the word is a corpus word (or a stem of one that is an English word). */
  private isCorpusWord(word: string): boolean {
    return this.counts.has(word) || this.candidates().corpusWords.has(word);
  }

  /** The question with misspelt words and chat shorthand ("ppl", "govt") replaced; everything else unchanged. */
  correct(question: string): string {
    return question.replace(/\p{L}+/gu, (word) => {
      // Shorthand typed in lower case only: "BC" is more likely British Columbia than "because".
      const expanded = word === word.toLowerCase() && CHAT_SHORTHAND.has(word) && this.dictionary.size > 0 && !this.isCorpusWord(word) ? CHAT_SHORTHAND.get(word) : undefined;
      if (expanded) return expanded;
      const replacement = this.suggest(word.toLowerCase());
      if (!replacement) return word;
      return /^\p{Lu}/u.test(word) ? replacement[0]!.toUpperCase() + replacement.slice(1) : replacement;
    });
  }

  /** The corpus word a misspelt word most likely means, or undefined to keep it. */
  suggest(word: string): string | undefined {
    // The dictionary last: a corpus or stop word needs no loading of it.
    if (word.length < 4 || this.counts.has(word) || STOP_WORDS.has(word)) return undefined;
    if (this.dictionary.size === 0 || this.dictionary.has(word)) return undefined;
    const { corpusWords, corpusStems, dictionaryStems, byLength } = this.candidates();
    if (corpusWords.has(word)) return undefined;
    const stem = stemmer(word);
    if (corpusStems.has(stem)) return undefined;
    const allowed = word.length >= 7 && !dictionaryStems.has(stem) ? 2 : 1;
    let best: { word: string; distance: number; sameStart: boolean; count: number } | undefined;
    for (let length = word.length - allowed; length <= word.length + allowed; length++) {
      for (const candidate of byLength.get(length) ?? []) {
        const distance = editDistance(word, candidate.word, allowed);
        if (distance > allowed) continue;
        // Closest first; then one with the same first letter (typos rarely change it: "bost" is
        // "boast", not "most"); then the more frequent (buckets are sorted by frequency).
        const sameStart = candidate.word[0] === word[0];
        if (!best || distance < best.distance || (distance === best.distance && sameStart && !best.sameStart)) {
          best = { word: candidate.word, distance, sameStart, count: candidate.count };
        }
      }
    }
    return best?.word;
  }
}
