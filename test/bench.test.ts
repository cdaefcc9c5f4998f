// `npm run bench`: figures that are right (recall against exact search, answers counted, fields
// that agree with each other), never timings.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDiscordBench } from '../src/bench/discord.js';
import { runScaleBench } from '../src/bench/scale.js';
import { formatBenchTable, parseBenchArgs, runBench, type BenchReport } from '../src/cli/bench.js';
import { loadCoreConfig } from '../src/config.js';
import { loadCorpus } from '../src/corpus/index.js';
import { ExactStore, recallAtK } from '../src/index/exact-search.js';
import { gaussianMixture, rowOf, uniformUnitVectors } from '../src/index/synthetic-vectors.js';
import { buildIndexFromCorpus } from '../src/pipeline.js';
import { createRetriever, openIndex } from '../src/retrieval.js';
import { parseEvalFile } from '../src/search/index.js';
import { seededRandom } from '../src/shared/random.js';
import { copyFixtureCorpus, tempDir } from './helpers/corpus.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';
import { DEV_SET } from './helpers/project.js';

const isTime = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isLatency = (value: { p50Ms: number; p95Ms: number }) => isTime(value.p50Ms) && isTime(value.p95Ms) && value.p50Ms <= value.p95Ms;

describe('ExactStore', () => {
  it('returns the true nearest neighbours, best first, and honours accept', () => {
    const dims = 16;
    const matrix = uniformUnitVectors(200, dims, 7);
    const store = ExactStore.fromMatrix(matrix, dims);
    const query = rowOf(matrix, 42, dims);
    const hits = store.search(query, 5);
    expect(hits[0]).toMatchObject({ label: 42 });
    expect(hits[0]!.similarity).toBeCloseTo(1, 5);
    expect(hits.map((hit) => hit.similarity)).toEqual([...hits.map((hit) => hit.similarity)].sort((a, b) => b - a));
    expect(store.search(query, 5, (label) => label % 2 === 1).every((hit) => hit.label % 2 === 1)).toBe(true);
    expect(store.vector(42)).toEqual(Float32Array.from(query));

    const grown = new ExactStore(dims, 1);
    for (let label = 0; label < 200; label++) grown.add(label, rowOf(matrix, label, dims));
    expect(grown.search(query, 5)).toEqual(hits);
    expect(() => grown.add(500, query)).toThrow(/expected label 200/);
  });

  it('measures recall@k against the truth', () => {
    const truth = [1, 2, 3, 4].map((label) => ({ label, similarity: 1 }));
    expect(recallAtK(truth, truth, 4)).toBe(1);
    expect(recallAtK([1, 9, 3, 8].map((label) => ({ label, similarity: 1 })), truth, 4)).toBe(0.5);
  });
});

describe('synthetic vectors', () => {
  it('are deterministic unit vectors', () => {
    expect(seededRandom(3)()).toBe(seededRandom(3)());
    const mixture = gaussianMixture({ dims: 32, clusters: 4, spread: 0.75, seed: 1 });
    const a = mixture.sample(10, 5);
    expect(a).toEqual(gaussianMixture({ dims: 32, clusters: 4, spread: 0.75, seed: 1 }).sample(10, 5));
    for (let row = 0; row < 10; row++) expect(Math.hypot(...rowOf(a, row, 32))).toBeCloseTo(1, 5);
  });
});

