// The BM25 index as one buffer of flat sections that typed arrays view in place, so loading it is
// a checksum and a few header checks rather than a parse (a year's MiniSearch JSON took 2.9 s).
//
// Layout, little-endian, every section starting at a multiple of 8 bytes:
//   header (64 bytes)
//      0  magic "VBM25LEX"            8  u32 format version       12  u32 bytes per term frequency (1, 2 or 4)
//     16  u32 term count             20  u32 term code units     24  u32 posting count
//     28  u32 id count (next id)     32  u32 documents held      36  u32 CRC-32 of every byte after the header
//     40  f64 average field length   48  u32 total bytes         52  zero up to 64
//   term units      u16 × term code units: the terms' UTF-16 code units, terms sorted by code unit
//   term starts     u32 × (term count + 1): term t is units [termStarts[t], termStarts[t + 1])
//   posting starts  u32 × (term count + 1): term t's postings are [postingStarts[t], postingStarts[t + 1])
//   ids             u32 × posting count, ascending within a term
//   frequencies     u8/u16/u32 × posting count: occurrences of the term in the document
//   lengths         u32 × id count: the document's distinct tokens, or NOT_HELD
import { HEADER_BYTES, alignTo8, checkBinary, openBinary, sealBinary, startBinary } from './binary-file.js';
import { TermList, unitCount } from './term-list.js';

const MAGIC = 'VBM25LEX';
export const LEXICAL_FORMAT_VERSION = 1;
const WHAT = 'The binary BM25 index';
/** Field length of an id the index does not hold (never added, or discarded). */
export const NOT_HELD = 0xffffffff;

export type FrequencyArray = Uint8Array | Uint16Array | Uint32Array;

/** Terms and their postings, both in term order. */
export interface PostingTable {
  terms: TermList;
  postingStarts: Uint32Array;
  ids: Uint32Array;
  frequencies: FrequencyArray;
}

export interface LexicalContents {
  postings: PostingTable;
  /** Per id below the id count. */
  fieldLengths: Uint32Array;
  documentCount: number;
  averageFieldLength: number;
}

export interface LexicalShape {
  /** Sorted by code unit (JavaScript's default sort), distinct. */
  terms: readonly string[];
  postingCount: number;
  maxFrequency: number;
  fieldLengths: Uint32Array;
  documentCount: number;
  averageFieldLength: number;
}

interface Sections {
  termUnits: number;
  termStarts: number;
  postingStarts: number;
  ids: number;
  frequencies: number;
  lengths: number;
  total: number;
}

function sectionsOf(termCount: number, termUnits: number, postingCount: number, frequencyBytes: number, idCount: number): Sections {
  const units = HEADER_BYTES;
  const termStarts = alignTo8(units + 2 * termUnits);
  const postingStarts = alignTo8(termStarts + 4 * (termCount + 1));
  const ids = alignTo8(postingStarts + 4 * (termCount + 1));
  const frequencies = alignTo8(ids + 4 * postingCount);
  const lengths = alignTo8(frequencies + frequencyBytes * postingCount);
  return { termUnits: units, termStarts, postingStarts, ids, frequencies, lengths, total: alignTo8(lengths + 4 * idCount) };
}

function frequencyView(buffer: ArrayBufferLike, offset: number, length: number, bytes: number): FrequencyArray {
  if (bytes === 1) return new Uint8Array(buffer, offset, length);
  if (bytes === 2) return new Uint16Array(buffer, offset, length);
  return new Uint32Array(buffer, offset, length);
}

/**
 * Lays out an index of this shape in a new buffer, writes its terms and document lengths, lets
 * `fill` write the postings into their sections, then seals it with its checksum.
 */
