import { TermList } from './term-list.js';
import { NOT_HELD, readLexicalBinary, writeLexicalBinary, type PostingTable } from './lexical-format.js';
import { Tally } from './lexical-tally.js';
import { toTerm, words } from './text.js';
import { DEFAULT_LANGUAGE } from '../shared/language.js';

export interface LexicalHit {
  label: number;
  score: number;
  /** Query terms this paragraph matched (exactly, by prefix or within the typo allowance). */
  matchedTerms: string[];
}

// BM25+ as MiniSearch 7.2 scores one field, with the search options this index gave it before it
// had a binary form: rankings stay those MiniSearch gave (test/lexical.test.ts holds them side by side).
const BM25 = { k: 1.2, b: 0.7, d: 0.5 };
// Prefix only for longer terms, typos allowed from 5 letters: short terms match too much.
const PREFIX_MIN_LENGTH = 4;
const FUZZY_MIN_LENGTH = 5;
/** Typos allowed per code unit of the term (rounded), and at most. */
const FUZZY_SHARE = 0.2;
const MAX_TYPOS = 2;
const PREFIX_WEIGHT = 0.5;
const FUZZY_WEIGHT = 0.4;
/** Largest id: ids are stored as 32-bit numbers, and the largest of those marks an id not held. */
const MAX_ID = NOT_HELD - 1;

/** Postings of the documents added since the posting table was last built, in id order. */
interface RecentPostings {
  ids: number[];
  frequencies: number[];
}

/** A term a query term stands for: itself, a longer term it begins, or one within its typo allowance. */
interface DerivedTerm {
  term: string;
  weight: number;
  /** Its place in the posting table, or -1 when only recent documents hold it. */
  tableIndex: number;
}

const EMPTY_TABLE: PostingTable = { terms: TermList.of([]), postingStarts: new Uint32Array(1), ids: new Uint32Array(0), frequencies: new Uint8Array(0) };

/**
 * BM25 over paragraph texts with stemming, stop words, prefix matching and typo tolerance, so
 * "Lavarov" and "photographs" still find their paragraphs. Documents are numbered by their ids
 * (paragraph labels); storage grows with the largest id, as labels are dense.
 *
 * The postings live in flat sorted arrays (`toBinary` writes them as one buffer, `fromBinary`
 * reads it back without parsing); documents added later are held in a small map beside them,
 * merged in at query time, and folded into the arrays by `toBinary` (or once they outnumber them).
 */
export class LexicalIndex {
  private table: PostingTable = EMPTY_TABLE;
  /** Documents held in `table` when it was built: when the recent ones outnumber them, they are folded in. */
  private tableDocuments = 0;
  private readonly recent = new Map<string, RecentPostings>();
  private recentDocuments = 0;
  private recentTermList: TermList | undefined;
  /** Distinct tokens of each id's text (MiniSearch's field length), NOT_HELD for ids not held; may be longer than nextId. */
  private fieldLengths: Uint32Array = new Uint32Array(0);
  /** Whether `fieldLengths` are still the bytes `fromBinary` read, which are not to be changed. */
  private lengthsShared = false;
  private heldCount = 0;
  private next = 0;
  /** Kept as MiniSearch keeps it, updated on each add and discard, so a freshly built index averages bit for bit alike. */
  private averageFieldLength = 0;
  /** Whether some posting may belong to a discarded document (they are skipped, and dropped by `toBinary`). */
  private holdsDiscarded = false;
  /** The binary form of the index while nothing has changed since it was written or read. */
  private sealed: Uint8Array | undefined;
  /** The tally of the last query, for the next one; taken while a query runs, so a query asked from a callback gets its own. */
  private spareTally: Tally | undefined;

  /** An index of `texts` (in `languages`, English where not given), with ids 0, 1, 2, … */
  constructor(texts: readonly string[] = [], languages?: ArrayLike<string | undefined>) {
    this.append(texts, languages);
  }

  /** Adds documents with the ids after the last one added (0 for the first). */
  append(texts: readonly string[], languages?: ArrayLike<string | undefined>): void {
    this.add(texts.map((text, i) => ({ id: this.next + i, text, language: languages?.[i] })));
  }

