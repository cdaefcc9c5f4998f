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
  private readonly documentFrequency = new Map<string, number>();
  readonly documents: number;

  constructor(texts: readonly string[]) {
    this.documents = texts.length;
    for (const text of texts) {
      for (const term of new Set(contentTerms(text))) {
        this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
      }
    }
  }

  /** Every content term of the corpus. */
  terms(): IterableIterator<string> {
    return this.documentFrequency.keys();
  }

  /** Smoothed inverse document frequency; a term no paragraph has gets the highest weight. */
  idf(term: string): number {
    const df = this.documentFrequency.get(term) ?? 0;
    return Math.log(1 + (this.documents + 1) / (df + 0.5));
  }
}

/**
 * The share of the question's content (weighted by idf) that a text contains: 1 when every
 * content word of the question is there, 0 when none is.
 */
export function coverage(questionTerms: readonly string[], text: string, stats: TermStatistics): number {
  return termCoverage(questionTerms, new Set(contentTerms(text)), stats);
}

/** `coverage` over a text's content terms computed once beforehand (`new Set(contentTerms(text))`). */
export function termCoverage(questionTerms: readonly string[], textTerms: ReadonlySet<string>, stats: TermStatistics): number {
  const unique = [...new Set(questionTerms)];
  if (unique.length === 0) return 0;
  let total = 0;
  let found = 0;
  for (const term of unique) {
    const weight = stats.idf(term);
    total += weight;
    if (textTerms.has(term)) {
      found += weight;
      continue;
    }
    for (const candidate of textTerms) {
      if (termMatches(term, candidate)) {
        found += weight;
        break;
      }
    }
  }
  return total === 0 ? 0 : found / total;
}
