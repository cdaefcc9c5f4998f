// The real path, with a real encoder: all-minilm-l6-v2-q (the smallest, 16 MB) fetched once per
// machine by the same code as `npm run build-model` (the JAR stays in ~/.m2, the built model in
// models/), an index of the shipped story built with it, a question answered by the CLI, and the
// model's pooling and prefix wiring checked against values that change if either breaks.
// Needs Maven (mvn) and Java on the machine, as CI has; the hub is tried first and fails fast offline.
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildModelCommand } from '../src/cli/build-model.js';
import { fetchFromHub } from '../src/embed/model-build/fetched/hub.js';
import { loadCoreConfig } from '../src/config.js';
import { loadCorpus } from '../src/corpus/load.js';
import { createEmbedder, embeddingPooling, embeddingPrefixes, type Embedder } from '../src/embed/index.js';
import { FETCHED_MODELS } from '../src/embed/model-build/fetched/catalog.js';
import { buildFetchedModel, type ModelCard } from '../src/embed/model-build/fetched/build.js';
import { MODEL_CARD_FILE } from '../src/embed/model-build/fetched/catalog.js';
import { buildModel } from '../src/embed/model-build/registry.js';
import { openEmbedder } from '../src/pipeline.js';
import { tempDir } from './helpers/corpus.js';
import { MODEL_DIR, SHIPPED_CORPUS, runScript } from './helpers/project.js';
import { readFile } from 'node:fs/promises';

const MODEL = 'all-minilm-l6-v2-q';
const spec = FETCHED_MODELS.get(MODEL)!;
const env = { EMBED_MODEL: MODEL, INDEX_DIR: path.join(tempDir(), 'index') };
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);
let embedder: Embedder;

beforeAll(async () => {
  // Skipped when built already (its stamp names the pinned package); else from ~/.m2, else mvn.
  // The hub step is skipped: a test reaches only package registries.
  process.env.VERBATIM_SKIP_HUB = '1';
  await buildModel(MODEL, MODEL_DIR, { log: () => {} });
  embedder = await openEmbedder(loadCoreConfig({ ...process.env, ...env, MODEL_DIR }));
}, 600_000);

