// The word statistics (document frequencies), the spelling vocabulary (word counts) and each
// story's content terms as one buffer of flat sections. A start reads it with a checksum, two
// string splits and one map instead of a JSON parse; adding or removing stories changes it
// without making a string or a map entry per term: the previous file's sections are copied, the
// few counts that change found by scanning its bytes (a year's terms.json took ~0.45 s to read
// and write again).
//
// Layout, little-endian, every section starting at a multiple of 8 bytes:
//   header (64 bytes)
//      0  magic "VBMTERMS"            8  u32 version (of how terms are made)   12  u32 documents (paragraphs)
//     16  u32 term count             20  u32 term bytes           24  u32 word count          28  u32 word bytes
//     32  u32 story count            36  u32 story-term count     40  u32 CRC-32 of every byte after the header
//     44  u32 total bytes            48  zero up to 64
//   term text      UTF-8, the terms joined by "\n", in the term list's order (first counted first)
//   term counts    u32 × term count: how many documents hold each term (0 once none does)
//   word text      UTF-8, the words joined by "\n", in the order first counted
//   word counts    u32 × word count: occurrences of each word
//   story starts   u32 × (story count + 1): story s's terms are [storyStarts[s], storyStarts[s + 1])
//   story terms    u32 × story-term count: positions in the term list
//
// "\n" cannot occur in a term or a word: both are made of `words` (src/search/text.ts), runs of
// letters and digits (whole code points, so the UTF-8 round trip is exact) with inner apostrophes
// and dots; `columnOf` and `changedColumn` still check it.
import { HEADER_BYTES, alignTo8, checkBinary, hasMagic, openBinary, sealBinary, startBinary } from './binary-file.js';

const MAGIC = 'VBMTERMS';
const WHAT = 'The terms file';
const SEPARATOR = '\n';
const SEPARATOR_BYTE = 0x0a;

/** Stories' content terms, flat: story k of these rows holds `terms[starts[k]]` up to `terms[starts[k + 1]]`. */
export interface StoryRows {
  starts: Uint32Array;
  terms: Uint32Array;
}

/** The terms or the words of a terms file as it holds them: their UTF-8 text (joined by "\n") and their counts. */
export interface Column {
  text: Uint8Array;
  counts: Uint32Array;
}

/** A column to write, its text in parts (each of `count` keys, joined by "\n"; the parts are joined by it too). */
export interface ColumnParts {
  parts: ReadonlyArray<{ text: Uint8Array; count: number }>;
  counts: Uint32Array;
}

/** A terms file as read: views over its bytes, nothing decoded. */
export interface TermsView {
  version: number;
  documents: number;
  terms: Column;
  words: Column;
  /** Starting at 0, one per story and one more. */
  stories: StoryRows;
}

/** A terms file decoded into what a start holds. */
export interface TermsContents {
  version: number;
  documents: number;
  /** The term list, in order: `frequencies` holds the same terms in the same order. */
  terms: string[];
  frequencies: Map<string, number>;
  /**
   * Each word with its count, in the order first counted (the spelling corrector may break ties
   * by it); as many times as asked. Not a map: the one reader, the spelling corrector, makes its own.
   */
  wordCounts: Iterable<readonly [string, number]>;
  stories: StoryRows;
}

interface Sections {
  termText: number;
  termCounts: number;
  wordText: number;
  wordCounts: number;
  storyStarts: number;
  storyTerms: number;
  total: number;
}

function sectionsOf(termCount: number, termBytes: number, wordCount: number, wordBytes: number, storyCount: number, storyTermCount: number): Sections {
  const termText = HEADER_BYTES;
  const termCounts = alignTo8(termText + termBytes);
  const wordText = alignTo8(termCounts + 4 * termCount);
  const wordCounts = alignTo8(wordText + wordBytes);
  const storyStarts = alignTo8(wordCounts + 4 * wordCount);
  const storyTerms = alignTo8(storyStarts + 4 * (storyCount + 1));
  return { termText, termCounts, wordText, wordCounts, storyStarts, storyTerms, total: alignTo8(storyTerms + 4 * storyTermCount) };
}

function separatorsIn(text: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) if (text[i] === SEPARATOR_BYTE) count++;
  return count;
}

/** `keys` joined by the separator, as UTF-8; throws when a key holds it. */
function joined(keys: readonly string[]): Uint8Array {
  const text = Buffer.from(keys.join(SEPARATOR), 'utf8');
  if (keys.length > 0 && separatorsIn(text) !== keys.length - 1) throw new Error('A term or word holds a line break: the terms file cannot store it');
  return text;
}

