import { contentTerms } from './text.js';

/**
 * Whether a question term is found as a paragraph term: the same stem, one a prefix of the
 * other (from 4 letters: "photo" / "photograph"), or one typo apart (from 5 letters).
 */
export function termMatches(questionTerm: string, textTerm: string): boolean {
  if (questionTerm === textTerm) return true;
  const shorter = Math.min(questionTerm.length, textTerm.length);
  if (shorter >= 4 && (textTerm.startsWith(questionTerm) || questionTerm.startsWith(textTerm))) return true;
  return shorter >= 5 && Math.abs(questionTerm.length - textTerm.length) <= 1 && withinOneEdit(questionTerm, textTerm);
}

function withinOneEdit(a: string, b: string): boolean {
  if (a.length > b.length) [a, b] = [b, a];
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length === b.length) i++;
    j++;
  }
  return edits + (b.length - j) + (a.length - i) <= 1;
}

/** Document frequencies of content terms, for weighting rare words over common ones. */
export class TermStatistics {
  private documentFrequency = new Map<string, number>();
  private documentCount = 0;

  /** Statistics of `texts`, each in its language of `languages` (English where not given). */
  constructor(texts: readonly string[], languages?: ArrayLike<string | undefined>) {
    this.appendTermSets(texts.map((text, i) => new Set(contentTerms(text, languages?.[i]))));
  }

  /** Counts more documents whose content terms are known. */
  appendTermSets(termSets: ReadonlyArray<ReadonlySet<string>>): void {
    for (const terms of termSets) this.count(terms);
  }

  /** Statistics of documents whose content terms are already known (a story's cached paragraph terms). */
  static fromTermSets(termSets: ReadonlyArray<ReadonlySet<string>>): TermStatistics {
    const stats = new TermStatistics([]);
    stats.appendTermSets(termSets);
    return stats;
  }

  get documents(): number {
    return this.documentCount;
  }

  /** Every term counted so far with how many documents hold it, in the order of `termList` (what the terms file stores). */
  frequencies(): ReadonlyMap<string, number> {
    return this.documentFrequency;
  }

  /** Statistics as stored: `frequencies` (taken, not copied) in the order of the term list. */
  static fromFrequencies(documents: number, frequencies: Map<string, number>): TermStatistics {
    const stats = new TermStatistics([]);
    stats.documentCount = documents;
    stats.documentFrequency = frequencies;
    return stats;
  }

  private count(terms: ReadonlySet<string>): void {
    this.documentCount++;
    for (const term of terms) this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
  }

  /** Every content term of the corpus. */
  *terms(): IterableIterator<string> {
    for (const [term, count] of this.documentFrequency) if (count > 0) yield term;
  }

  /** Every term counted so far in the order first counted, those no document holds any more too: positions that stay valid after a removal. */
  termList(): IterableIterator<string> {
    return this.documentFrequency.keys();
  }

  /** How many documents hold the term. */
  frequency(term: string): number {
    return this.documentFrequency.get(term) ?? 0;
  }

  /** Smoothed inverse document frequency; a term no paragraph has gets the highest weight. */
  idf(term: string): number {
    const df = this.documentFrequency.get(term) ?? 0;
    return Math.log(1 + (this.documents + 1) / (df + 0.5));
  }
}

/**
 * The share of the question's content (weighted by idf) that a text contains, given the text's
 * content terms (`new Set(contentTerms(text))`): 1 when every content word of the question is
 * there, 0 when none is.
 */
export function termCoverage(questionTerms: readonly string[], textTerms: ReadonlySet<string>, stats: TermStatistics): number {
  return contextCoverage(questionTerms, textTerms, [], stats);
}

/**
 * Edit distance counting an adjacent swap as one edit (optimal string alignment), so the usual
 * misspellings of a name ("Micheal", "Kisliack") stay close to it. Stops early past `limit`.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, beforePrevious[j - 2]! + 1);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Whether a name in a question is a (possibly misspelled) term of the text: what `termMatches`
 * accepts, or within one edit from 4 letters and two edits from 6 ("Flyn", "Micheal", "Kisliack").
 * More forgiving than search, because refusing over a typo is worse than answering.
 */
export function nameMatches(name: string, term: string): boolean {
  if (termMatches(name, term)) return true;
  // A name inside a longer word is the name: "transatlantic" for "Atlantic", "Bundeskanzlerin"
  // for "Kanzlerin", "υπερατλαντική" for "Ατλαντικό". From 5 letters, where a chance hit is rare.
  if (name.length >= 5 && term.length > name.length && term.includes(name)) return true;
  const shorter = Math.min(name.length, term.length);
  const allowed = shorter >= 6 ? 2 : shorter >= 4 ? 1 : 0;
  return allowed > 0 && editDistance(name, term, allowed) <= allowed;
}

/**
 * {@link termCoverage} that also looks at a paragraph's neighbours: a question word found only in
 * the paragraph before or after counts half. News paragraphs lean on their neighbours ("he said"
 * after the one that names him), so the paragraph that answers often lacks a word the question has.
 */
export function contextCoverage(
  questionTerms: readonly string[],
  own: ReadonlySet<string>,
  around: ReadonlyArray<ReadonlySet<string>>,
  stats: TermStatistics,
  contains: (terms: ReadonlySet<string>, term: string) => boolean = containsTerm,
): number {
  const unique = [...new Set(questionTerms)];
  let total = 0;
  let found = 0;
  for (const term of unique) {
    const weight = stats.idf(term);
    total += weight;
    if (contains(own, term)) found += weight;
    else if (around.some((terms) => contains(terms, term))) found += weight / 2;
  }
  return total === 0 ? 0 : found / total;
}

/**
 * Whether a set of text terms holds exactly a question term (the same stem). What the refusal
 * counts as evidence: a word that only resembles a story word ("recipe" / "recipients",
 * "photosynthesis" / "photo") helps ranking find a paraphrase, but is no sign the story answers.
 * Misspellings were corrected to corpus words before (src/search/spelling.ts).
 */
export function holdsTermExactly(terms: ReadonlySet<string>, term: string): boolean {
  return terms.has(term);
}

/** Whether a set of text terms holds a question term, allowing what `termMatches` allows. */
export function containsTerm(terms: ReadonlySet<string>, term: string): boolean {
  if (terms.has(term)) return true;
  for (const candidate of terms) if (termMatches(term, candidate)) return true;
  return false;
}
