// The reader stage (RERANK_MODEL): the cross-encoders build-model makes offline, the loader
// (pair tokenisation, truncation, batching, probabilities, errors) and the re-ordering and
// refusal in search. The tiny model's score is known: sigmoid(10 · (share of the question's
// words found in the passage − 0.5)), src/embed/model-build/cross-encoder/overlap-graph.ts.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { AutoTokenizer, env } from '@xenova/transformers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCorpus } from '../src/corpus/index.js';
import { benchCommand, parseBenchArgs } from '../src/cli/bench.js';
import { DEFAULT_RERANK_CANDIDATES, DEFAULT_RERANK_MIN_SCORE, loadCoreConfig } from '../src/config.js';
import { createCrossEncoder, relevanceProbabilities, specialTokensAfterPassage, truncatePassage, type CrossEncoder } from '../src/embed/cross-encoder.js';
import { buildModel } from '../src/embed/model-build/registry.js';
import { UserError } from '../src/errors.js';
import { buildIndex, loadIndex } from '../src/index/index.js';
import { READER_SURE_SCORE, Retriever, rerankOrder, type Reranker } from '../src/search/index.js';
import { FIXTURE_CORPUS, tempDir } from './helpers/corpus.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';
import { MODEL_DIR } from './helpers/project.js';
import { smallBertDir, tinyRerankerDir, withConfig } from './helpers/rerankers.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** The tiny model's score for a share of the question's words found. */
const tinyScore = (share: number) => sigmoid(10 * (share - 0.5));

let tinyDir: string;
let tiny: CrossEncoder;

beforeAll(async () => {
  tinyDir = await tinyRerankerDir();
  tiny = await createCrossEncoder({ model: tinyDir, modelDir: MODEL_DIR });
});

describe('RERANK_* settings', () => {
  it('are off unless RERANK_MODEL is set, then carry the score floor and the candidates', () => {
    expect(loadCoreConfig({}, '/x').rerank).toBeUndefined();
    expect(loadCoreConfig({ RERANK_MIN_SCORE: '0.9' }, '/x').rerank).toBeUndefined();
    expect(loadCoreConfig({ RERANK_MODEL: 'Xenova/ms-marco-MiniLM-L-6-v2' }, '/x').rerank).toEqual({ model: 'Xenova/ms-marco-MiniLM-L-6-v2', minScore: DEFAULT_RERANK_MIN_SCORE, candidates: DEFAULT_RERANK_CANDIDATES });
    expect(loadCoreConfig({ RERANK_MODEL: 'x', RERANK_MIN_SCORE: '0.25', RERANK_CANDIDATES: '8' }, '/x').rerank).toEqual({ model: 'x', minScore: 0.25, candidates: 8 });
  });

  it.each([
    [{ RERANK_MIN_SCORE: '2' }, 'RERANK_MIN_SCORE must be a probability from 0 to 1, e.g. 0.5: it is set in the environment, which wins over .env: fix or unset it there.'],
    [{ RERANK_CANDIDATES: '0' }, 'RERANK_CANDIDATES must be a whole number from 1 to 100: it is set in the environment, which wins over .env: fix or unset it there.'],
    [{ RERANK_CANDIDATES: '2.5' }, 'RERANK_CANDIDATES must be a whole number from 1 to 100: it is set in the environment, which wins over .env: fix or unset it there.'],
  ])('names the variable and what it must be: %j', (env, message) => {
    expect(() => loadCoreConfig(env, '/x')).toThrow(message);
  });
});

describe('npm run bench -- --rerank', () => {
  it('takes a shape it can build, and says which when given another', async () => {
    expect(parseBenchArgs(['--rerank', 'minilm-l6', '--json']).rerank).toBe('minilm-l6');
    await expect(benchCommand(['--rerank', 'bert-huge'])).rejects.toThrow(/^--rerank must be one of minilm-l6, ms-marco-l12\.$/);
  });
});