  /**
   * Adds documents with ids of their own, in increasing order, each above every id added before;
   * each text's words become terms as its language has them (English when not given).
   */
  add(entries: ReadonlyArray<{ id: number; text: string; language?: string | undefined }>): void {
    let floor = this.next;
    for (const { id } of entries) {
      if (!Number.isInteger(id) || id < floor || id > MAX_ID) {
        throw new RangeError(`LexicalIndex.add: id ${id} must be a whole number from ${floor} (after the last id added) to ${MAX_ID}, increasing`);
      }
      floor = id + 1;
    }
    if (entries.length === 0) return;
    this.reserveIds(floor);
    for (const { id, text, language } of entries) this.addDocument(id, text, language ?? DEFAULT_LANGUAGE);
    this.sealed = undefined;
    if (this.recentDocuments > this.tableDocuments) this.compact();
  }

  /** Removes documents from results and from the BM25 statistics; their ids are not used again. */
  discard(ids: Iterable<number>): void {
    const unique = [...new Set(ids)];
    for (const id of unique) if (!this.has(id)) throw new RangeError(`LexicalIndex.discard: ${id} is not a document of the index`);
    if (unique.length > 0 && this.lengthsShared) {
      this.fieldLengths = this.fieldLengths.slice();
      this.lengthsShared = false;
    }
    for (const id of unique) {
      const length = this.fieldLengths[id]!;
      // MiniSearch's removeFieldLength.
      this.averageFieldLength = this.heldCount === 1 ? 0 : (this.averageFieldLength * this.heldCount - length) / (this.heldCount - 1);
      this.fieldLengths[id] = NOT_HELD;
      this.heldCount--;
    }
    if (unique.length > 0) {
      this.holdsDiscarded = true;
      this.sealed = undefined;
    }
  }

  has(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.next && this.fieldLengths[id] !== NOT_HELD;
  }

  /** Documents held (discarded ones not counted). */
  get documentCount(): number {
    return this.heldCount;
  }

  /** The id `append` gives next: one after the last id added, discarded or not. */
  get nextId(): number {
    return this.next;
  }

  /**
   * BM25 hits for the question, best first (equal scores in label order). With `known` (terms
   * the corpus holds as they are), those terms are matched exactly: prefix and typo expansion of
   * a known word only pulls in other words' postings (at a year's size, most of the search time),
   * while unknown words keep them. `boostDocument` multiplies a document's score for a term it
   * holds (0 leaves that term out for it); `accept` filters the hits after scoring. With `limit`,
   * only the best `limit` hits (the same as the first of all of them): a common word scores
   * tens of thousands of paragraphs, and ranking them all costs more than scoring them.
   * `language`: the question's, which decides its terms.
   */
  query(
    question: string,
    accept?: (label: number) => boolean,
    boostDocument?: (label: number, term: string) => number,
    known?: (term: string) => boolean,
    limit = Infinity,
    language: string = DEFAULT_LANGUAGE,
  ): LexicalHit[] {
    const queryTerms = words(question).flatMap((word) => toTerm(word, language) || []);
    if (queryTerms.length === 0 || this.heldCount === 0) return [];
    // Matched terms are reported once each, in the order the question first gives them.
    const distinct = [...new Set(queryTerms)];
    const tally = this.takeTally(Math.ceil(distinct.length / 32));
    try {
      tally.startQuery();
      // A repeated query term counts again, as MiniSearch's OR of one query per term does.
      for (const term of queryTerms) {
        tally.startTerm();
        for (const derived of this.derivedTerms(term, known)) this.scoreTerm(derived, tally, boostDocument);
        tally.endTerm(distinct.indexOf(term));
      }
      return tally.hits(distinct, accept, limit);
    } finally {
      this.spareTally = tally;
    }
  }

  /**
   * The index as one buffer for `fromBinary`. Documents added since the last one are folded into
   * the posting arrays and discarded documents' postings dropped (their ids stay taken).
   */
  toBinary(): Uint8Array {
    if (!this.sealed) this.compact();
    // A copy (a Node Buffer's slice would share its memory).
    return new Uint8Array(this.sealed!);
  }

  /**
   * An index written by `toBinary`, reading its postings from `bytes` in place (do not change them
   * afterwards). Throws when they are not such a buffer, were cut short or were changed.
   */
  static fromBinary(bytes: Uint8Array): LexicalIndex {
    const contents = readLexicalBinary(bytes);
    const index = new LexicalIndex();
    index.table = contents.postings;
    index.tableDocuments = contents.documentCount;
    // Copied before discard or append changes them: the caller's bytes stay as they are.
    index.fieldLengths = contents.fieldLengths;
    index.lengthsShared = true;
    index.heldCount = contents.documentCount;
    index.next = contents.fieldLengths.length;
    index.averageFieldLength = contents.averageFieldLength;
    index.sealed = bytes;
    return index;
  }

