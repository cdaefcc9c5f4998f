import { seededGaussian } from '../../../shared/random.js';
import { ElementType, OnnxGraphBuilder, type ValueSpec } from '../use-port/onnx-graph.js';
import { SAFE_WEIGHT_LEVEL, int8MatMul, quantizeColumns, type DensePrecision } from '../use-port/encoder-graph.js';

/**
 * A BERT sequence classifier (BertForSequenceClassification) as one ONNX graph, the graph Hugging
 * Face exports for cross-encoders such as ms-marco-MiniLM-L-6-v2: word + position + token-type
 * embeddings, post-norm transformer layers (GELU FFN), the pooler (tanh of the [CLS] vector) and
 * a linear classifier giving `logits` [batch, labels]. Same operations, same cost as the real one.
 */
export interface BertShape {
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  maxPositions: number;
  typeVocabSize: number;
  labels: number;
}

/** config.json as Hugging Face writes it for a BERT cross-encoder (what transformers.js reads: model_type, labels). */
export function bertConfig(shape: BertShape, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    architectures: ['BertForSequenceClassification'],
    model_type: 'bert',
    vocab_size: shape.vocabSize,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.intermediate,
    hidden_act: 'gelu',
    max_position_embeddings: shape.maxPositions,
    type_vocab_size: shape.typeVocabSize,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
    id2label: Object.fromEntries(Array.from({ length: shape.labels }, (_, i) => [String(i), `LABEL_${i}`])),
    label2id: Object.fromEntries(Array.from({ length: shape.labels }, (_, i) => [`LABEL_${i}`, i])),
    ...extra,
  };
}

/** ms-marco-MiniLM-L-6-v2's shape (its config.json). */
export const MINILM_L6_SHAPE: BertShape = { vocabSize: 30522, hidden: 384, layers: 6, heads: 12, intermediate: 1536, maxPositions: 512, typeVocabSize: 2, labels: 1 };

interface Dense {
  kernel: Float32Array; // [in, out], row-major
  bias: Float32Array;
}
interface Norm {
  scale: Float32Array;
  bias: Float32Array;
}
export interface BertWeights {
  shape: BertShape;
  wordEmbeddings: Float32Array;
  positionEmbeddings: Float32Array;
  typeEmbeddings: Float32Array;
  embeddingNorm: Norm;
  layers: Array<{ query: Dense; key: Dense; value: Dense; attentionOutput: Dense; attentionNorm: Norm; intermediate: Dense; output: Dense; outputNorm: Norm }>;
  pooler: Dense;
  classifier: Dense;
}

/**
 * BERT's own initialisation (normal, σ 0.02; norms scale 1, bias 0) from a seed: a model of the
 * real size whose answers mean nothing. Tests pass a larger σ so that every token sways the score.
 */
export function seededBertWeights(shape: BertShape, seed: number, sigma = 0.02): BertWeights {
  const gaussian = seededGaussian(seed);
  const normal = (length: number) => Float32Array.from({ length }, () => sigma * gaussian());
  const dense = (inWidth: number, outWidth: number): Dense => ({ kernel: normal(inWidth * outWidth), bias: new Float32Array(outWidth) });
  const norm = (): Norm => ({ scale: new Float32Array(shape.hidden).fill(1), bias: new Float32Array(shape.hidden) });
  return {
    shape,
    wordEmbeddings: normal(shape.vocabSize * shape.hidden),
    positionEmbeddings: normal(shape.maxPositions * shape.hidden),
    typeEmbeddings: normal(shape.typeVocabSize * shape.hidden),
    embeddingNorm: norm(),
    layers: Array.from({ length: shape.layers }, () => ({
      query: dense(shape.hidden, shape.hidden),
      key: dense(shape.hidden, shape.hidden),
      value: dense(shape.hidden, shape.hidden),
      attentionOutput: dense(shape.hidden, shape.hidden),
      attentionNorm: norm(),
      intermediate: dense(shape.hidden, shape.intermediate),
      output: dense(shape.intermediate, shape.hidden),
      outputNorm: norm(),
    })),
    pooler: dense(shape.hidden, shape.hidden),
    classifier: dense(shape.hidden, shape.labels),
  };
}

const OPSET_VERSION = 13;
const LAYER_NORM_EPSILON = 1e-12;

/** The three inputs and one output every BERT cross-encoder export has. */
export function crossEncoderSignature(labels: number): { inputs: ValueSpec[]; outputs: ValueSpec[] } {
  const input = (name: string): ValueSpec => ({ name, elementType: ElementType.int64, dims: ['batch', 'sequence'] });
  return {
    inputs: [input('input_ids'), input('attention_mask'), input('token_type_ids')],
    outputs: [{ name: 'logits', elementType: ElementType.float, dims: ['batch', labels] }],
  };
}

