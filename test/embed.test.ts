import { env } from '@xenova/transformers';
import { describe, expect, it } from 'vitest';
import { createEmbedder } from '../src/embed/index.js';
import { UserError } from '../src/errors.js';
import { DEFAULT_MODEL, MODEL_DIR } from './helpers/project.js';
import { tempDir } from './helpers/corpus.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

describe('createEmbedder (default model)', () => {
  it('loads offline and ranks a paraphrase above an unrelated sentence', async () => {
    const embedder = await createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR });
    expect(env.allowRemoteModels).toBe(false);
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

  it('hashes the model files, so an index can tell which weights built it', async () => {
    const embedder = await createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR });
    expect(embedder.modelHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('says how to build a built-in model that is missing', async () => {
    const empty = tempDir();
    await expect(createEmbedder({ modelId: 'use-lite', modelDir: empty })).rejects.toThrow(UserError);
    await expect(createEmbedder({ modelId: 'use-lite', modelDir: empty })).rejects.toThrow(/not built yet: run npm run build-model/);
  });
});