  private reserveIds(count: number): void {
    if (count <= this.fieldLengths.length) return;
    const grown = new Uint32Array(Math.max(count, this.fieldLengths.length * 2, 1024)).fill(NOT_HELD);
    grown.set(this.fieldLengths);
    this.fieldLengths = grown;
    this.lengthsShared = false;
  }

  /** MiniSearch's `add` for one field: its length counts distinct tokens, its term frequencies every occurrence. */
  private addDocument(id: number, text: string, language: string): void {
    const tokens = words(text);
    const fieldLength = new Set(tokens).size;
    this.fieldLengths[id] = fieldLength;
    this.averageFieldLength = (this.averageFieldLength * this.heldCount + fieldLength) / (this.heldCount + 1);
    this.heldCount++;
    this.next = id + 1;
    this.recentDocuments++;

    const frequencies = new Map<string, number>();
    for (const token of tokens) {
      const term = toTerm(token, language);
      if (term) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
    }
    for (const [term, frequency] of frequencies) {
      let postings = this.recent.get(term);
      if (!postings) {
        postings = { ids: [], frequencies: [] };
        this.recent.set(term, postings);
        this.recentTermList = undefined;
      }
      postings.ids.push(id);
      postings.frequencies.push(frequency);
    }
  }

  private takeTally(maskWords: number): Tally {
    const spare = this.spareTally;
    this.spareTally = undefined;
    if (spare && spare.size >= this.next && spare.maskWords >= maskWords) return spare;
    return new Tally(this.next, Math.max(maskWords, spare?.maskWords ?? 1));
  }

  private recentTerms(): TermList {
    this.recentTermList ??= TermList.of([...this.recent.keys()].sort());
    return this.recentTermList;
  }

  /**
   * What a query term stands for, as MiniSearch's executeQuerySpec finds it: the term itself;
   * with prefix search, the longer terms it begins; with typos allowed, the terms within
   * reach that are not already prefix matches.
   */
  private derivedTerms(term: string, known?: (term: string) => boolean): DerivedTerm[] {
    const expand = !known?.(term);
    const byPrefix = expand && term.length >= PREFIX_MIN_LENGTH;
    const maxTypos = expand && term.length >= FUZZY_MIN_LENGTH ? Math.min(MAX_TYPOS, Math.round(term.length * FUZZY_SHARE)) : 0;
    const { terms } = this.table;
    const derived: DerivedTerm[] = [{ term, weight: 1, tableIndex: terms.indexOf(term) }];
    if (!byPrefix && maxTypos === 0) return derived;

    const taken = new Set([term]);
    const take = (candidate: string, weight: number, tableIndex: number) => {
      if (taken.has(candidate)) return;
      taken.add(candidate);
      derived.push({ term: candidate, weight, tableIndex });
    };
    // The posting table first: a term both it and the recent documents hold is taken with its table index.
    const lists: Array<[TermList, boolean]> = [[terms, true], [this.recentTerms(), false]];
    if (byPrefix) {
      // Longer terms weigh less, gently: a prefix match stays relevant further out than a typo.
      const prefixWeight = (candidate: string) => (PREFIX_WEIGHT * candidate.length) / (candidate.length + 0.3 * (candidate.length - term.length));
      for (const [list, isTable] of lists) {
        const [start, end] = list.prefixRange(term);
        for (let i = start; i < end; i++) {
          const candidate = list.term(i);
          take(candidate, prefixWeight(candidate), isTable ? i : -1);
        }
      }
    }
    if (maxTypos > 0) {
      // The term itself and its prefix matches are taken already: each is scored as what it was found as first.
      for (const [list, isTable] of lists) {
        list.forEachWithin(term, maxTypos, (i, distance) => {
          const candidate = list.term(i);
          take(candidate, (FUZZY_WEIGHT * candidate.length) / (candidate.length + distance), isTable ? i : -1);
        });
      }
    }
    return derived;
  }

