// Smoke test of `npm run bench -- --quick`: the report's shape and sane relations, never timings.
import { describe, expect, it } from 'vitest';
import { formatBenchTable, parseBenchArgs, runBench, type BenchReport } from '../src/cli/bench.js';
import { ExactStore, recallAtK } from '../src/index/exact-search.js';
import { gaussianMixture, rowOf, seededRandom, uniformUnitVectors } from '../src/index/synthetic-vectors.js';
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

describe('npm run bench -- --quick', () => {
  it('reports every figure with a sane shape', { timeout: 420_000 }, async () => {
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
    expect(report.warm.samples).toBe(report.warm.questions);
    expect(report.warm.questions).toBeGreaterThan(0);

    expect(report.build.paragraphs).toBeGreaterThan(0);
    expect(isTime(report.build.fullMs) && isTime(report.build.unchangedMs)).toBe(true);
    expect(report.build.paragraphsPerSec).toBeGreaterThan(0);

    expect(report.rssMb).toBeGreaterThan(0);
    expect(report.peakRssMb).toBeGreaterThanOrEqual(report.rssMb);

    const scale = report.scale!;
    expect(scale).toMatchObject({ n: 600, dims: 512, kind: 'clustered', queries: 20, M: report.hnsw.M, efSearch: report.hnsw.efSearch });
    expect(scale.vectors).toMatch(/Gaussian mixture/);
    expect(scale.recallAt10).toBeGreaterThanOrEqual(0);
    expect(scale.recallAt10).toBeLessThanOrEqual(1);
    expect(isTime(scale.buildMs) && isTime(scale.hnswP95Ms) && isTime(scale.exactP95Ms)).toBe(true);
    expect(scale.speedup).toBeGreaterThan(0);
    expect(scale.sweep.map((point) => point.efSearch)).toContain(scale.efSearch);
    for (const point of scale.sweep) expect(point.recallAt10).toBeLessThanOrEqual(1);

    expect(report.discord).not.toBeNull();
    expect(report.discord!.asks).toBe(3);
    expect(isLatency(report.discord!)).toBe(true);
    expect(report.discord!.answered).toBeGreaterThan(0);

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
