import { ElementType, OnnxGraphBuilder } from '../use-port/onnx-graph.js';
import { crossEncoderSignature } from './bert-graph.js';

/**
 * A cross-encoder whose answer is known in advance, for tests: the BERT cross-encoder's inputs
 * and output (input_ids, attention_mask, token_type_ids -> logits [batch, 1]), computing
 *
 *   overlap = Σ weight(question token) · [the passage holds the same token] / Σ weight(question token)
 *   logit   = slope · (overlap − 0.5)
 *
 * where the question is the segment of token type 0 and the passage the segment of type 1 (so it
 * depends on the pair being framed as a pair), and `tokenWeights[id]` is 0 for special tokens,
 * stop words and word pieces. Sigmoid(logit) is 0.5 at half the question's words found.
 */
export const OVERLAP_SLOPE = 10;

export function buildOverlapClassifierOnnx(tokenWeights: Float32Array): Uint8Array {
  const g = new OnnxGraphBuilder();
  const axis1 = g.int64Tensor('const/axes_1', [1]);
  const axis2 = g.int64Tensor('const/axes_2', [2]);
  const one = g.floatScalar('const/one', 1);
  const attended = g.op1('Cast', ['attention_mask'], { to: ElementType.float }, 'segments/attended');
  const passageType = g.op1('Cast', ['token_type_ids'], { to: ElementType.float }, 'segments/type');
  const inPassage = g.op1('Mul', [attended, passageType], {}, 'segments/passage'); // [B, T]
  const inQuestion = g.op1('Mul', [attended, g.op1('Sub', [one, passageType])], {}, 'segments/question');
  const weight = g.op1('Gather', [g.floatTensor('tokens/weights', tokenWeights, [tokenWeights.length]), 'input_ids'], { axis: 0 }, 'tokens/weight');
  const questionWeight = g.op1('Mul', [inQuestion, weight], {}, 'question/weight'); // [B, T]

  // same[b, i, j] = token i and token j are the same token; kept where j is in the passage.
  const same = g.op1('Cast', [g.op1('Equal', [g.op1('Unsqueeze', ['input_ids', axis2]), g.op1('Unsqueeze', ['input_ids', axis1])])], { to: ElementType.float }, 'match/same');
  const inPassageColumns = g.op1('Unsqueeze', [inPassage, axis1]); // [B, 1, T]
  const found = g.op1('ReduceMax', [g.op1('Mul', [same, inPassageColumns])], { axes: [2], keepdims: 0 }, 'match/found'); // [B, T]

  const foundWeight = g.op1('ReduceSum', [g.op1('Mul', [questionWeight, found]), axis1], { keepdims: 1 }, 'overlap/found');
  const totalWeight = g.op1('Max', [g.op1('ReduceSum', [questionWeight, axis1], { keepdims: 1 }), g.floatScalar('const/floor', 1e-6)], {}, 'overlap/total');
  const overlap = g.op1('Div', [foundWeight, totalWeight], {}, 'overlap/share'); // [B, 1]
  const centered = g.op1('Sub', [overlap, g.floatScalar('const/half', 0.5)]);
  g.op('Mul', [centered, g.floatScalar('const/slope', OVERLAP_SLOPE)], {}, { name: 'output/logits', outputs: ['logits'] });

  return g.encode({
    graphName: 'overlap_cross_encoder',
    producerName: 'verbatim cross-encoder build',
    opsetVersion: 13,
    docString: 'Test cross-encoder: the logit rises with the share of the question\'s words found in the passage.',
    ...crossEncoderSignature(1),
  });
}