describe('the cross-encoders build-model makes', () => {
  it('are in the layout transformers.js loads, and build to the same bytes every time', async () => {
    const again = await buildModel('tiny-reranker', tempDir(), { force: true });
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
      expect((await readFile(path.join(again.dir, file))).equals(await readFile(path.join(tinyDir, file))), file).toBe(true);
    }
    const config = JSON.parse(await readFile(path.join(tinyDir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ architectures: ['BertForSequenceClassification'], model_type: 'bert' });
  });

  it('frame a pair as [CLS] question [SEP] passage [SEP] with token types 0 then 1', async () => {
    env.localModelPath = path.dirname(tinyDir);
    env.allowRemoteModels = false;
    const tokenizer = await AutoTokenizer.from_pretrained(path.basename(tinyDir));
    const pair = tokenizer('Where is the bridge?', { text_pair: 'The bridge is closed.', return_tensor: false }) as unknown as Record<string, number[]>;
    expect(pair.input_ids!.map((id) => tokenizer.model.vocab[id])).toEqual(['[CLS]', 'where', 'is', 'the', 'bridge', '?', '[SEP]', 'the', 'bridge', 'is', 'closed', '.', '[SEP]']);
    expect(pair.token_type_ids).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect(specialTokensAfterPassage(pair.input_ids!, pair.input_ids!.slice(7, 12))).toBe(1);
  });
});