describe(`a real encoder (${MODEL}) end to end`, () => {
  it('writes the model card: mean pooling, L2, no prefixes, the 256-token window, the pinned source', async () => {
    const card = JSON.parse(await readFile(path.join(MODEL_DIR, MODEL, MODEL_CARD_FILE), 'utf8')) as ModelCard;
    expect(card).toMatchObject({ model: MODEL, pooling: 'mean', normalize: 'L2', prefixes: { query: '', passage: '' }, maxTokens: 256, dimensions: 384 });
    expect(card.onnxSha256).toBe('hub' in card.source ? spec.hub.onnxSha256 : spec.maven.onnxSha256);
    const tokenizerConfig = JSON.parse(await readFile(path.join(MODEL_DIR, MODEL, 'tokenizer_config.json'), 'utf8')) as { model_max_length: number };
    expect(tokenizerConfig.model_max_length).toBe(256);
  });

  it('builds an index of the shipped story and answers from it by dense search alone', async () => {
    const built = await runScript('scripts/build-index.ts', [], { env });
    expect(built.code, built.stderr).toBe(0);
    const asked = await runScript('scripts/ask.ts', ['--json', '--mode', 'dense', 'What did McMaster say about the meeting?'], { env });
    expect(asked.code, asked.stderr).toBe(0);
    const answer = JSON.parse(asked.stdout.trim()) as { answered: boolean; passages: Array<{ text: string }> };
    expect(answer.answered).toBe(true);
    expect(answer.passages[0]!.text).toContain('reviewed common threats from terrorist organizations');
  });

  it('embeds as its authors do: mean pooling (not the first token), unit length, its known vector', async () => {
    expect(embedder.pooling).toBe('mean');
    expect(embedder.prefixes).toBeUndefined();
    const [vector] = await embedder.embed([spec.knownEmbedding.text]);
    expect(Math.hypot(...vector!)).toBeCloseTo(1, 5);
    spec.knownEmbedding.first.forEach((value, i) => expect(Math.abs(vector![i]! - value)).toBeLessThan(spec.knownEmbedding.tolerance));
    // The same files pooled by the first token give another vector: a switch of pooling fails here.
    const clsPooled = await createEmbedder({ modelId: MODEL, modelDir: MODEL_DIR, pooling: 'cls' });
    const [cls] = await clsPooled.embed([spec.knownEmbedding.text]);
    expect(cosine(vector!, cls!)).toBeLessThan(0.95);
    expect(spec.knownEmbedding.first.some((value, i) => Math.abs(cls![i]! - value) > spec.knownEmbedding.tolerance)).toBe(true);
    expect(clsPooled.modelHash).not.toBe(embedder.modelHash);
  });

  it('cuts a paragraph longer than the trained window at 256 tokens, as sentence-transformers does', async () => {
    const paragraphs = (await loadCorpus(SHIPPED_CORPUS)).flatMap((story) => story.paragraphs.map((paragraph) => paragraph.text));
    const long = paragraphs.join(' ');
    const [whole, withTail] = await embedder.embed([long, `${long} The bakery on the corner sells bread and cakes on weekends.`]);
    // Words past the window change nothing.
    expect(cosine(whole!, withTail!)).toBeGreaterThan(0.99999);
  });

  it('puts the prefixes before questions and passages, and they are part of the model identity', async () => {
    const prefixes = { query: 'query: ', passage: 'passage: ' };
    const prefixed = await createEmbedder({ modelId: MODEL, modelDir: MODEL_DIR, prefixes });
    const question = 'Who met the Russian foreign minister?';
    const [asQuery] = await prefixed.embed([question], 'query');
    // One text per call: the int8 export quantises each batch on one scale, so batch-mates move a vector slightly (cosine ~0.994).
    const [byHand] = await embedder.embed([`query: ${question}`]);
    const [bare] = await embedder.embed([question]);
    expect(cosine(asQuery!, byHand!)).toBeGreaterThan(0.99999);
    expect(cosine(asQuery!, bare!)).toBeLessThan(0.99);
    expect(prefixed.modelHash).not.toBe(embedder.modelHash);
  });

  // Off-topic refusal with a real encoder (issue 29, item 1): the lead adds its assertions here,
  // e.g. `npm run ask -- --json "What is the recipe for lasagna?"` → answered: false, with `env` above.
  it('refuses everyday questions on other topics and answers the story\'s own, with the refusal measured for this encoder', async () => {
    // The index built above measured this encoder's off-topic level on the story (calibration.json);
    // nothing in the refusal is set for MiniLM.
    const questions = ['What is the recipe for lasagna?', 'What is the capital of Australia?', 'How do I fix a leaking tap?', 'Who did Trump share classified information with?', 'What did McMaster say about the meeting?'];
    const asked = await runScript('scripts/ask.ts', ['--json'], { env, input: questions.join('\n') });
    expect(asked.code, asked.stderr).toBe(0);
    const answers = asked.stdout.trim().split('\n').map((line) => JSON.parse(line) as { answered: boolean });
    expect(answers.map((answer) => answer.answered)).toEqual([false, false, false, true, true]);
  });
});

