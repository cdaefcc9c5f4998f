import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { STOP_WORDS, loadEnglishWords } from '../../../shared/english.js';
import { MINILM_L6_SHAPE, bertConfig, buildBertClassifierOnnx, seededBertWeights, type BertShape } from './bert-graph.js';
import { buildOverlapClassifierOnnx } from './overlap-graph.js';
import { buildWordPieceTokenizerConfig, buildWordPieceTokenizerJson, wordPieceVocabulary } from './wordpiece-tokenizer.js';

/** Bumped when a cross-encoder build's output changes. */
export const CROSS_ENCODER_BUILDER_VERSION = 3;
/** Seed of the MiniLM-shaped model's weights. */
const MINILM_SEED = 6;
/** The tiny model reads at most this many tokens per pair (short: tests exercise truncation with ordinary paragraphs). */
const TINY_MAX_LENGTH = 128;

async function writeModelFolder(outDir: string, files: { config: Record<string, unknown>; vocabulary: string[]; maxLength: number; onnx: Record<string, Uint8Array> }): Promise<void> {
  await mkdir(path.join(outDir, 'onnx'), { recursive: true });
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  await writeFile(path.join(outDir, 'config.json'), json(files.config));
  await writeFile(path.join(outDir, 'tokenizer.json'), JSON.stringify(buildWordPieceTokenizerJson(files.vocabulary)));
  await writeFile(path.join(outDir, 'tokenizer_config.json'), json(buildWordPieceTokenizerConfig(files.maxLength)));
  for (const [name, bytes] of Object.entries(files.onnx)) await writeFile(path.join(outDir, 'onnx', name), bytes);
}

/**
 * The tiny test cross-encoder (overlap-graph.ts): a WordPiece vocabulary of the built-in English
 * word list, every word weighing 1 except stop words; specials, characters and `##` pieces 0.
 */
export async function buildTinyReranker(outDir: string): Promise<void> {
  const words = [...loadEnglishWords()];
  const vocabulary = wordPieceVocabulary(words);
  const weights = Float32Array.from(vocabulary, (token) => (/^[a-z0-9]{2,}$/.test(token) && !STOP_WORDS.has(token) ? 1 : 0));
  const shape: BertShape = { vocabSize: vocabulary.length, hidden: 1, layers: 0, heads: 1, intermediate: 1, maxPositions: TINY_MAX_LENGTH, typeVocabSize: 2, labels: 1 };
  await writeModelFolder(outDir, {
    config: bertConfig(shape, { verbatim_test_model: 'logit = 10 · (share of the question\'s words found in the passage − 0.5); see src/embed/model-build/cross-encoder/overlap-graph.ts' }),
    vocabulary,
    maxLength: TINY_MAX_LENGTH,
    onnx: { 'model.onnx': buildOverlapClassifierOnnx(weights) },
  });
}

/**
 * A BERT cross-encoder of `shape` with seeded random weights: the same graph and cost as a real
 * one of that shape. model.onnx is float32, model_quantized.onnx has int8 dense layers quantised as
 * ONNX Runtime's quantize_dynamic does for the hub's model_quantized.onnx files.
 */
export async function buildSeededReranker(outDir: string, shape: BertShape, seed: number, sigma?: number): Promise<void> {
  const vocabulary = wordPieceVocabulary(loadEnglishWords(), shape.vocabSize);
  const weights = seededBertWeights(shape, seed, sigma);
  await writeModelFolder(outDir, {
    config: bertConfig(shape, { verbatim_bench_model: `seeded random weights (seed ${seed}): for timing and tests only, its scores mean nothing` }),
    vocabulary,
    maxLength: shape.maxPositions,
    onnx: { 'model.onnx': buildBertClassifierOnnx(weights, 'float32'), 'model_quantized.onnx': buildBertClassifierOnnx(weights, 'int8-dynamic') },
  });
}

/** ms-marco-MiniLM-L-6-v2's shape with seeded random weights, for the latency bench. */
export const buildMiniLmShapedReranker = (outDir: string): Promise<void> => buildSeededReranker(outDir, MINILM_L6_SHAPE, MINILM_SEED);
