import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticQuestions, syntheticStories, writeSyntheticCorpus } from '../src/bench/synthetic-news.js';
import { loadCorpus } from '../src/corpus/index.js';
import { tempDir } from './helpers/corpus.js';

const stories = (n: number, seed = 1) => [...syntheticStories({ stories: n, seed })];

describe('the synthetic year of news', () => {
  it('is the same for the same seed and different for another', () => {
    expect(stories(40)).toEqual(stories(40));
    expect(stories(40, 2).map((s) => s.paragraphs)).not.toEqual(stories(40).map((s) => s.paragraphs));
  });

  it('has news-like sizes: about ten stories a day, 15 to 45 paragraphs of 20 to 90 words', () => {
    const year = stories(200);
    const counts = year.map((story) => story.paragraphs.length);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(15);
    expect(Math.max(...counts)).toBeLessThanOrEqual(45);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    expect(mean).toBeGreaterThan(24);
    expect(mean).toBeLessThan(34);
    expect(new Set(year.map((story) => story.published)).size).toBe(20);
    const words = year.flatMap((story) => story.paragraphs.map((p) => p.split(' ').length));
    expect(words.filter((n) => n < 15 || n > 120)).toEqual([]);
    expect(new Set(year.map((story) => story.id)).size).toBe(200);
    expect(year.every((story) => /^[a-z0-9-]+$/.test(story.id))).toBe(true);
  });

  it('keeps naming new people as the year goes on', () => {
    const names = (list: ReturnType<typeof stories>) => new Set(list.flatMap((story) => story.paragraphs.join(' ').match(/\b[A-Z][a-z]+ [A-Z][a-z]+\b/g) ?? []));
    const year = stories(400);
    const early = names(year.slice(0, 200));
    const late = [...names(year.slice(200))].filter((name) => !early.has(name));
    expect(late.length).toBeGreaterThan(200);
  });

  it('keeps meeting new words all year, as newswire does (Heaps’ law)', () => {
    const words = (list: ReturnType<typeof stories>) => new Set(list.flatMap((story) => story.paragraphs.join(' ').toLowerCase().match(/[a-z0-9]+/g) ?? []));
    const year = stories(400);
    const first = words(year.slice(0, 300));
    const fresh = [...words(year.slice(300))].filter((word) => !first.has(word));
    // The templates alone stop at about 10,000 words; the last hundred stories still bring thousands.
    expect(first.size).toBeGreaterThan(12_000);
    expect(fresh.length).toBeGreaterThan(2_000);
  });

  it('plants each answer in exactly one paragraph of the right story; unanswerable questions have none', () => {
    const year = stories(300);
    const questions = syntheticQuestions({ stories: 300, count: 40 });
    expect(questions.filter((q) => q.answers.length === 0).length).toBeGreaterThanOrEqual(4);
    for (const question of questions) {
      if (question.answers.length === 0) {
        expect(question.storyId).toBeNull();
        continue;
      }
      const holders = year.flatMap((story) => story.paragraphs.filter((p) => p.includes(question.answers[0]!)).map(() => story.id));
      expect(holders).toEqual([question.storyId]);
    }
  });

  it('writes corpus files the loader reads', async () => {
    const dir = path.join(tempDir(), 'corpus');
    const written = await writeSyntheticCorpus(dir, { stories: 30 });
    const corpus = await loadCorpus(dir);
    expect(corpus).toHaveLength(30);
    expect(corpus.reduce((sum, story) => sum + story.paragraphs.length, 0)).toBe(written.paragraphs);
  });
});
