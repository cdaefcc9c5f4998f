import MiniSearch from 'minisearch';
import { toTerm, words } from './text.js';

export interface LexicalHit {
  label: number;
  score: number;
  /** Query terms this paragraph matched (exactly, by prefix or within the typo allowance). */
  matchedTerms: string[];
}

interface LexicalDocument {
  id: number;
  text: string;
}

/**
 * BM25 over paragraph texts (MiniSearch) with stemming, stop words, prefix matching and typo
 * tolerance, so "Lavarov" and "photographs" still find their paragraphs.
 */
const OPTIONS = {
  fields: ['text'],
  tokenize: words,
  processTerm: (term: string) => toTerm(term) ?? null,
  searchOptions: {
    // Prefix only for longer terms, typos allowed from 5 letters: short terms match too much.
    prefix: (term: string) => term.length >= 4,
    fuzzy: (term: string) => (term.length >= 5 ? 0.2 : false),
    maxFuzzy: 2,
    weights: { prefix: 0.5, fuzzy: 0.4 },
  },
};

export class LexicalIndex {
  private readonly search: MiniSearch<LexicalDocument>;

  constructor(texts: readonly string[] | MiniSearch<LexicalDocument>) {
    if (texts instanceof MiniSearch) {
      this.search = texts;
      return;
    }
    this.search = new MiniSearch<LexicalDocument>(OPTIONS);
    this.append(texts);
  }

  /** Adds paragraphs whose labels follow the last one indexed. */
  append(texts: readonly string[]): void {
    const first = this.search.documentCount;
    this.search.addAll(texts.map((text, i) => ({ id: first + i, text })));
  }

  /** The index as MiniSearch's JSON, to store beside the vectors. */
  toJSON(): string {
    return JSON.stringify(this.search);
  }

  /** An index stored with `toJSON` (several times faster than indexing the texts again). */
  static fromJSON(json: string): LexicalIndex {
    return new LexicalIndex(MiniSearch.loadJSON<LexicalDocument>(json, OPTIONS));
  }

  get documentCount(): number {
    return this.search.documentCount;
  }

  /**
   * BM25 hits for the question. With `known` (terms the corpus holds as they are), those terms
   * are matched exactly: prefix and typo expansion of a known word only pulls in other words'
   * postings (at a year's size, most of the search time), while unknown words keep them.
   */
  query(
    question: string,
    accept?: (label: number) => boolean,
    boostDocument?: (label: number, term: string) => number,
    known?: (term: string) => boolean,
  ): LexicalHit[] {
    const { prefix, fuzzy } = OPTIONS.searchOptions;
    return this.search
      .search(question, {
        ...(known ? { prefix: (term: string) => !known(term) && prefix(term), fuzzy: (term: string) => (known(term) ? false : fuzzy(term)) } : {}),
        ...(accept ? { filter: (result) => accept(result.id as number) } : {}),
        ...(boostDocument ? { boostDocument: (id: unknown, term: string) => boostDocument(id as number, term) } : {}),
      })
      .map((result) => ({ label: result.id as number, score: result.score, matchedTerms: result.queryTerms }))
      // Equal scores in label order: MiniSearch leaves them in its postings' order, which depends on how the index was built up.
      .sort((a, b) => b.score - a.score || a.label - b.label);
  }
}