describe('runScaleBench: HNSW against exact search', () => {
  // Uniform vectors (no structure, HNSW's hardest case) and a sparse graph, so a small ef misses neighbours.
  const n = 400;
  const dims = 32;
  const queries = 30;
  let report: ReturnType<typeof runScaleBench>;
  beforeAll(() => {
    report = runScaleBench({ n, dims, kind: 'uniform', queries, k: 10, hnsw: { M: 4, efConstruction: 8, efSearch: 8, randomSeed: 100 }, efSweep: [n] });
  });

  it('recall@10 is 1 when the search may visit every point, and below it for a starved search', () => {
    expect(report.sweep.map((point) => point.efSearch)).toEqual([8, n]);
    const [starved, whole] = report.sweep;
    expect(whole!.recallAt10).toBe(1);
    expect(starved!.recallAt10).toBeLessThan(1);
    expect(starved!.recallAt10).toBeGreaterThan(0.3);
    expect(report.recallAt10).toBe(starved!.recallAt10); // the figure reported is the configured efSearch's
  });

  it('every figure agrees with the others and with the vectors it says it used', () => {
    expect(report).toMatchObject({ n, dims, kind: 'uniform', queries, M: 4, efConstruction: 8, efSearch: 8 });
    expect(report.hnswP95Ms).toBe(report.sweep[0]!.hnswP95Ms);
    expect(report.hnswP50Ms).toBeLessThanOrEqual(report.hnswP95Ms);
    expect(report.exactP50Ms).toBeLessThanOrEqual(report.exactP95Ms);
    expect(report.speedup).toBeCloseTo(report.exactP95Ms / Math.max(report.hnswP95Ms, 1e-6), 6);
    // The mean top-1 cosine, recomputed from the seeds the description names.
    expect(report.vectors).toMatch(/seed 1; queries seed 2/);
    const data = ExactStore.fromMatrix(uniformUnitVectors(n, dims, 1), dims);
    const asked = uniformUnitVectors(queries, dims, 2);
    let top1 = 0;
    for (let q = 0; q < queries; q++) top1 += data.search(rowOf(asked, q, dims), 1)[0]!.similarity;
    expect(report.meanTop1Similarity).toBeCloseTo(top1 / queries, 5);
  });
});

describe('runDiscordBench', () => {
  it('counts as answered exactly the replies that quote passages', { timeout: 60_000 }, async () => {
    const embedder = fakeEmbedder();
    const config = { ...loadCoreConfig({}, tempDir()), corpusDir: copyFixtureCorpus() };
    await buildIndexFromCorpus(config, embedder);
    const questions = ['How long will the Harbor Bridge be closed?', 'Who won the chess olympiad in Ulaanbaatar?', 'How much will the bike lanes cost?'];
    const retriever = createRetriever(await openIndex(config, embedder), embedder);
    const answers = await Promise.all(questions.map((question) => retriever.search({ question })));
    const asks = 7; // the questions in turn: 0 1 2 0 1 2 0
    const expected = Array.from({ length: asks }, (_, i) => answers[i % questions.length]!).filter((result) => result.passages.length > 0).length;
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(asks); // some refused, or the count proves nothing

    const report = await runDiscordBench({ config, embedder, questions, asks });
    expect(report.asks).toBe(asks);
    expect(report.answered).toBe(expected);
    expect(report.p50Ms).toBeLessThanOrEqual(report.p95Ms);
  });
});

