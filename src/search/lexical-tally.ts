// Where a BM25 query's scores add up, per document id, and how its hits come out ranked.
import type { LexicalHit } from './lexical.js';

/**
 * Per-document sums for one query: for the query term at hand, and over all of them. Kept from
 * one query to the next (allocated per query, a year's few MB made querying mostly garbage
 * collection); marks tell which entries this term or query has written, so nothing is cleared.
 */
export class Tally {
  private readonly termScores: Float64Array;
  private readonly termMarks: Uint32Array;
  private readonly totalScores: Float64Array;
  private readonly queryMarks: Uint32Array;
  /** Bit q of a document's mask words: it matched the q-th distinct query term. */
  private readonly matched: Uint32Array;
  private mark = 0;
  private termMark = 0;
  private queryMark = 0;
  private readonly termTouched: number[] = [];
  /** Documents the query has scored, in the order it first scored them. */
  private readonly touched: number[] = [];

  constructor(
    readonly size: number,
    readonly maskWords: number,
  ) {
    this.termScores = new Float64Array(size);
    this.termMarks = new Uint32Array(size);
    this.totalScores = new Float64Array(size);
    this.queryMarks = new Uint32Array(size);
    this.matched = new Uint32Array(size * maskWords);
  }

  private nextMark(): number {
    if (this.mark === 0xffffffff) {
      this.termMarks.fill(0);
      this.queryMarks.fill(0);
      this.mark = 0;
    }
    return ++this.mark;
  }

  startQuery(): void {
    this.queryMark = this.nextMark();
    this.touched.length = 0;
  }

  startTerm(): void {
    this.termMark = this.nextMark();
    this.termTouched.length = 0;
  }

  /** Adds a derived term's score to the query term's (MiniSearch's termResults). */
  add(id: number, score: number): void {
    const termScores = this.termScores;
    if (this.termMarks[id] === this.termMark) {
      termScores[id] = termScores[id]! + score;
    } else {
      this.termMarks[id] = this.termMark;
      termScores[id] = score;
      this.termTouched.push(id);
    }
  }

  /** Adds the query term's scores to the query's (MiniSearch's OR of one query per term), marking the term matched. */
  endTerm(position: number): void {
    const { termScores, totalScores, queryMarks, matched, maskWords, queryMark, termTouched, touched } = this;
    const word = position >>> 5;
    const bit = 1 << (position & 31);
    for (let i = 0; i < termTouched.length; i++) {
      const id = termTouched[i]!;
      const mask = id * maskWords;
      if (queryMarks[id] !== queryMark) {
        queryMarks[id] = queryMark;
        totalScores[id] = 0;
        for (let w = 0; w < maskWords; w++) matched[mask + w] = 0;
        touched.push(id);
      }
      totalScores[id] = totalScores[id]! + termScores[id]!;
      matched[mask + word] = matched[mask + word]! | bit;
    }
  }

  /**
   * The accepted documents, best first (equal scores by id), at most `limit` of them. A score is
   * multiplied by how many of the distinct query terms the document matched (MiniSearch's "quality").
   */
  hits(distinct: readonly string[], accept: ((id: number) => boolean) | undefined, limit: number): LexicalHit[] {
    const scores = this.totalScores;
    const ids: number[] = [];
    for (const id of this.touched) {
      if (accept && !accept(id)) continue;
      scores[id] = scores[id]! * this.matchedCount(id);
      ids.push(id);
    }
    const better = (a: number, b: number) => scores[b]! - scores[a]! || a - b;
    const ranked = limit < ids.length ? best(ids, limit, better) : ids.sort(better);
    return ranked.map((id) => ({ label: id, score: scores[id]!, matchedTerms: this.matchedTerms(id, distinct) }));
  }

  private matchedCount(id: number): number {
    let count = 0;
    for (let w = id * this.maskWords, end = w + this.maskWords; w < end; w++) count += bitCount(this.matched[w]!);
    return count;
  }

  private matchedTerms(id: number, distinct: readonly string[]): string[] {
    const terms: string[] = [];
    const mask = id * this.maskWords;
    for (let q = 0; q < distinct.length; q++) if ((this.matched[mask + (q >>> 5)]! & (1 << (q & 31))) !== 0) terms.push(distinct[q]!);
    return terms;
  }
}

function bitCount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/**
 * The first `limit` of `items` in `order`, sorted: a heap of the best so far with the worst on
 * top, so most items cost one comparison with it (a year's common word scores 20,000 paragraphs
 * of which the caller keeps a few hundred).
 */
function best(items: readonly number[], limit: number, order: (a: number, b: number) => number): number[] {
  if (limit <= 0) return [];
  const heap: number[] = [];
  // In the heap a parent is never better than its children.
  const worse = (a: number, b: number) => order(a, b) > 0;
  const siftDown = (at: number) => {
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) return;
      const right = left + 1;
      const worst = right < heap.length && worse(heap[right]!, heap[left]!) ? right : left;
      if (!worse(heap[worst]!, heap[at]!)) return;
      [heap[at], heap[worst]] = [heap[worst]!, heap[at]!];
      at = worst;
    }
  };
  for (const item of items) {
    if (heap.length < limit) {
      heap.push(item);
      for (let at = heap.length - 1; at > 0; ) {
        const parent = (at - 1) >>> 1;
        if (!worse(heap[at]!, heap[parent]!)) break;
        [heap[at], heap[parent]] = [heap[parent]!, heap[at]!];
        at = parent;
      }
    } else if (order(item, heap[0]!) < 0) {
      heap[0] = item;
      siftDown(0);
    }
  }
  return heap.sort(order);
}
