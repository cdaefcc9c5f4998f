import { env, pipeline, type FeatureExtractionPipeline, type Tensor } from '@xenova/transformers';
import { meanPoolNormalized } from '../src/embed/pooling.js';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_MODELS, createEmbedder } from '../src/embed/index.js';
import { BUILT_IN_RERANKERS } from '../src/embed/cross-encoder.js';
import { BUILT_IN_BUILDERS } from '../src/embed/model-build/registry.js';
import { batchesByLength, paddedRows } from '../src/embed/batching.js';
import { UserError } from '../src/errors.js';
import { loadCorpus } from '../src/corpus/load.js';
import { DEFAULT_MODEL, MODEL_DIR, SHIPPED_CORPUS } from './helpers/project.js';
import { tempDir } from './helpers/corpus.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

describe('createEmbedder (default model)', () => {
  it('loads offline and ranks a paraphrase above an unrelated sentence', async () => {
    const embedder = await createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR });
    expect(embedder.dimensions).toBe(512);
    const [question, paraphrase, unrelated] = await embedder.embed([
      'Who took pictures during the meeting?',
      'A Russian photographer took photos of part of the session.',
      'The bakery sells bread and cakes on weekends.',
    ]);
    expect(Math.hypot(...question!)).toBeCloseTo(1, 4);
    expect(dot(question!, paraphrase!)).toBeGreaterThan(dot(question!, unrelated!) + 0.1);
  });

  it('gives the same vector for a text alone and inside a padded batch', async () => {
    const embedder = await createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR });
    const [alone] = await embedder.embed(['Lavrov and Kislyak were also accompanied by aides.']);
    const [inBatch] = await embedder.embed([
      'Lavrov and Kislyak were also accompanied by aides.',
      'A much longer sentence that forces padding of the first one in the batch, with many more words than it.',
    ]);
    expect(dot(alone!, inBatch!)).toBeGreaterThan(0.9999);
  });

  it('gives each text its own vector, in input order, when it batches texts by token count', async () => {
    const embedder = await createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR, batchSize: 2 });
    // Lengths out of order, so batches by token count mix the input positions.
    const texts = [
      'The president met the foreign minister in the Oval Office on Wednesday, the day after he fired the FBI director.',
      'Aides were present.',
      'The information had been provided by a partner through an intelligence-sharing arrangement.',
      'No.',
      'Officials said the disclosure put a critical source of intelligence at risk.',
    ];
    const together = await embedder.embed(texts);
    expect(together).toHaveLength(texts.length);
    for (const [i, text] of texts.entries()) {
      const [alone] = await embedder.embed([text]);
      expect(dot(alone!, together[i]!)).toBeGreaterThan(0.9999);
    }
    expect(await embedder.embed([])).toEqual([]);
  });

  it("gives the vectors of transformers.js's own pipeline model and tokenizer, bit for bit", async () => {
    const embedder = await createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR });
    // The pipeline loads the same files, and only them.
    env.localModelPath = MODEL_DIR;
    env.allowRemoteModels = false;
    const extractor = (await pipeline('feature-extraction', DEFAULT_MODEL, { quantized: false })) as FeatureExtractionPipeline;
    const paragraphs = (await loadCorpus(SHIPPED_CORPUS)).flatMap((story) => story.paragraphs.map((paragraph) => paragraph.text));
    const texts = [
      ...paragraphs,
      'Who was in the meeting?',
      'Ｆｕｌｌ-width ｔｅｘｔ, e\u0301 combining, ﬁ ligature, 😀 and 中文 — “quotes”.',
      'long '.repeat(400).trim(),
      '@everyone [a link](https://example.com) **bold**',
    ];
    expect(paragraphs.length).toBeGreaterThan(30);
    for (const text of texts) {
      // One text at a time on both sides: padding in a batch moves the last bits.
      const [ours] = await embedder.embed([text]);
      // What the embedder did before it opened the session itself: the pipeline's tokenizer and model, pooled the same way.
      const inputs = extractor.tokenizer(text, { truncation: true }) as unknown as Record<string, Tensor>;
      const hidden = ((await extractor.model(inputs)) as Record<string, Tensor>).last_hidden_state!;
      const [theirs] = meanPoolNormalized(hidden.data as Float32Array, hidden.dims as [number, number, number], inputs.attention_mask!.data as BigInt64Array);
      expect(Array.from(ours!), text.slice(0, 60)).toEqual(Array.from(theirs!));
    }
  });

  it('hashes the model files, so an index can tell which weights built it', async () => {
    const embedder = await createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR });
    expect(embedder.modelHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('knows every model the project builds as built in (a missing one is built, not downloaded)', () => {
    expect([...BUILT_IN_MODELS, ...BUILT_IN_RERANKERS].sort()).toEqual(Object.keys(BUILT_IN_BUILDERS).sort());
  });

  it('says how to build a built-in model that is missing', async () => {
    const empty = tempDir();
    await expect(createEmbedder({ modelId: 'use-lite', modelDir: empty })).rejects.toThrow(UserError);
    await expect(createEmbedder({ modelId: 'use-lite', modelDir: empty })).rejects.toThrow(/not built yet: run npm run build-model/);
  });
});

describe('batching by token count', () => {
  it('puts texts of one length together, shortest first, ties in input order', () => {
    expect(batchesByLength([5, 2, 9, 2, 5, 1], 2)).toEqual([[5, 1], [3, 0], [4, 2]]);
    expect(batchesByLength([], 8)).toEqual([]);
  });

  it('pads the picked rows to the longest of them, on the tokenizer\'s side', () => {
    const rows = [[7, 8, 9], [4], [5, 6]];
    expect(paddedRows(rows, [1, 2], 0)).toEqual({ data: BigInt64Array.of(4n, 0n, 5n, 6n), dims: [2, 2] });
    expect(paddedRows(rows, [0, 1], 3, 'left')).toEqual({ data: BigInt64Array.of(7n, 8n, 9n, 3n, 3n, 4n), dims: [2, 3] });
  });
});