describe('every fetched model is wired as its authors intend', () => {
  it.each([...FETCHED_MODELS.values()].map((model) => [model.name, model] as const))('%s: pooling and prefixes from the registries match the catalog', (name, model) => {
    expect(embeddingPooling(name)).toBe(model.pooling);
    const prefixes = embeddingPrefixes(name);
    if (name.startsWith('e5-')) expect(prefixes).toEqual({ query: 'query: ', passage: 'passage: ' });
    else if (name.startsWith('bge-small-en')) expect(prefixes).toEqual({ query: 'Represent this sentence for searching relevant passages: ', passage: '' });
    else if (name.startsWith('bge-small-zh')) expect(prefixes).toEqual({ query: '为这个句子生成表示以用于检索相关文章：', passage: '' });
    else expect(prefixes).toBeUndefined();
    expect(model.pooling).toBe(name.startsWith('bge-') ? 'cls' : 'mean');
    expect(model.maxTokens).toBe(name.startsWith('all-minilm') ? 256 : 512);
  });

  it('names the known models when asked to build an unknown one', async () => {
    await expect(buildModelCommand(['--model', 'bge-small', '--out', tempDir()])).rejects.toThrow(
      /^There is no model "bge-small" to build; known models: .*all-minilm-l6-v2-q, all-minilm-l6-v2, bge-small-en-v1\.5-q, bge-small-en-v1\.5, e5-small-v2-q, e5-small-v2, bge-small-zh-v1\.5-q, bge-small-zh-v1\.5, multilingual-e5-small, multilingual-e5-small-q, ms-marco-minilm-l-12-v2-q \(or a hub id/,
    );
  });

  it('gives up on a hub that does not answer instead of hanging', async () => {
    // A route that swallows packets: fetch settles only when aborted.
    const signals: Array<AbortSignal | null | undefined> = [];
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation((_input, init) => {
      signals.push(init?.signal);
      return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    try {
      const started = performance.now();
      expect(await fetchFromHub(spec.hub.repo, spec.hub.onnxFile, tempDir(), 1_000)).toEqual({ failure: 'no answer within 1 s' });
      expect(performance.now() - started).toBeLessThan(5_000);
      // Its requests are closed, not left to keep the process alive; then fetch is the one it found again.
      await vi.waitFor(() => expect(globalThis.fetch).toBe(fetchSpy));
      expect(signals.every((signal) => signal?.aborted === true)).toBe(true);
    } finally {
      fetchSpy.mockRestore();
    }
  });

  /** A stand-in for the hub serving `files` (name → bytes) for spec.hub.repo; nothing else is reachable. */
  const fakeHub = (files: Record<string, Uint8Array>) =>
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const url = String(input instanceof Request ? input.url : input);
      const name = Object.keys(files).find((file) => url.endsWith(`/${spec.hub.repo}/resolve/main/${file}`));
      return name ? new Response(Buffer.from(files[name]!), { status: 200, headers: { 'content-length': String(files[name]!.length) } }) : new Response('not found', { status: 404 });
    });
  const hubFiles = async (onnx?: Uint8Array) => {
    const built = path.join(MODEL_DIR, MODEL);
    const read = (file: string) => readFile(path.join(built, file));
    return { 'config.json': await read('config.json'), 'tokenizer.json': await read('tokenizer.json'), 'tokenizer_config.json': await read('tokenizer_config.json'), [spec.hub.onnxFile]: onnx ?? (await read('onnx/model.onnx')) };
  };

  it('takes the model from the hub when the hub serves the pinned file, and says so', async () => {
    const fetchSpy = fakeHub(await hubFiles());
    const said: string[] = [];
    try {
      const root = tempDir();
      const card = await buildFetchedModel(spec, path.join(root, 'out'), { log: (line) => said.push(line), modelRoot: root, skipHub: false });
      expect(card.source).toEqual({ hub: spec.hub.repo, file: spec.hub.onnxFile });
      expect(said.at(-1)).toMatch(/from the hub \(Xenova\/all-MiniLM-L6-v2\)/);
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('falls back to the pinned Maven package when the hub serves another file', async () => {
    const fetchSpy = fakeHub(await hubFiles(new Uint8Array([1, 2, 3])));
    const said: string[] = [];
    try {
      const root = tempDir();
      const card = await buildFetchedModel(spec, path.join(root, 'out'), { log: (line) => said.push(line), modelRoot: root, skipHub: false });
      expect(card.source).toEqual({ maven: `dev.langchain4j:${spec.maven.artifact}:${spec.maven.version}`, entry: spec.maven.onnxEntry });
      expect(said.join('\n')).toMatch(/the hub's onnx\/model_quantized\.onnx is not the pinned file .*using the Maven Central package/);
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('tells how to fetch a real encoder that is not built yet, instead of going to the hub', async () => {
    await expect(createEmbedder({ modelId: 'bge-small-en-v1.5', modelDir: tempDir() })).rejects.toThrow(/not fetched yet: run npm run build-model -- --model bge-small-en-v1.5/);
  });
});