/** The column of a map's keys and values, in its order. */
export function columnOf(map: ReadonlyMap<string, number>): ColumnParts {
  return { parts: [{ text: joined([...map.keys()]), count: map.size }], counts: Uint32Array.from(map.values()) };
}

/** The text bytes of a column's parts, joined. */
function textBytes(column: ColumnParts): number {
  const parts = column.parts.filter((part) => part.count > 0);
  return parts.reduce((sum, part) => sum + part.text.length, 0) + Math.max(0, parts.length - 1);
}

/** Writes a column's text at `at` (its parts' key counts were checked when they were made). */
function writeText(bytes: Uint8Array, at: number, column: ColumnParts): void {
  let keys = 0;
  for (const part of column.parts) {
    if (part.count === 0) continue;
    if (keys > 0) bytes[at++] = SEPARATOR_BYTE;
    bytes.set(part.text, at);
    at += part.text.length;
    keys += part.count;
  }
  if (keys !== column.counts.length) throw new Error(`A terms file column of ${keys} keys and ${column.counts.length} counts`);
}

/**
 * The terms file of these contents. Story rows are copied part after part (a part may be rows of
 * a file read before: its section is copied as it is), their positions unchecked.
 */
export function writeTermsBinary(contents: { version: number; documents: number; terms: ColumnParts; words: ColumnParts; stories: readonly StoryRows[] }): Uint8Array {
  const termBytes = textBytes(contents.terms);
  const wordBytes = textBytes(contents.words);
  let storyCount = 0;
  let storyTermCount = 0;
  for (const part of contents.stories) {
    const rows = part.starts.length - 1;
    if (rows <= 0) continue;
    storyCount += rows;
    storyTermCount += part.starts[rows]! - part.starts[0]!;
  }
  const termCount = contents.terms.counts.length;
  const wordCount = contents.words.counts.length;
  const at = sectionsOf(termCount, termBytes, wordCount, wordBytes, storyCount, storyTermCount);
  const { bytes, header } = startBinary(at.total, MAGIC, WHAT);
  header.setUint32(8, contents.version, true);
  header.setUint32(12, contents.documents, true);
  header.setUint32(16, termCount, true);
  header.setUint32(20, termBytes, true);
  header.setUint32(24, wordCount, true);
  header.setUint32(28, wordBytes, true);
  header.setUint32(32, storyCount, true);
  header.setUint32(36, storyTermCount, true);
  header.setUint32(44, at.total, true);

  writeText(bytes, at.termText, contents.terms);
  new Uint32Array(bytes.buffer, at.termCounts, termCount).set(contents.terms.counts);
  writeText(bytes, at.wordText, contents.words);
  new Uint32Array(bytes.buffer, at.wordCounts, wordCount).set(contents.words.counts);
  const starts = new Uint32Array(bytes.buffer, at.storyStarts, storyCount + 1);
  const terms = new Uint32Array(bytes.buffer, at.storyTerms, storyTermCount);
  let story = 0;
  let termAt = 0;
  for (const part of contents.stories) {
    const rows = part.starts.length - 1;
    if (rows <= 0) continue;
    const first = part.starts[0]!;
    for (let k = 0; k < rows; k++) starts[story + k] = termAt + part.starts[k]! - first;
    terms.set(part.terms.subarray(first, part.starts[rows]!), termAt);
    story += rows;
    termAt += part.starts[rows]! - first;
  }
  starts[storyCount] = termAt;
  sealBinary(bytes, 40);
  return bytes;
}

function damaged(why: string): Error {
  return new Error(`${WHAT} is damaged: ${why}`);
}

