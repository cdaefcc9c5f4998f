// A sorted term list packed in one array of UTF-16 code units, with the look-ups MiniSearch's radix
// tree answered: exact, by prefix, and within a number of typos. Packed, it is a view over the
// binary index as it is read (no string per term is made on load), and code units sort and compare
// exactly as JavaScript strings do.

export class TermList {
  /**
   * @param units  every term's UTF-16 code units, one after the other, terms in code-unit order
   * @param starts term i is units [starts[i], starts[i + 1])
   */
  constructor(
    readonly units: Uint16Array,
    readonly starts: Uint32Array,
  ) {}

  /** Packs terms that are already sorted (JavaScript's default sort) and distinct. */
  static of(sortedTerms: readonly string[]): TermList {
    const list = new TermList(new Uint16Array(unitCount(sortedTerms)), new Uint32Array(sortedTerms.length + 1));
    list.fill(sortedTerms);
    return list;
  }

  /** Writes `sortedTerms` into this list's arrays, sized for them with `unitCount`. */
  fill(sortedTerms: readonly string[]): void {
    let at = 0;
    sortedTerms.forEach((term, i) => {
      this.starts[i] = at;
      for (let k = 0; k < term.length; k++) this.units[at++] = term.charCodeAt(k);
    });
    this.starts[sortedTerms.length] = at;
  }

  get count(): number {
    return this.starts.length - 1;
  }

  term(i: number): string {
    const end = this.starts[i + 1]!;
    let text = '';
    // In slices: a function takes only so many arguments.
    for (let k = this.starts[i]!; k < end; k += 4096) {
      text += String.fromCharCode.apply(null, this.units.subarray(k, Math.min(end, k + 4096)) as unknown as number[]);
    }
    return text;
  }

  /** Every term, as strings. */
  all(): string[] {
    return Array.from({ length: this.count }, (_, i) => this.term(i));
  }

  /** Term i compared with `key` in code-unit order: negative when it sorts first. */
  private compare(i: number, key: string): number {
    const start = this.starts[i]!;
    const length = this.starts[i + 1]! - start;
    const shared = Math.min(length, key.length);
    for (let k = 0; k < shared; k++) {
      const difference = this.units[start + k]! - key.charCodeAt(k);
      if (difference !== 0) return difference;
    }
    return length - key.length;
  }

  /** Index of the first term not less than `key`. */
  lowerBound(key: string): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.compare(middle, key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Index of `term`, or -1. */
  indexOf(term: string): number {
    const at = this.lowerBound(term);
    return at < this.count && this.compare(at, term) === 0 ? at : -1;
  }

  /** Whether term i begins with the first `length` code units of term `of`. */
  private sharesPrefix(i: number, of: number, length: number): boolean {
    const start = this.starts[i]!;
    if (this.starts[i + 1]! - start < length) return false;
    const other = this.starts[of]!;
    for (let k = 0; k < length; k++) if (this.units[start + k] !== this.units[other + k]) return false;
    return true;
  }

  /**
   * The end of the run of terms that begin with the first `length` code units of term `from`.
   * Galloping: most runs a walk skips are short, so the first steps look close by before halving.
   */
  private endOfRun(from: number, length: number): number {
    let inside = from;
    let step = 1;
    let outside = from + 1;
    while (outside < this.count && this.sharesPrefix(outside, from, length)) {
      inside = outside;
      step *= 2;
      outside = from + step;
    }
    outside = Math.min(outside, this.count);
    while (outside - inside > 1) {
      const middle = (inside + outside) >>> 1;
      if (this.sharesPrefix(middle, from, length)) inside = middle;
      else outside = middle;
    }
    return outside;
  }

  /** The index range [start, end) of the terms that begin with `prefix` (the prefix itself included when held). */
  prefixRange(prefix: string): [number, number] {
    const start = this.lowerBound(prefix);
    if (start >= this.count || this.starts[start + 1]! - this.starts[start]! < prefix.length) return [start, start];
    for (let k = 0; k < prefix.length; k++) if (this.units[this.starts[start]! + k] !== prefix.charCodeAt(k)) return [start, start];
    return [start, this.endOfRun(start, prefix.length)];
  }

  /**
   * Calls `found` with every term within `maxDistance` edits of `query` (Levenshtein on UTF-16
   * code units, no transpositions), in term order. Row r of the matrix holds the distances of the
   * term's first r code units; a term reuses the rows of the prefix it shares with the term before
   * it, and once a row's minimum exceeds `maxDistance` no longer term under that prefix can come
   * back within reach, so the whole run under it is skipped, as a radix tree walk prunes a subtree.
   */
  forEachWithin(query: string, maxDistance: number, found: (index: number, distance: number) => void): void {
    const { units, starts } = this;
    const width = query.length + 1;
    // Every cell of row r is at least r - query.length, so no row past this one is ever within reach.
    const rowCount = query.length + maxDistance + 2;
    // Only cells within maxDistance of the diagonal are computed (MiniSearch's band); the others
    // keep maxDistance + 1, as good as their true value for a walk that only tells "within reach".
    const outOfReach = maxDistance + 1;
    const matrix = new Int32Array(rowCount * width).fill(outOfReach);
    for (let column = 0; column < width; column++) matrix[column] = column;
    for (let row = 0; row < rowCount; row++) matrix[row * width] = row;
    const queryUnits = Uint16Array.from({ length: query.length }, (_, k) => query.charCodeAt(k));

    // Rows 0..validRows hold the prefixes of term `previous`.
    let previous = -1;
    let validRows = 0;
    let index = 0;
    while (index < this.count) {
      const start = starts[index]!;
      const length = starts[index + 1]! - start;
      let row = 0;
      if (previous >= 0) {
        const previousStart = starts[previous]!;
        const shared = Math.min(validRows, length, starts[previous + 1]! - previousStart);
        while (row < shared && units[start + row] === units[previousStart + row]) row++;
      }

      let prunedAt = -1;
      while (row < length) {
        const unit = units[start + row]!;
        const above = row * width;
        row++;
        const here = row * width;
        let rowMinimum = row;
        const last = Math.min(query.length, row + maxDistance);
        for (let column = Math.max(1, row - maxDistance); column <= last; column++) {
          const replace = matrix[above + column - 1]! + (queryUnits[column - 1] === unit ? 0 : 1);
          const remove = matrix[above + column]! + 1;
          const insert = matrix[here + column - 1]! + 1;
          const distance = replace < remove ? (replace < insert ? replace : insert) : remove < insert ? remove : insert;
          matrix[here + column] = distance;
          if (distance < rowMinimum) rowMinimum = distance;
        }
        if (rowMinimum > maxDistance) {
          prunedAt = row;
          break;
        }
      }

      previous = index;
      if (prunedAt >= 0) {
        validRows = prunedAt;
        index = this.endOfRun(index, prunedAt);
        continue;
      }
      validRows = length;
      const distance = matrix[length * width + query.length]!;
      if (distance <= maxDistance) found(index, distance);
      index++;
    }
  }
}

/** Code units of all the terms together. */
export function unitCount(terms: readonly string[]): number {
  let count = 0;
  for (const term of terms) count += term.length;
  return count;
}
