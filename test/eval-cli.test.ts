// `npm run eval` says which sets it measured and on what corpus, and the default sets are the
// same corpora for everyone: your own stories in CORPUS_DIR change neither the dev set's nor the
// many-story set's corpus. `--file` measures your questions on your corpus, and says so.
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { measuredSets } from '../src/cli/eval.js';
import { DEV_STORY_FILE } from '../src/eval-sets.js';
import { FIXTURE_CORPUS, tempDir } from './helpers/corpus.js';
import { SHIPPED_CORPUS, runScript } from './helpers/project.js';

/** A user's corpus: the shipped story and three of their own. */
function ownCorpus(): { env: Record<string, string>; indexDir: string } {
  const corpus = path.join(tempDir(), 'corpus');
  cpSync(SHIPPED_CORPUS, corpus, { recursive: true });
  cpSync(FIXTURE_CORPUS, corpus, { recursive: true });
  const indexDir = path.join(tempDir(), 'index');
  return { env: { CORPUS_DIR: corpus, INDEX_DIR: indexDir }, indexDir };
}

type EvalJson = { corpora: Record<string, { corpus: string; stories: number }>; sets: Record<string, Record<string, { answerable: number }>> };

describe('npm run eval', () => {
  it('measures the dev set on its one story and the many-story set on that story and the fixture pages, whatever CORPUS_DIR holds', async () => {
    const { env, indexDir } = ownCorpus();
    const run = await runScript('scripts/eval.ts', ['--mode', 'hybrid', '--news', 'none', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Measuring 7 sets: test/fixtures/eval/dev.jsonl, test/fixtures/eval/many-stories.jsonl, test/fixtures/eval/holdout-one.jsonl (one story), ');
    const report = JSON.parse(run.stdout) as EvalJson;
    const oneStory = { corpus: `the story it asks about, alone (${DEV_STORY_FILE})`, stories: 1 };
    const ourStories = { corpus: "the dev set's story and our 29 fixture pages", stories: 30 };
    expect(report.corpora).toEqual({
      'test/fixtures/eval/dev.jsonl': oneStory,
      'test/fixtures/eval/many-stories.jsonl': ourStories,
      // Our held-out, near-topic and off-topic sets, on the same corpora.
      'test/fixtures/eval/holdout-one.jsonl (one story)': oneStory,
      'test/fixtures/eval/near-topic-one.jsonl (one story)': oneStory,
      'test/fixtures/eval/off-topic.jsonl (one story)': oneStory,
      'test/fixtures/eval/holdout-many.jsonl (our stories)': ourStories,
      'test/fixtures/eval/off-topic.jsonl (our stories)': ourStories,
    });
    expect(Object.keys(report.sets)).toEqual(Object.keys(report.corpora));
    // The user's index is neither read nor built for the default sets.
    expect(existsSync(indexDir)).toBe(false);
  });

  it('--file measures your questions on your corpus, and the table heading says so', async () => {
    const { env } = ownCorpus();
    const run = await runScript('scripts/eval.ts', ['--file', 'test/fixtures/eval/three-stories.jsonl', '--mode', 'hybrid'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Measuring 1 set: test/fixtures/eval/three-stories.jsonl.\n');
    expect(run.stdout).toMatch(new RegExp(`^\\ntest/fixtures/eval/three-stories\\.jsonl on your corpus \\(${env.CORPUS_DIR!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): 4 stories, \\d+ answerable`));
  });

  it('names the news-dev folder it looked for when it is not there, and never claims fewer sets than it measures', () => {
    const sets = [{ name: 'test/fixtures/eval/dev.jsonl' }, { name: 'test/fixtures/eval/many-stories.jsonl' }];
    expect(measuredSets(sets, '../shared/eval/news-dev', false)).toBe(
      "Measuring 2 sets: test/fixtures/eval/dev.jsonl and test/fixtures/eval/many-stories.jsonl (no news-dev set at ../shared/eval/news-dev, the team's: pass it with --news DIR).",
    );
    expect(measuredSets(sets, 'none', false)).toBe('Measuring 2 sets: test/fixtures/eval/dev.jsonl and test/fixtures/eval/many-stories.jsonl.');
  });
});
