import { existsSync } from 'node:fs';
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FeatureExtractionPipeline, Tensor as TensorType } from '@xenova/transformers';
import { UserError } from '../errors.js';
import { sha256 } from '../hash.js';
import { batchesByLength, paddedRows } from './batching.js';
import { meanPoolNormalized } from './pooling.js';
import type { EmbeddingPrefixes } from './prefixes.js';

/** Turns texts into unit-length vectors. Retrieval depends on this, not on transformers.js. */
export interface Embedder {
  /** The model name as configured (EMBED_MODEL). */
  readonly modelId: string;
  /** Hash of the model's files: an index built with other weights is refused. */
  readonly modelHash: string;
  readonly dimensions: number;
  /** Put before questions and passages (prefixes.ts); part of `modelHash`, so an index made with others is rebuilt. */
  readonly prefixes?: EmbeddingPrefixes | undefined;
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
}

/** Models that ship as project build output instead of coming from a hub. */
export const BUILT_IN_MODELS = new Set(['use-lite', 'use-lite-fp32', 'use-lite-static']);

/** Whether `<modelDir>/<modelId>` holds a model transformers.js can load. */
export function isLocalModel(modelDir: string, modelId: string): boolean {
  return existsSync(path.join(modelDir, modelId, 'config.json'));
}

/**
 * Loads a feature-extraction model with transformers.js. Local models load with no network;
 * any other id is fetched from the Hugging Face hub (for users who have a network) and cached.
 */
export async function createEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const { modelId, modelDir } = options;
  const local = isLocalModel(modelDir, modelId);
  if (!local && BUILT_IN_MODELS.has(modelId)) {
    throw new UserError(`The embedding model "${modelId}" is not built yet: run npm run build-model.`);
  }
  // Imported here, not at the top: transformers.js and ONNX Runtime take ~0.4 s to load, which
  // a build with nothing to embed (see `createLazyEmbedder`) does not pay.
  const { env, pipeline, Tensor } = await import('@xenova/transformers');
  env.localModelPath = modelDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = !local;
  env.cacheDir = path.join(modelDir, '.hub-cache');

  let extractor: FeatureExtractionPipeline;
  try {
    extractor = (await pipeline('feature-extraction', modelId, { quantized: false })) as FeatureExtractionPipeline;
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
  const modelHash = identityHash(filesHash, prefixes);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;

  const tokenizer = extractor.tokenizer;
  const embed = async (input: readonly string[], kind: 'query' | 'passage' = 'passage'): Promise<Float32Array[]> => {
    if (input.length === 0) return [];
    const prefix = prefixes?.[kind] ?? '';
    const texts = prefix ? input.map((text) => prefix + text) : input;
    // Tokenised first and batched by token count: a batch is padded to its longest text, and the
    // encoder's cost grows with length (src/embed/batching.ts). The pipeline's own tokenizer and
    // model, pooled here (see meanPoolNormalized).
    const encoded = tokenizer([...texts], { truncation: true, return_tensor: false }) as unknown as Record<string, number[][]>;
    const vectors = new Array<Float32Array>(texts.length);
    for (const batch of batchesByLength(encoded.input_ids!.map((ids) => ids.length), batchSize)) {
      const inputs: Record<string, TensorType> = {};
      for (const [name, rows] of Object.entries(encoded)) {
        const { data, dims } = paddedRows(rows, batch, name === 'input_ids' ? tokenizer.pad_token_id : 0, tokenizer.padding_side);
        inputs[name] = new Tensor('int64', data, dims);
      }
      const outputs = (await extractor.model(inputs)) as Record<string, TensorType | undefined>;
      const hidden = outputs.last_hidden_state ?? outputs.logits ?? outputs.token_embeddings;
      if (!hidden) throw new UserError(`The embedding model "${modelId}" gives no token vectors: use a feature-extraction model.`);
      const pooled = meanPoolNormalized(hidden.data as Float32Array, hidden.dims as [number, number, number], inputs.attention_mask!.data as BigInt64Array);
      pooled.forEach((vector, row) => (vectors[batch[row]!] = vector));
    }
    return vectors;
  };

  const [probe] = await embed(['dimension probe']);
  const dimensions = probe?.length ?? 0;
  await rememberDimensions(modelFolder(options), filesHash, dimensions);
  return { modelId, modelHash, dimensions, embed, ...(prefixes ? { prefixes } : {}) };
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
  if (!isLocalModel(modelDir, modelId)) return undefined;
  const folder = modelFolder(options);
  const filesHash = await cachedModelHash(folder);
  const dimensions = await rememberedDimensions(folder, filesHash);
  if (dimensions === undefined) return undefined;
  return { modelId, modelHash: identityHash(filesHash, prefixes), dimensions, ...(prefixes ? { prefixes } : {}) };
}

/** Where a model's files are: built locally, or in the hub cache. */
function modelFolder({ modelDir, modelId }: EmbedderOptions): string {
  return isLocalModel(modelDir, modelId) ? path.join(modelDir, modelId) : path.join(modelDir, '.hub-cache', modelId);
}

/** Vectors made with other prefixes are other vectors: the index keyed by this hash is rebuilt. */
function identityHash(filesHash: string, prefixes: EmbeddingPrefixes | undefined): string {
  return prefixes ? sha256(`${filesHash}\nquery:${prefixes.query}\npassage:${prefixes.passage}`) : filesHash;
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