describe('createCrossEncoder', () => {
  it('scores pairs as the tiny model is built to: the share of the question\'s words in the passage', async () => {
    // Content words of the question: bridge, close, repairs (where/will/the are stop words).
    const scores = await tiny.score('Where will the bridge close for repairs?', [
      'The bridge will close for repairs in July.',
      'The bridge is old.',
      'Ferries run every fifteen minutes.',
    ]);
    expect(scores[0]).toBeCloseTo(tinyScore(1), 5);
    expect(scores[1]).toBeCloseTo(tinyScore(1 / 3), 5);
    expect(scores[2]).toBeCloseTo(tinyScore(0), 5);
  });

  it('reads the question and the passage as two segments: the question\'s own words do not count as found', async () => {
    const [score] = await tiny.score('bridge repairs', ['nothing relevant here']);
    expect(score).toBeCloseTo(tinyScore(0), 5);
  });

  it('cuts long passages at their end, keeping the question and the closing [SEP]', async () => {
    const filler = Array.from({ length: 200 }, () => 'lorem').join(' ');
    // The tiny model reads 128 tokens: words at the start of the passage count, words past the cut do not.
    const [early, late] = await tiny.score('bridge repairs', [`bridge repairs ${filler}`, `${filler} bridge repairs`]);
    expect(early).toBeCloseTo(tinyScore(1), 5);
    expect(late).toBeCloseTo(tinyScore(0), 5);
    const encoding = { input_ids: [101, 1, 2, 102, 5, 6, 7, 8, 102], token_type_ids: [0, 0, 0, 0, 1, 1, 1, 1, 1] };
    expect(truncatePassage(encoding, 4, 1, 7)).toEqual({ input_ids: [101, 1, 2, 102, 5, 6, 102], token_type_ids: [0, 0, 0, 0, 1, 1, 1] });
    expect(truncatePassage(encoding, 4, 1, 9)).toBe(encoding);
  });

  it('gives the same scores in batches as one pair at a time, through the real BERT graph with padding', async () => {
    const dir = await smallBertDir();
    const passages = ['The bridge closes.', 'Ferries will run every fifteen minutes during the closure, free for residents.', 'Yes.', 'Inspectors found corrosion in March during a routine check of the cables.'];
    // float32 exactly; the int8 file as the hub's are made (one input scale per batch) within quantisation noise.
    for (const [quantized, digits] of [[false, 5], [true, 1]] as const) {
      const batched = await createCrossEncoder({ model: dir, modelDir: MODEL_DIR, quantized, batchSize: 16 });
      const single = await createCrossEncoder({ model: dir, modelDir: MODEL_DIR, quantized, batchSize: 1 });
      const [a, b] = [await batched.score('When will the bridge close?', passages), await single.score('When will the bridge close?', passages)];
      a.forEach((score, i) => expect(score).toBeCloseTo(b[i]!, digits));
      // Random weights still tell the passages apart: the scores are not one constant.
      expect(new Set(a.map((score) => score.toFixed(6))).size).toBeGreaterThan(1);
    }
  });

  it('turns one logit into a sigmoid and two into the second class\'s softmax share', () => {
    expect(relevanceProbabilities([0, 2], [2, 1])).toEqual([0.5, sigmoid(2)]);
    const [relevant] = relevanceProbabilities([1, 3], [1, 2]);
    expect(relevant).toBeCloseTo(Math.exp(3) / (Math.exp(1) + Math.exp(3)), 10);
  });

  const oneSentence = (message: string) => {
    expect(message).not.toContain('\n');
    expect(message).toMatch(/RERANK_MODEL/);
  };

  it.each([
    ['a missing folder', async () => path.join(tempDir(), 'no-such-model'), /config\.json, tokenizer\.json, tokenizer_config\.json, onnx\/model\.onnx missing/],
    ['a folder without its weights', async () => {
      const dir = await withConfig(tinyDir, (config) => config);
      await rm(path.join(dir, 'onnx'), { recursive: true });
      return dir;
    }, /onnx\/model\.onnx missing/],
    ['another architecture', async () => withConfig(tinyDir, (config) => ({ ...config, architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' })), /names GPT2LMHeadModel, not a …ForSequenceClassification cross-encoder/],
    ['the embedding model, which is no cross-encoder', async () => path.join(MODEL_DIR, 'use-lite'), /names BertModel, not a …ForSequenceClassification cross-encoder \(is it an embedding model\?\)/],
    ['a built-in model not built yet', async () => 'tiny-reranker', /^The re-ranking model "tiny-reranker" is not built yet: run npm run build-model -- --model tiny-reranker, or unset RERANK_MODEL\.$/],
    ['a bare name that is neither a built folder nor an owner/name hub id (a typo), without going to the network', async () => 'ms-marco-minilm-typo', /^RERANK_MODEL "ms-marco-minilm-typo" is neither a model folder in .* nor a hub id like Xenova\/ms-marco-MiniLM-L-6-v2: check the name/],
    ['a classifier of many classes', async () => withConfig(tinyDir, (config) => ({ ...config, id2label: { 0: 'a', 1: 'b', 2: 'c' } })), /sorts text into 3 classes/],
  ])('refuses %s in one sentence', async (_, folder, reason) => {
    const model = await folder();
    const error = await createCrossEncoder({ model, modelDir: tempDir() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(reason);
    oneSentence((error as Error).message);
  });
});

describe('a mistyped RERANK_MODEL', () => {
  it('is refused in one sentence before anything is fetched', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    try {
      await expect(createCrossEncoder({ model: 'ms-marco-MiniLM-L6-v2', modelDir: tempDir() })).rejects.toThrow(/is neither a model folder in .* nor a hub id/);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });
});

describe('re-ranking in search', () => {
  let index: ReturnType<typeof loadIndex>;
  const embedder = fakeEmbedder();
  beforeAll(async () => {
    const indexDir = path.join(tempDir(), 'index');
    await buildIndex({ stories: await loadCorpus(FIXTURE_CORPUS), embedder, indexDir });
    index = loadIndex(indexDir, { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: 64 });
  });
  const reranker = (score: Reranker['score'], minScore = 0.5, candidates = 20): Reranker => ({ score, minScore, candidates });

  it('orders the first candidates by the scorer and leaves the rest in retrieval order', () => {
    const ordered = [{ label: 1 }, { label: 2 }, { label: 3 }, { label: 4 }];
    expect(rerankOrder(ordered, [0.2, 0.9, 0.2]).map(({ label, rerankScore }) => [label, rerankScore])).toEqual([[2, 0.9], [1, 0.2], [3, 0.2], [4, undefined]]);
  });

  it('unset, answers exactly as before', async () => {
    const question = { question: 'How long will the bridge be closed?', topK: 5 };
    const plain = await new Retriever(index, embedder).search(question);
    const withNone = await new Retriever(index, embedder, { reranker: undefined }).search(question);
    expect({ ...withNone, timings: undefined }).toEqual({ ...plain, timings: undefined });
    expect(plain.passages.every((passage) => passage.rerankScore === undefined)).toBe(true);
  });

  it('quotes the passage the cross-encoder prefers first, with its probability as the relevance', async () => {
    const question = 'How long will the bridge be closed?';
    const plain = await new Retriever(index, embedder).search({ question, topK: 3 });
    const wanted = plain.passages[2]!.paragraph.text;
    const read: string[][] = [];
    const retriever = new Retriever(index, embedder, {
      reranker: reranker(async (asked, passages) => {
        expect(asked).toBe(question);
        read.push([...passages]);
        return passages.map((text) => (text === wanted ? 0.9 : 0.6));
      }, 0.5, 4),
    });
    const result = await retriever.search({ question, topK: 3 });
    expect(read).toHaveLength(1);
    expect(read[0]).toHaveLength(4); // RERANK_CANDIDATES
    expect(result.outcome.kind).toBe('answered');
    expect(result.passages[0]!.paragraph.text).toBe(wanted);
    expect(result.passages[0]!.rerankScore).toBe(0.9);
    expect(result.passages[0]!.relevance).toBe(0.9);
    expect(result.confidence).toBe(0.9);
    // The others keep their retrieval order.
    expect(result.passages.slice(1).map((p) => p.label)).toEqual(plain.passages.slice(0, 2).map((p) => p.label));
  });

  it('refuses when the best passage scores below RERANK_MIN_SCORE, even a question the stories answer', async () => {
    const question = 'How long will the bridge be closed?';
    expect((await new Retriever(index, embedder).search({ question })).outcome.kind).toBe('answered');
    const low = await new Retriever(index, embedder, { reranker: reranker(async (_, passages) => passages.map(() => 0.3), 0.5) }).search({ question });
    expect(low.outcome.kind).toBe('not-in-story');
    expect(low.passages).toEqual([]);
    expect(low.confidence).toBe(0.3);
  });

  it('lets the refusal of words and encoder judge what it scores between RERANK_MIN_SCORE and sure: an off-topic question stays refused', async () => {
    const question = 'What is the best recipe for lasagna?';
    expect((await new Retriever(index, embedder).search({ question })).outcome.kind).toBe('not-in-story');
    const eager = await new Retriever(index, embedder, { reranker: reranker(async (_, passages) => passages.map(() => READER_SURE_SCORE - 0.01), 0.001) }).search({ question });
    expect(eager.outcome.kind).toBe('not-in-story');
  });

  it('answers what it is sure of, where words and encoder refuse (a paraphrase they miss)', async () => {
    const question = 'What is the best recipe for lasagna?';
    const sure = await new Retriever(index, embedder, { reranker: reranker(async (_, passages) => passages.map((_, i) => (i === 0 ? READER_SURE_SCORE : 0.5)), 0.001) }).search({ question });
    expect(sure.outcome.kind).toBe('answered');
    expect(sure.passages[0]!.rerankScore).toBe(READER_SURE_SCORE);
    // A veto set above the sure level still vetoes.
    const strict = await new Retriever(index, embedder, { reranker: reranker(async (_, passages) => passages.map(() => READER_SURE_SCORE), 0.999) }).search({ question });
    expect(strict.outcome.kind).toBe('not-in-story');
  });

  it('skips a question in a language the model does not read: ranked and judged as without it', async () => {
    const question = { question: 'How long will the bridge be closed?', topK: 3 };
    let calls = 0;
    const readsGermanOnly: Reranker = { ...reranker(async (_, passages) => (calls++, passages.map(() => 0.0001)), 0.001), languages: new Set(['de']) };
    const plain = await new Retriever(index, embedder).search(question);
    const skipped = await new Retriever(index, embedder, { reranker: readsGermanOnly }).search(question);
    expect(calls).toBe(0);
    expect({ ...skipped, timings: undefined }).toEqual({ ...plain, timings: undefined });
    // The same model, reading English, vetoes it.
    const read = await new Retriever(index, embedder, { reranker: { ...readsGermanOnly, languages: new Set(['en']) } }).search(question);
    expect(calls).toBe(1);
    expect(read.outcome.kind).toBe('not-in-story');
  });

  it('with the tiny model, brings the passage holding all the question\'s words first and refuses what no passage holds', async () => {
    const score = (asked: string, passages: readonly string[]) => tiny.score(asked, passages);
    const retriever = new Retriever(index, embedder, { reranker: reranker(score, 0.5, 20) });
    const question = 'Will ferries be free for residents during the closure?';
    const result = await retriever.search({ question });
    expect(result.outcome.kind).toBe('answered');
    expect(result.passages[0]!.paragraph.text).toMatch(/^Ferries between the north and south shores/);
    expect(result.passages[0]!.rerankScore).toBeCloseTo(tinyScore(1), 5);
    const scores = result.passages.map((passage) => passage.rerankScore!);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);

    const refused = await retriever.search({ question: 'What did the mayor say about the election budget?' });
    expect(refused.outcome.kind).toBe('not-in-story');
  });
});
