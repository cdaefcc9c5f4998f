// The static model distilled from Universal Sentence Encoder lite: its tokenizer.json must give the
// package's own token ids, it must load offline through transformers.js, and it must build to the
// same bytes every time. One build (two for determinism) is shared by the whole file.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AutoTokenizer, env, pipeline, type FeatureExtractionPipeline, type PreTrainedTokenizer } from '@xenova/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildUseLiteStatic,
  EMBEDDING_DIM,
  loadEnergeticEncoder,
  type EnergeticEncoder,
} from '../src/embed/model-build/static-model.js';

const MODEL_NAME = 'use-lite-static';
const STORY_FILE = new URL('../corpus/wapo-2017-05-15-trump-classified-information-russia.md', import.meta.url);
/** Texts where a naive port would differ: leading/double spaces, unknown characters, "<s>", ":30" (score 30 in vocab.json). */
const EDGE_CASES = ['  leading spaces', 'double  space', 'Schrödinger’s “café” ☃ 🙂🙂 ½', 'a literal <s> and </s>', 'at 10:30 a.m.'];

let encoder: EnergeticEncoder;
let modelRoot = '';
let secondRoot = '';
let paragraphs: string[] = [];
/** The story's paragraphs without the front matter (whose `---` lines are a token or two each). */
let bodyParagraphs: string[] = [];
const savedEnv = { allowRemoteModels: env.allowRemoteModels, localModelPath: env.localModelPath };

beforeAll(async () => {
  const story = await readFile(STORY_FILE, 'utf8');
  paragraphs = story.split('\n').filter((line) => line.trim().length > 0);
  bodyParagraphs = story.replace(/^---\n[\s\S]*?\n---\n/, '').split('\n').filter((line) => line.trim().length > 0);
  encoder = await loadEnergeticEncoder();
  modelRoot = await mkdtemp(path.join(os.tmpdir(), 'verbatim-static-a-'));
  secondRoot = await mkdtemp(path.join(os.tmpdir(), 'verbatim-static-b-'));
  await buildUseLiteStatic(path.join(modelRoot, MODEL_NAME), { encoder });
  await buildUseLiteStatic(path.join(secondRoot, MODEL_NAME), { encoder });
  env.allowRemoteModels = false;
  env.localModelPath = modelRoot;
});

afterAll(async () => {
  env.allowRemoteModels = savedEnv.allowRemoteModels;
  env.localModelPath = savedEnv.localModelPath;
  await Promise.all([modelRoot, secondRoot].filter(Boolean).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('tokenizer.json', () => {
  let tokenizer: PreTrainedTokenizer;
  beforeAll(async () => {
    tokenizer = await AutoTokenizer.from_pretrained(MODEL_NAME);
  });

  it('gives the package tokenizer ids on every story paragraph', () => {
    expect(paragraphs.length).toBeGreaterThan(30);
    const mismatches = paragraphs.filter((text) => JSON.stringify(tokenizer.encode(text)) !== JSON.stringify(encoder.tokenize(text)));
    expect(mismatches).toEqual([]);
  });

  it('agrees on spacing, unknown characters and reserved piece names', () => {
    for (const text of EDGE_CASES) expect(tokenizer.encode(text), text).toEqual(encoder.tokenize(text));
  });
});

describe('the built model through transformers.js (offline)', () => {
  let extractor: FeatureExtractionPipeline;
  beforeAll(async () => {
    extractor = await pipeline('feature-extraction', MODEL_NAME, { quantized: false });
  });

  async function embed(texts: string[]): Promise<Float32Array[]> {
    const output = await extractor(texts, { pooling: 'mean', normalize: true });
    expect(output.dims).toEqual([texts.length, EMBEDDING_DIM]);
    const data = output.data as Float32Array;
    return texts.map((_, i) => data.slice(i * EMBEDDING_DIM, (i + 1) * EMBEDDING_DIM));
  }
  const dot = (a: Float32Array, b: Float32Array): number => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);

  it('scores a paraphrase pair above an unrelated pair', async () => {
    const [question, paraphrase, unrelated] = await embed([
      'Who did the president share secret intelligence with?',
      'Trump revealed classified information to the Russian foreign minister.',
      'Bake the bread at a high temperature until the crust is golden.',
    ]);
    expect(dot(question!, paraphrase!)).toBeGreaterThan(dot(question!, unrelated!));
  });

  it('gives each text the same vector inside a padded batch as alone', async () => {
    const longest = bodyParagraphs.reduce((a, b) => (b.length > a.length ? b : a), '');
    const texts = ['Lavrov met Trump.', 'Who did the president share classified information with?', longest];
    // The batch really is padded: clearly different token counts, and padding in the mask.
    const tokenizer = await AutoTokenizer.from_pretrained(MODEL_NAME);
    const lengths = texts.map((text) => tokenizer.encode(text).length);
    expect(new Set(lengths).size).toBe(texts.length);
    expect(Math.max(...lengths)).toBeGreaterThan(4 * Math.min(...lengths));
    const { attention_mask: mask } = tokenizer(texts, { padding: true, truncation: true });
    const padded = Array.from(mask.data as BigInt64Array).filter((value) => value === 0n).length;
    expect(padded).toBe(texts.length * Math.max(...lengths) - lengths.reduce((sum, n) => sum + n, 0));
    const batched = await embed(texts);
    for (const [i, text] of texts.entries()) {
      const [alone] = await embed([text]);
      expect(dot(alone!, batched[i]!), text).toBeGreaterThanOrEqual(0.999);
    }
  });
});

describe('build', () => {
  it('is deterministic: two builds give the same bytes', async () => {
    const files = async (root: string): Promise<string[]> =>
      (await readdir(root, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => path.relative(root, path.join(entry.parentPath, entry.name))).sort();
    const first = path.join(modelRoot, MODEL_NAME);
    const second = path.join(secondRoot, MODEL_NAME);
    const names = await files(first);
    expect(names).toEqual(['config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(await files(second)).toEqual(names);
    for (const name of names) {
      const [a, b] = await Promise.all([readFile(path.join(first, name)), readFile(path.join(second, name))]);
      expect(a.equals(b), name).toBe(true);
    }
  });
});