/** The version and document count a terms file's first bytes (16 are enough) say it holds; undefined when they are not a terms file's. */
export function termsHead(bytes: Uint8Array): { version: number; documents: number } | undefined {
  if (bytes.length < 16 || !hasMagic(bytes, MAGIC)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return { version: view.getUint32(8, true), documents: view.getUint32(12, true) };
}

/**
 * The sections of a terms file written by `writeTermsBinary` for `expected`'s version and
 * document count, as views over `input` (copied first only when it does not start on a 4-byte
 * boundary). Throws when it is not such a file, was cut short or was changed. That a column's
 * text holds as many keys as its counts is checked where the text is read (`keysOf`, `changedColumn`).
 */
export function viewTermsBinary(input: Uint8Array, expected: { version: number; documents: number }): TermsView {
  const { bytes, header } = openBinary(input, MAGIC, 'terms file', damaged);
  const head = termsHead(bytes)!;
  if (head.version !== expected.version) throw damaged(`version ${head.version}, this build reads version ${expected.version}`);
  if (head.documents !== expected.documents) throw damaged(`it is for ${head.documents} paragraphs, not ${expected.documents}`);
  const termCount = header.getUint32(16, true);
  const termBytes = header.getUint32(20, true);
  const wordCount = header.getUint32(24, true);
  const wordBytes = header.getUint32(28, true);
  const storyCount = header.getUint32(32, true);
  const storyTermCount = header.getUint32(36, true);
  const checksum = header.getUint32(40, true);
  const total = header.getUint32(44, true);
  const at = sectionsOf(termCount, termBytes, wordCount, wordBytes, storyCount, storyTermCount);
  checkBinary(bytes, { total, sections: at.total, checksum }, damaged);

  const buffer = bytes.buffer;
  const offset = bytes.byteOffset;
  const column = (textAt: number, length: number, countsAt: number, count: number): Column => ({
    text: new Uint8Array(buffer, offset + textAt, length),
    counts: new Uint32Array(buffer, offset + countsAt, count),
  });
  const terms = column(at.termText, termBytes, at.termCounts, termCount);
  const words = column(at.wordText, wordBytes, at.wordCounts, wordCount);
  const starts = new Uint32Array(buffer, offset + at.storyStarts, storyCount + 1);
  if (starts[0] !== 0 || starts[storyCount] !== storyTermCount) throw damaged('its story starts do not cover its story terms');
  for (let s = 1; s <= storyCount; s++) if (starts[s - 1]! > starts[s]!) throw damaged('its story starts go backwards');
  const storyTerms = new Uint32Array(buffer, offset + at.storyTerms, storyTermCount);
  for (let i = 0; i < storyTermCount; i++) if (storyTerms[i]! >= termCount) throw damaged(`a story term at position ${storyTerms[i]} of ${termCount} terms`);
  return { version: head.version, documents: head.documents, terms, words, stories: { starts, terms: storyTerms } };
}

/** A column's keys, in order; throws when its text does not hold as many as its counts. */
function keysOf(column: Column): string[] {
  const keys = column.counts.length === 0 && column.text.length === 0 ? [] : Buffer.from(column.text.buffer, column.text.byteOffset, column.text.length).toString('utf8').split(SEPARATOR);
  if (keys.length !== column.counts.length) throw damaged(`${keys.length} keys where its header says ${column.counts.length}`);
  return keys;
}

/** A column's keys with their counts, in order; throws when a key repeats. */
function mapOf(keys: readonly string[], counts: Uint32Array): Map<string, number> {
  const map = new Map<string, number>();
  for (let i = 0; i < keys.length; i++) map.set(keys[i]!, counts[i]!);
  if (map.size !== keys.length) throw damaged('a repeated term');
  return map;
}

/** A column's keys with their counts, in order, each time it is iterated. */
function pairsOf(keys: readonly string[], counts: Uint32Array): Iterable<readonly [string, number]> {
  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < keys.length; i++) yield [keys[i]!, counts[i]!] as const;
    },
  };
}