/**
 * How the layers' dense products run: float32; `int8` as encoder-graph.ts (each token quantised on
 * its own scale: a pair's score does not depend on its batch); `int8-dynamic` as ONNX Runtime's
 * quantize_dynamic writes the hub's model_quantized.onnx files (DynamicQuantizeLinear: one scale
 * for the whole input tensor, fewer operations).
 */
export type CrossEncoderPrecision = DensePrecision | 'int8-dynamic';

/** The ONNX bytes (deterministic). */
export function buildBertClassifierOnnx(weights: BertWeights, precision: CrossEncoderPrecision): Uint8Array {
  const { shape } = weights;
  const g = new OnnxGraphBuilder();
  const headWidth = shape.hidden / shape.heads;
  if (!Number.isInteger(headWidth)) throw new Error(`hidden ${shape.hidden} is not a multiple of ${shape.heads} heads`);
  const one = g.floatScalar('const/one', 1);
  const epsilon = g.floatScalar('const/layer_norm_epsilon', LAYER_NORM_EPSILON);
  const axes12 = g.int64Tensor('const/axes_1_2', [1, 2]);

  const dense = (input: string, layer: Dense, inWidth: number, outWidth: number, scope: string, densePrecision: CrossEncoderPrecision = precision): string => {
    const product =
      densePrecision === 'int8'
        ? int8MatMul(g, input, layer.kernel, inWidth, outWidth, scope)
        : densePrecision === 'int8-dynamic'
          ? dynamicInt8MatMul(g, input, layer.kernel, inWidth, outWidth, scope)
          : g.op1('MatMul', [input, g.floatTensor(`${scope}/kernel`, layer.kernel, [inWidth, outWidth])], {}, `${scope}/matmul`);
    return g.op1('Add', [product, g.floatTensor(`${scope}/bias`, layer.bias, [outWidth])], {}, `${scope}/bias_add`);
  };
  const layerNorm = (input: string, norm: Norm, scope: string): string => {
    const centered = g.op1('Sub', [input, g.op1('ReduceMean', [input], { axes: [-1], keepdims: 1 })], {}, `${scope}/centered`);
    const variance = g.op1('ReduceMean', [g.op1('Mul', [centered, centered])], { axes: [-1], keepdims: 1 }, `${scope}/variance`);
    const normalized = g.op1('Div', [centered, g.op1('Sqrt', [g.op1('Add', [variance, epsilon])])], {}, `${scope}/normalized`);
    const scaled = g.op1('Mul', [normalized, g.floatTensor(`${scope}/scale`, norm.scale, [shape.hidden])], {}, `${scope}/scaled`);
    return g.op1('Add', [scaled, g.floatTensor(`${scope}/bias`, norm.bias, [shape.hidden])], {}, `${scope}/output`);
  };

  // --- Embeddings: word + position + token type, then layer norm.
  const seqLength = g.op1('Gather', [g.op1('Shape', ['input_ids']), g.int64Tensor('const/index_1', [1], [])], { axis: 0 }, 'embeddings/seq_length');
  const positions = g.op1('Range', [g.int64Tensor('const/zero_i64', [0], []), seqLength, g.int64Tensor('const/one_i64', [1], [])], {}, 'embeddings/positions');
  const word = g.op1('Gather', [g.floatTensor('embeddings/word', weights.wordEmbeddings, [shape.vocabSize, shape.hidden]), 'input_ids'], { axis: 0 });
  const position = g.op1('Gather', [g.floatTensor('embeddings/position', weights.positionEmbeddings, [shape.maxPositions, shape.hidden]), positions], { axis: 0 });
  const type = g.op1('Gather', [g.floatTensor('embeddings/token_type', weights.typeEmbeddings, [shape.typeVocabSize, shape.hidden]), 'token_type_ids'], { axis: 0 });
  let hidden = layerNorm(g.op1('Add', [g.op1('Add', [word, position]), type]), weights.embeddingNorm, 'embeddings/norm');

  // 0 where attended, a large negative number on padding: [B, 1, 1, T].
  const maskFloat = g.op1('Cast', ['attention_mask'], { to: ElementType.float }, 'mask/float');
  const attentionBias = g.op1('Unsqueeze', [g.op1('Mul', [g.op1('Sub', [one, maskFloat]), g.floatScalar('const/mask_bias', -1e4)]), axes12], {}, 'mask/bias');
  const headShape = g.int64Tensor('const/head_shape', [0, 0, shape.heads, headWidth]);
  const mergedShape = g.int64Tensor('const/merged_shape', [0, 0, shape.hidden]);
  const queryScale = g.floatScalar('const/query_scale', 1 / Math.sqrt(headWidth));

  weights.layers.forEach((layer, index) => {
    const scope = `layer_${index}`;
    const heads = (input: string, perm: readonly number[], name: string) => g.op1('Transpose', [g.op1('Reshape', [input, headShape])], { perm }, `${scope}/${name}`);
    const query = heads(g.op1('Mul', [dense(hidden, layer.query, shape.hidden, shape.hidden, `${scope}/query`), queryScale]), [0, 2, 1, 3], 'query_heads');
    const keyTransposed = heads(dense(hidden, layer.key, shape.hidden, shape.hidden, `${scope}/key`), [0, 2, 3, 1], 'key_heads_t');
    const value = heads(dense(hidden, layer.value, shape.hidden, shape.hidden, `${scope}/value`), [0, 2, 1, 3], 'value_heads');
    const probabilities = g.op1('Softmax', [g.op1('Add', [g.op1('MatMul', [query, keyTransposed]), attentionBias])], { axis: -1 }, `${scope}/softmax`);
    const context = g.op1('Reshape', [g.op1('Transpose', [g.op1('MatMul', [probabilities, value])], { perm: [0, 2, 1, 3] }), mergedShape], {}, `${scope}/context`);
    const attended = dense(context, layer.attentionOutput, shape.hidden, shape.hidden, `${scope}/attention_output`);
    hidden = layerNorm(g.op1('Add', [attended, hidden]), layer.attentionNorm, `${scope}/attention_norm`);
    const inner = gelu(g, dense(hidden, layer.intermediate, shape.hidden, shape.intermediate, `${scope}/intermediate`), `${scope}/gelu`);
    hidden = layerNorm(g.op1('Add', [dense(inner, layer.output, shape.intermediate, shape.hidden, `${scope}/output`), hidden]), layer.outputNorm, `${scope}/output_norm`);
  });

  // --- Pooler on [CLS], then the classifier (one row per pair: too small to gain from int8).
  const cls = g.op1('Gather', [hidden, g.int64Tensor('const/index_0', [0], [])], { axis: 1 }, 'pooler/cls');
  const pooled = g.op1('Tanh', [dense(cls, weights.pooler, shape.hidden, shape.hidden, 'pooler/dense', 'float32')]);
  const logits = dense(pooled, weights.classifier, shape.hidden, shape.labels, 'classifier', 'float32');
  g.op('Identity', [logits], {}, { name: 'output/logits', outputs: ['logits'] });

  return g.encode({
    graphName: 'bert_sequence_classifier',
    producerName: 'verbatim cross-encoder build',
    opsetVersion: OPSET_VERSION,
    docString: 'BertForSequenceClassification-shaped cross-encoder built by Verbatim (src/embed/model-build/cross-encoder).',
    ...crossEncoderSignature(shape.labels),
  });
}

