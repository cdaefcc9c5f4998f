/** What the refusal decision looks at for the best passage of a question. */
export interface AnswerFeatures {
  /** Cosine similarity of the question and the best passage (dense model). */
  similarity: number;
  /** Idf-weighted share of the question's content words the best passage contains. */
  coverage: number;
}

/**
 * Decides whether the best passage answers the question or the story does not say.
 * The weights and threshold are calibrated on measured features (see docs/quality.md).
 */
export interface RefusalPolicy {
  similarityWeight: number;
  coverageWeight: number;
  threshold: number;
}

export const DEFAULT_REFUSAL: RefusalPolicy = { similarityWeight: 1, coverageWeight: 0.5, threshold: 0.45 };

/** A confidence score: above the policy's threshold the passage is quoted. */
export function answerConfidence(features: AnswerFeatures, policy: RefusalPolicy = DEFAULT_REFUSAL): number {
  return policy.similarityWeight * features.similarity + policy.coverageWeight * features.coverage;
}

export function isAnswered(features: AnswerFeatures, policy: RefusalPolicy = DEFAULT_REFUSAL): boolean {
  return answerConfidence(features, policy) >= policy.threshold;
}