export function writeLexicalBinary(
  shape: LexicalShape,
  fill: (postingStarts: Uint32Array, ids: Uint32Array, frequencies: FrequencyArray) => void,
): { bytes: Uint8Array; contents: LexicalContents } {
  const frequencyBytes = shape.maxFrequency <= 0xff ? 1 : shape.maxFrequency <= 0xffff ? 2 : 4;
  const termCount = shape.terms.length;
  const termUnits = unitCount(shape.terms);
  const idCount = shape.fieldLengths.length;
  const at = sectionsOf(termCount, termUnits, shape.postingCount, frequencyBytes, idCount);
  const { bytes, header } = startBinary(at.total, MAGIC, WHAT);
  header.setUint32(8, LEXICAL_FORMAT_VERSION, true);
  header.setUint32(12, frequencyBytes, true);
  header.setUint32(16, termCount, true);
  header.setUint32(20, termUnits, true);
  header.setUint32(24, shape.postingCount, true);
  header.setUint32(28, idCount, true);
  header.setUint32(32, shape.documentCount, true);
  header.setFloat64(40, shape.averageFieldLength, true);
  header.setUint32(48, at.total, true);

  const terms = new TermList(new Uint16Array(bytes.buffer, at.termUnits, termUnits), new Uint32Array(bytes.buffer, at.termStarts, termCount + 1));
  terms.fill(shape.terms);
  const postingStarts = new Uint32Array(bytes.buffer, at.postingStarts, termCount + 1);
  const ids = new Uint32Array(bytes.buffer, at.ids, shape.postingCount);
  const frequencies = frequencyView(bytes.buffer, at.frequencies, shape.postingCount, frequencyBytes);
  const fieldLengths = new Uint32Array(bytes.buffer, at.lengths, idCount);
  fieldLengths.set(shape.fieldLengths);
  fill(postingStarts, ids, frequencies);
  sealBinary(bytes, 36);

  return {
    bytes,
    contents: { postings: { terms, postingStarts, ids, frequencies }, fieldLengths, documentCount: shape.documentCount, averageFieldLength: shape.averageFieldLength },
  };
}

function damaged(why: string): Error {
  return new Error(`${WHAT} is damaged: ${why}`);
}

/** Whether `starts` (one per term and one more) begin at 0, end at `total` and never go backwards. */
function coversInOrder(starts: Uint32Array, total: number): boolean {
  if (starts[0] !== 0 || starts[starts.length - 1] !== total) return false;
  for (let i = 1; i < starts.length; i++) if (starts[i - 1]! > starts[i]!) return false;
  return true;
}

/**
 * The index in `bytes`, as views over them (copied first only when they do not start on a 4-byte
 * boundary). Throws when the buffer is not one `writeLexicalBinary` wrote, was cut short or was changed.
 */
export function readLexicalBinary(input: Uint8Array): LexicalContents {
  const { bytes, header } = openBinary(input, MAGIC, 'BM25 index', damaged);
  const version = header.getUint32(8, true);
  if (version !== LEXICAL_FORMAT_VERSION) throw damaged(`format version ${version}, this build reads version ${LEXICAL_FORMAT_VERSION}`);
  const frequencyBytes = header.getUint32(12, true);
  const termCount = header.getUint32(16, true);
  const termUnits = header.getUint32(20, true);
  const postingCount = header.getUint32(24, true);
  const idCount = header.getUint32(28, true);
  const documentCount = header.getUint32(32, true);
  const checksum = header.getUint32(36, true);
  const averageFieldLength = header.getFloat64(40, true);
  const total = header.getUint32(48, true);
  if (![1, 2, 4].includes(frequencyBytes)) throw damaged(`${frequencyBytes} bytes per term frequency`);
  const at = sectionsOf(termCount, termUnits, postingCount, frequencyBytes, idCount);
  checkBinary(bytes, { total, sections: at.total, checksum }, damaged);

  const buffer = bytes.buffer;
  const offset = bytes.byteOffset;
  const terms = new TermList(new Uint16Array(buffer, offset + at.termUnits, termUnits), new Uint32Array(buffer, offset + at.termStarts, termCount + 1));
  if (!coversInOrder(terms.starts, termUnits)) throw damaged('its term starts do not cover its terms');
  const postingStarts = new Uint32Array(buffer, offset + at.postingStarts, termCount + 1);
  if (!coversInOrder(postingStarts, postingCount)) throw damaged('its posting starts do not cover its postings');
  const fieldLengths = new Uint32Array(buffer, offset + at.lengths, idCount);
  let held = 0;
  for (let id = 0; id < idCount; id++) if (fieldLengths[id] !== NOT_HELD) held++;
  if (held !== documentCount) throw damaged(`${held} documents held where its header says ${documentCount}`);

  return {
    postings: {
      terms,
      postingStarts,
      ids: new Uint32Array(buffer, offset + at.ids, postingCount),
      frequencies: frequencyView(buffer, offset + at.frequencies, postingCount, frequencyBytes),
    },
    fieldLengths,
    documentCount,
    averageFieldLength,
  };
}