/** x · W as ONNX Runtime's dynamic quantisation does it: W int8 per output column, x uint8 on one scale per tensor. */
function dynamicInt8MatMul(g: OnnxGraphBuilder, input: string, kernel: Float32Array, inWidth: number, outWidth: number, scope: string): string {
  // Weights on 7 bits, as quantize_dynamic's reduce_range makes the hub's files (SAFE_WEIGHT_LEVEL:
  // with 8-bit ones, batched scores were off by 0.3 on AVX2).
  const { quantized, columnScales } = quantizeColumns(kernel, inWidth, outWidth, SAFE_WEIGHT_LEVEL);
  const [inputUint8, inputScale, inputZeroPoint] = g.op('DynamicQuantizeLinear', [input], {}, { name: `${scope}/quantize_input`, outputCount: 3 });
  const integerProduct = g.op1('MatMulInteger', [inputUint8!, g.int8Tensor(`${scope}/kernel_int8`, quantized, [inWidth, outWidth]), inputZeroPoint!], {}, `${scope}/matmul_integer`);
  const rescaled = g.op1('Mul', [g.op1('Cast', [integerProduct], { to: ElementType.float }), inputScale!], {}, `${scope}/rescaled`);
  return g.op1('Mul', [rescaled, g.floatTensor(`${scope}/column_scales`, columnScales, [outWidth])], {}, `${scope}/matmul`);
}

/** x · ½(1 + erf(x/√2)): BERT's exact GELU. */
export function gelu(g: OnnxGraphBuilder, input: string, scope: string): string {
  const erf = g.op1('Erf', [g.op1('Mul', [input, g.floatScalar(`${scope}/inverse_sqrt2`, Math.SQRT1_2)])], {}, `${scope}/erf`);
  const half = g.op1('Mul', [g.op1('Add', [erf, g.floatScalar(`${scope}/one`, 1)]), g.floatScalar(`${scope}/half`, 0.5)], {}, `${scope}/gate`);
  return g.op1('Mul', [input, half], {}, `${scope}/output`);
}
