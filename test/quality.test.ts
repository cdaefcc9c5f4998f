import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/index.js';
import { createEmbedder } from '../src/embed/index.js';
import { buildIndex, loadIndex } from '../src/index/index.js';
import { createRetriever } from '../src/retrieval.js';
import { evaluateRetriever, parseEvalFile, type EvalMetrics, type SearchMode } from '../src/search/index.js';
import { FIXTURE_MANY_STORY_QUESTIONS, FIXTURE_PAGES, hasNewsSet, newsSet, pagesRetriever } from '../src/eval-sets.js';
import { loadCoreConfig } from '../src/config.js';
import { FIXTURE_CORPUS, PROJECT_ROOT, tempDir } from './helpers/corpus.js';
import { DEFAULT_MODEL, DEV_SET, MODEL_DIR, SHIPPED_CORPUS } from './helpers/project.js';

const OFF_TOPIC_SET = 'test/fixtures/eval/off-topic.jsonl';

// Floors set a little under what `npm run eval` measures (docs/quality.md), so a change that
// makes retrieval worse fails here.
const sets = {
  dev: parseEvalFile(readFileSync(DEV_SET, 'utf8'), DEV_SET),
  extra: parseEvalFile(readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/eval/extra.jsonl'), 'utf8'), 'extra.jsonl'),
  misspelled: parseEvalFile(readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/eval/misspelled.jsonl'), 'utf8'), 'misspelled.jsonl'),
  offTopic: parseEvalFile(readFileSync(path.join(PROJECT_ROOT, OFF_TOPIC_SET), 'utf8'), 'off-topic.jsonl'),
  heldOut: parseEvalFile(readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/eval/holdout-one.jsonl'), 'utf8'), 'holdout-one.jsonl'),
};
const offTopic = sets.offTopic;
const threeStories = parseEvalFile(readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/eval/three-stories.jsonl'), 'utf8'), 'three-stories.jsonl');
const results: Record<string, Record<SearchMode, EvalMetrics>> = {};
const NEWS_DIR = path.join(PROJECT_ROOT, '../shared/eval/news-dev');

beforeAll(async () => {
  const embedder = await createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR });
  const indexDir = path.join(tempDir(), 'index');
  await buildIndex({ stories: await loadCorpus(SHIPPED_CORPUS), embedder, indexDir });
  const index = loadIndex(indexDir, { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: 64 });
  const retriever = createRetriever(index, embedder); // as the terminal and the bot make it
  for (const [name, questions] of Object.entries(sets)) {
    results[name] = {} as Record<SearchMode, EvalMetrics>;
    for (const mode of ['dense', 'bm25', 'hybrid', 'rrf'] as const) results[name]![mode] = await evaluateRetriever(retriever, questions, mode);
  }
  const threeIndexDir = path.join(tempDir(), 'index');
  await buildIndex({ stories: await loadCorpus(FIXTURE_CORPUS), embedder, indexDir: threeIndexDir });
  const threeIndex = loadIndex(threeIndexDir, { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: 64 });
  results.three = { hybrid: await evaluateRetriever(createRetriever(threeIndex, embedder), threeStories, 'hybrid') } as Record<SearchMode, EvalMetrics>;
  const followupsDir = path.join(PROJECT_ROOT, 'test/fixtures/corpus-followups');
  const followupsIndex = path.join(tempDir(), 'index');
  await buildIndex({ stories: await loadCorpus(followupsDir), embedder, indexDir: followupsIndex });
  const followups = parseEvalFile(readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/eval/followups.jsonl'), 'utf8'), 'followups.jsonl');
  const followupsRetriever = createRetriever(loadIndex(followupsIndex, { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: 64 }), embedder);
  results.followups = { hybrid: await evaluateRetriever(followupsRetriever, followups, 'hybrid') } as Record<SearchMode, EvalMetrics>;
  // Many stories: our 29 fixture pages beside the shipped story, and the team's news-dev set when it is beside the project.
  const config = { ...loadCoreConfig({ LOG_LEVEL: 'silent' }, PROJECT_ROOT), corpusDir: SHIPPED_CORPUS };
  const manySets = { many: { pagesFiles: FIXTURE_PAGES.map((file) => path.join(PROJECT_ROOT, file)), questionsFile: path.join(PROJECT_ROOT, FIXTURE_MANY_STORY_QUESTIONS) } };
  if (hasNewsSet(NEWS_DIR)) Object.assign(manySets, { news: newsSet(NEWS_DIR) });
  for (const [name, set] of Object.entries(manySets)) {
    const { retriever, questions } = await pagesRetriever(set, 'expected', config, embedder);
    results[name] = {} as Record<SearchMode, EvalMetrics>;
    for (const mode of ['dense', 'bm25', 'hybrid'] as const) results[name]![mode] = await evaluateRetriever(retriever, questions, mode);
    results[`${name}OffTopic`] = { hybrid: await evaluateRetriever(retriever, offTopic, 'hybrid') } as Record<SearchMode, EvalMetrics>;
  }
});

describe('retrieval quality on the dev set', () => {
  it('finds the answering paragraph near the top in hybrid mode', () => {
    const hybrid = results.dev!.hybrid;
    expect(hybrid.recallAt3).toBeGreaterThanOrEqual(0.92);
    expect(hybrid.mrr).toBeGreaterThanOrEqual(0.88);
  });

  it('puts the answering sentence in bold', () => {
    expect(results.dev!.hybrid.boldOnAnswer).toBeGreaterThanOrEqual(0.9);
  });

  it('refuses both unanswerable questions and no answerable one', () => {
    expect(results.dev!.hybrid.refusalAccuracy).toBe(1);
    expect(results.dev!.hybrid.wrongRefusals).toBe(0);
  });

  it('is at least as good as each baseline on every metric', () => {
    const { hybrid, ...baselines } = results.dev!;
    for (const baseline of Object.values(baselines)) {
      expect(hybrid.recallAt1).toBeGreaterThanOrEqual(baseline.recallAt1);
      expect(hybrid.recallAt3).toBeGreaterThanOrEqual(baseline.recallAt3);
      expect(hybrid.mrr).toBeGreaterThanOrEqual(baseline.mrr);
      expect(hybrid.refusalAccuracy).toBeGreaterThanOrEqual(baseline.refusalAccuracy);
      expect(hybrid.wrongRefusals).toBeLessThanOrEqual(baseline.wrongRefusals);
    }
  });
});

describe('retrieval quality on our own paraphrased, misspelled and near-topic questions', () => {
  it('keeps recall and refuses at most one answerable question', () => {
    const hybrid = results.extra!.hybrid;
    // Story-aware ranking traded two of these (worded with the story's own words, where BM25 is
    // strongest) for the paraphrased many-story questions: docs/quality.md.
    expect(hybrid.recallAt3).toBeGreaterThanOrEqual(0.83);
    expect(hybrid.mrr).toBeGreaterThanOrEqual(0.84);
    // x19 ("Who ran the Australian conversation badly?") shares too few words with its answer.
    expect(hybrid.wrongRefusals).toBeLessThanOrEqual(1);
    expect(hybrid.refusalRecall).toBeGreaterThanOrEqual(0.33);
  });

  it('answers the held-out questions on the story (written without reading the code) and refuses none', () => {
    const hybrid = results.heldOut!.hybrid;
    // 35 of 40 in the first three (docs/quality.md).
    expect(hybrid.recallAt3).toBeGreaterThanOrEqual(0.85);
    expect(hybrid.wrongRefusals).toBe(0);
  });
});

describe('off-topic questions (everyday questions on other topics, written without reading the code)', () => {
  // The refusal's scale comes from the encoder's own scores on the corpus (src/search/calibration.ts):
  // before it, a constant threshold answered half of these on many stories.
  it('are refused on the one story', () => {
    // 53 of 60 (docs/quality.md): what is left shares the story's subject ("how many people live in russia").
    expect(results.offTopic!.hybrid.refusalAccuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('are refused across our 30 stories', () => {
    expect(results.manyOffTopic!.hybrid.refusalAccuracy).toBeGreaterThanOrEqual(0.88);
  });

  it.runIf(hasNewsSet(NEWS_DIR))('are refused across the news-dev stories', () => {
    expect(results.newsOffTopic!.hybrid.refusalAccuracy).toBeGreaterThanOrEqual(0.92);
  });
});

describe('retrieval quality on three short stories', () => {
  it('quotes the answering paragraph among the top three for every answerable question', () => {
    const hybrid = results.three!.hybrid;
    expect(hybrid.recallAt3).toBe(1);
    expect(hybrid.mrr).toBeGreaterThanOrEqual(0.78);
    expect(hybrid.wrongRefusals).toBe(0);
  });
});

describe('retrieval quality on misspelt questions', () => {
  it('corrects typos against the corpus and still finds and refuses', () => {
    const hybrid = results.misspelled!.hybrid;
    expect(hybrid.recallAt3).toBeGreaterThanOrEqual(0.92);
    expect(hybrid.mrr).toBeGreaterThanOrEqual(0.8);
    expect(hybrid.wrongRefusals).toBe(0);
    expect(hybrid.refusalAccuracy).toBe(1);
  });
});

describe('retrieval quality across many stories', () => {
  it('finds the answer among 30 stories we wrote, better than dense or BM25 alone', () => {
    const { hybrid, dense, bm25 } = results.many!;
    expect(hybrid.recallAt3).toBeGreaterThanOrEqual(0.7);
    expect(hybrid.mrr).toBeGreaterThanOrEqual(0.62);
    expect(hybrid.boldOnAnswer).toBeGreaterThanOrEqual(0.75);
    // Refused: four whose answer search does not rank in the first ten, three it ranks 1, 5 and 7 (docs/quality.md).
    expect(hybrid.wrongRefusals).toBeLessThanOrEqual(7);
    for (const baseline of [dense, bm25]) {
      expect(hybrid.recallAt3).toBeGreaterThanOrEqual(baseline.recallAt3);
      expect(hybrid.mrr).toBeGreaterThanOrEqual(baseline.mrr);
    }
  });

  it.runIf(hasNewsSet(NEWS_DIR))('keeps the floors on the team’s news-dev set (real pages, beside the project)', () => {
    const { hybrid, dense, bm25 } = results.news!;
    expect(hybrid.recallAt3).toBeGreaterThanOrEqual(0.88);
    expect(hybrid.mrr).toBeGreaterThanOrEqual(0.76);
    expect(hybrid.boldOnAnswer).toBeGreaterThanOrEqual(0.68);
    expect(hybrid.wrongRefusals).toBeLessThanOrEqual(2);
    expect(hybrid.refusalAccuracy).toBeGreaterThan(0);
    for (const baseline of [dense, bm25]) {
      expect(hybrid.recallAt3).toBeGreaterThanOrEqual(baseline.recallAt3);
      expect(hybrid.mrr).toBeGreaterThanOrEqual(baseline.mrr);
    }
  });
});

describe('follow-up stories: the latest, and a month asked about', () => {
  it('quotes the newest story for "latest" and "now", the story of the month asked about, and refuses no answerable question', () => {
    const hybrid = results.followups!.hybrid;
    expect(hybrid.recallAt3).toBe(1);
    expect(hybrid.mrr).toBeGreaterThanOrEqual(0.75);
    expect(hybrid.wrongRefusals).toBe(0);
  });
});