  /** MiniSearch's termResults and calcBM25Score for one derived term, over the held documents that contain it. */
  private scoreTerm({ term, weight, tableIndex }: DerivedTerm, tally: Tally, boostDocument?: (label: number, term: string) => number): void {
    const { postingStarts, ids, frequencies } = this.table;
    const start = tableIndex >= 0 ? postingStarts[tableIndex]! : 0;
    const end = tableIndex >= 0 ? postingStarts[tableIndex + 1]! : 0;
    const recent = this.recent.get(term);
    const lengths = this.fieldLengths;

    let matching = end - start + (recent?.ids.length ?? 0);
    if (this.holdsDiscarded) {
      matching = 0;
      for (let p = start; p < end; p++) if (lengths[ids[p]!] !== NOT_HELD) matching++;
      if (recent) for (const id of recent.ids) if (lengths[id] !== NOT_HELD) matching++;
    }
    if (matching === 0) return;

    const { k, b, d } = BM25;
    const documentCount = this.heldCount;
    const averageLength = this.averageFieldLength;
    const inverseFrequency = Math.log(1 + (documentCount - matching + 0.5) / (matching + 0.5));
    const score = (id: number, termFrequency: number) => {
      const fieldLength = lengths[id]!;
      if (fieldLength === NOT_HELD) return;
      const boost = boostDocument ? boostDocument(id, term) : 1;
      if (!boost) return;
      // Written as MiniSearch writes it, so the floating-point steps are the same.
      const raw = inverseFrequency * (d + (termFrequency * (k + 1)) / (termFrequency + k * (1 - b + (b * fieldLength) / averageLength)));
      tally.add(id, weight * boost * raw);
    };
    for (let p = start; p < end; p++) score(ids[p]!, frequencies[p]!);
    if (recent) for (let p = 0; p < recent.ids.length; p++) score(recent.ids[p]!, recent.frequencies[p]!);
  }

  /**
   * Folds the recent documents into a new posting table, without discarded documents' postings
   * or the terms left with none, written straight into its binary form.
   */
  private compact(): void {
    const table = this.table;
    const tableTerms = table.terms.all();
    const recentTerms = [...this.recent.keys()].sort();
    const lengths = this.fieldLengths;
    const held = (id: number) => lengths[id] !== NOT_HELD;

    // Both term lists are sorted: one merge gives the new list, each term with where its postings are.
    const merged: string[] = [];
    const tableIndexes: number[] = [];
    const recentPostings: Array<RecentPostings | undefined> = [];
    let postingCount = 0;
    let maxFrequency = 0;
    let t = 0;
    let r = 0;
    while (t < tableTerms.length || r < recentTerms.length) {
      const fromTable = tableTerms[t];
      const fromRecent = recentTerms[r];
      const term = fromRecent === undefined || (fromTable !== undefined && fromTable <= fromRecent) ? fromTable! : fromRecent;
      const tableIndex = fromTable === term ? t++ : -1;
      const recent = fromRecent === term ? this.recent.get(recentTerms[r++]!)! : undefined;

      let count = 0;
      if (tableIndex >= 0) {
        for (let p = table.postingStarts[tableIndex]!; p < table.postingStarts[tableIndex + 1]!; p++) {
          if (!held(table.ids[p]!)) continue;
          count++;
          if (table.frequencies[p]! > maxFrequency) maxFrequency = table.frequencies[p]!;
        }
      }
      if (recent) {
        for (let p = 0; p < recent.ids.length; p++) {
          if (!held(recent.ids[p]!)) continue;
          count++;
          if (recent.frequencies[p]! > maxFrequency) maxFrequency = recent.frequencies[p]!;
        }
      }
      if (count === 0) continue;
      merged.push(term);
      tableIndexes.push(tableIndex);
      recentPostings.push(recent);
      postingCount += count;
    }

    const shape = { terms: merged, postingCount, maxFrequency, fieldLengths: lengths.subarray(0, this.next), documentCount: this.heldCount, averageFieldLength: this.averageFieldLength };
    const { bytes, contents } = writeLexicalBinary(shape, (postingStarts, ids, frequencies) => {
      let at = 0;
      for (let i = 0; i < merged.length; i++) {
        postingStarts[i] = at;
        const tableIndex = tableIndexes[i]!;
        if (tableIndex >= 0) {
          for (let p = table.postingStarts[tableIndex]!; p < table.postingStarts[tableIndex + 1]!; p++) {
            if (!held(table.ids[p]!)) continue;
            ids[at] = table.ids[p]!;
            frequencies[at++] = table.frequencies[p]!;
          }
        }
        const recent = recentPostings[i];
        if (recent) {
          for (let p = 0; p < recent.ids.length; p++) {
            if (!held(recent.ids[p]!)) continue;
            ids[at] = recent.ids[p]!;
            frequencies[at++] = recent.frequencies[p]!;
          }
        }
      }
      postingStarts[merged.length] = at;
    });

    this.table = contents.postings;
    this.tableDocuments = this.heldCount;
    this.recent.clear();
    this.recentTermList = undefined;
    this.recentDocuments = 0;
    this.holdsDiscarded = false;
    this.sealed = bytes;
  }
}