describe('npm run bench -- --quick', () => {
  it('reports every figure, each consistent with the others and with the corpus and questions it measured', { timeout: 420_000 }, async () => {
    const options = parseBenchArgs(['--quick', '--scale', '600', '--asks', '3', '--file', DEV_SET]);
    expect(options).toMatchObject({ quick: true, scale: 600, asks: 3, rounds: 1, stories: 15 });
    const report: BenchReport = await runBench(options);

    // Round-trips as the one JSON line `--json` prints.
    const json = JSON.parse(JSON.stringify(report)) as BenchReport;
    expect(json).toEqual(report);

    expect(isTime(report.coldStartMs)).toBe(true);
    expect(report.coldStartRunsMs).toHaveLength(1);
    // The whole process ends after its answer line.
    expect(report.coldAskCommandMs).toBeGreaterThan(report.coldStartMs);
    expect(isLatency(report.warm)).toBe(true);
    for (const part of [report.warm.embed, report.warm.search, report.warm.format]) expect(isLatency(part)).toBe(true);
    expect(report.warm.questions).toBe(parseEvalFile(readFileSync(DEV_SET, 'utf8'), DEV_SET).length);
    expect(report.warm.samples).toBe(report.warm.questions * options.rounds);

    // The corpus the bench indexed (the configured one), paragraph for paragraph.
    const corpus = await loadCorpus(loadCoreConfig().corpusDir);
    expect(report.build.paragraphs).toBe(corpus.reduce((sum, story) => sum + story.paragraphs.length, 0));
    expect(isTime(report.build.fullMs) && isTime(report.build.unchangedMs)).toBe(true);
    expect(report.build.paragraphsPerSec).toBeCloseTo(report.build.paragraphs / (report.build.fullMs / 1000), 6);
    expect(report.notes).not.toContain('The second build was not recognised as unchanged.');

    expect(report.rssMb).toBeGreaterThan(0);
    expect(report.peakRssMb).toBeGreaterThanOrEqual(report.rssMb);

    const scale = report.scale!;
    expect(scale).toMatchObject({ n: 600, dims: 512, kind: 'clustered', queries: 20, M: report.hnsw.M, efSearch: report.hnsw.efSearch });
    expect(scale.vectors).toMatch(/Gaussian mixture/);
    // 600 clustered vectors with the shipped parameters: HNSW finds nearly all of the exact 10.
    expect(scale.recallAt10).toBeGreaterThanOrEqual(0.95);
    // A mean over the queries of found/10: a whole number of neighbours, out of queries × 10.
    const neighbours = (recall: number) => recall * scale.queries * 10;
    expect(neighbours(scale.recallAt10)).toBeCloseTo(Math.round(neighbours(scale.recallAt10)), 6);
    expect(neighbours(scale.recallAt10)).toBeLessThanOrEqual(scale.queries * 10);
    expect(isTime(scale.buildMs) && isTime(scale.hnswP95Ms) && isTime(scale.exactP95Ms)).toBe(true);
    expect(scale.speedup).toBeCloseTo(scale.exactP95Ms / Math.max(scale.hnswP95Ms, 1e-6), 6);
    expect(scale.sweep.map((point) => point.efSearch)).toEqual([16, 32, 64, 128, 256, 512]);
    expect(scale.sweep.find((point) => point.efSearch === scale.efSearch)?.recallAt10).toBe(scale.recallAt10);
    expect(scale.sweep.at(-1)!.recallAt10).toBeGreaterThanOrEqual(scale.sweep[0]!.recallAt10);
    for (const point of scale.sweep) expect(neighbours(point.recallAt10)).toBeCloseTo(Math.round(neighbours(point.recallAt10)), 6);

    expect(report.discord).not.toBeNull();
    expect(report.discord!.asks).toBe(3);
    expect(isLatency(report.discord!)).toBe(true);
    expect(report.discord!.answered).toBeGreaterThan(0);
    expect(report.discord!.answered).toBeLessThanOrEqual(3);

    // The whole pipeline on a small synthetic year: every figure, and answers it can find.
    const year = report.year!;
    expect(year.stories).toBe(16); // 15 written; one added and removed again, one added by add-story
    expect(year.paragraphs).toBeGreaterThan(15 * 15);
    for (const value of [year.buildMs, year.addOneStoryMs, year.unchangedMs, year.coldStartMs, year.autocompleteP95Ms, year.discordP95Ms!]) expect(isTime(value)).toBe(true);
    for (const value of [year.coldAskCommandMs, year.addStoryCommandMs, year.unchangedCommandMs, year.removeOneStoryMs]) expect(isTime(value)).toBe(true);
    expect(year.coldAskCommandMs).toBeGreaterThan(year.coldStartMs);
    expect(year.buildParagraphsPerSec).toBeGreaterThan(0);
    expect(year.warm.p95Ms).toBeGreaterThanOrEqual(year.warm.p50Ms);
    expect(year.rssMb).toBeGreaterThan(0);
    expect(year.eval.unanswerable).toBeGreaterThan(0);
    expect(year.eval.recallAt3).toBeGreaterThan(0.5);

    const table = formatBenchTable(report);
    expect(table).toContain('| warm answer p50 / p95');
    expect(table).toContain('add one story');
    expect(table).toContain('recall@10');
  });
});