/** `viewTermsBinary`, decoded. */
export function readTermsBinary(input: Uint8Array, expected: { version: number; documents: number }): TermsContents {
  const view = viewTermsBinary(input, expected);
  const terms = keysOf(view.terms);
  return {
    version: view.version,
    documents: view.documents,
    terms,
    frequencies: mapOf(terms, view.terms.counts),
    wordCounts: pairsOf(keysOf(view.words), view.words.counts),
    stories: view.stories,
  };
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * Where `keys` are in a column: each one's position (-1 when the column lacks it) and the offset
 * of its first byte in the column's text. One pass over the text, making no string: a key's bytes
 * are hashed as they are passed, and compared only when a key asked for has that hash. Throws
 * when the text does not hold as many keys as the column's counts.
 */
function find(column: Column, encoded: readonly Uint8Array[]): { positions: Int32Array; starts: Int32Array } {
  const positions = new Int32Array(encoded.length).fill(-1);
  const starts = new Int32Array(encoded.length).fill(-1);
  if (column.counts.length === 0) {
    if (column.text.length > 0) throw damaged(`keys where its header says none`);
    return { positions, starts };
  }
  const byHash = new Map<number, number[]>();
  // A bit per low 16 bits of a hash asked for: most keys of the column are passed without a look-up.
  const filter = new Uint8Array(1 << 13);
  encoded.forEach((bytes, k) => {
    let hash = FNV_OFFSET;
    for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, FNV_PRIME);
    hash >>>= 0;
    const same = byHash.get(hash);
    if (same) same.push(k);
    else byHash.set(hash, [k]);
    filter[(hash & 0xffff) >>> 3]! |= 1 << (hash & 7);
  });
  const text = column.text;
  let position = 0;
  let start = 0;
  let hash = FNV_OFFSET;
  for (let i = 0; i <= text.length; i++) {
    const byte = i < text.length ? text[i]! : SEPARATOR_BYTE;
    if (byte !== SEPARATOR_BYTE) {
      hash = Math.imul(hash ^ byte, FNV_PRIME);
      continue;
    }
    hash >>>= 0;
    if (filter[(hash & 0xffff) >>> 3]! & (1 << (hash & 7))) {
      for (const k of byHash.get(hash) ?? []) {
        const key = encoded[k]!;
        if (positions[k] !== -1 || key.length !== i - start) continue;
        let same = true;
        for (let j = 0; j < key.length && same; j++) same = text[start + j] === key[j];
        if (same) {
          positions[k] = position;
          starts[k] = start;
        }
      }
    }
    position++;
    start = i + 1;
    hash = FNV_OFFSET;
  }
  if (position !== column.counts.length) throw damaged(`${position} keys where its header says ${column.counts.length}`);
  return { positions, starts };
}

/**
 * A column with counts changed as a map would change them: `changes` (key → amount) adds the
 * amount to a key's count; a key the column lacks is appended (in the order of `changes`) when
 * its amount is positive; a count that falls to 0 or below stays at 0 (`atZero` 'keep') or its
 * key is taken out, the others keeping their order ('drop'). `positions` are the changed keys'
 * places in the column before any is taken out (-1 for those neither held nor appended).
 */
export function changedColumn(column: Column, changes: ReadonlyMap<string, number>, atZero: 'keep' | 'drop'): { column: ColumnParts; positions: Map<string, number> } {
  const keys = [...changes.keys()];
  const encoded = keys.map((key) => Buffer.from(key, 'utf8'));
  const found = find(column, encoded);
  const held = column.counts.length;
  const appended = keys.filter((key, k) => found.positions[k] === -1 && changes.get(key)! > 0);
  const counts = new Uint32Array(held + appended.length);
  counts.set(column.counts);
  const positions = new Map<string, number>();
  /** Keys taken out: [position, first byte, bytes]. */
  const dropped: Array<[number, number, number]> = [];
  let next = held;
  keys.forEach((key, k) => {
    const amount = changes.get(key)!;
    const position = found.positions[k]!;
    if (position === -1) {
      if (amount > 0) {
        counts[next] = amount;
        positions.set(key, next++);
      }
      return;
    }
    positions.set(key, position);
    const count = counts[position]! + amount;
    if (count <= 0 && atZero === 'drop') dropped.push([position, found.starts[k]!, encoded[k]!.length]);
    counts[position] = Math.max(0, count);
  });

  // The previous text in the runs of keys between those taken out, then the appended keys.
  const parts: Array<{ text: Uint8Array; count: number }> = [];
  let fromByte = 0;
  let fromKey = 0;
  dropped.sort((a, b) => a[0] - b[0]);
  for (const [position, start, length] of dropped) {
    if (position > fromKey) parts.push({ text: column.text.subarray(fromByte, start - 1), count: position - fromKey });
    fromByte = start + length + 1;
    fromKey = position + 1;
  }
  if (fromKey < held) parts.push({ text: column.text.subarray(fromByte), count: held - fromKey });
  if (appended.length > 0) parts.push({ text: joined(appended), count: appended.length });
  if (dropped.length === 0) return { column: { parts, counts }, positions };
  // The counts likewise, a run at a time.
  const keptCounts = new Uint32Array(counts.length - dropped.length);
  let from = 0;
  let to = 0;
  for (const [position] of dropped) {
    keptCounts.set(counts.subarray(from, position), to);
    to += position - from;
    from = position + 1;
  }
  keptCounts.set(counts.subarray(from), to);
  return { column: { parts, counts: keptCounts }, positions };
}
