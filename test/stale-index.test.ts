// An index that is behind its corpus folder (a story file written by hand or left by an add that
// stopped before its index update, a file removed or edited) is noticed by ask, the bot at start
// and on reload, and /sources, in one sentence with the command to run; the next build catches up.
import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadCoreConfig, type CoreConfig } from '../src/config.js';
import { openLiveIndex } from '../src/discord/live-index.js';
import { driftSentence, indexDrift, loadIndex, readManifest, currentGeneration } from '../src/index/index.js';
import { createLogger } from '../src/log.js';
import { buildIndexFromCorpus } from '../src/pipeline.js';
import { copyFixtureCorpus, tempDir, writeStory } from './helpers/corpus.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';
import { startBotHarness, type BotHarness } from './helpers/bot-harness.js';
import { SHIPPED_CORPUS, runScript } from './helpers/project.js';

const embedder = fakeEmbedder();

/** A copy of the fixture corpus with its index built, as `npm run build-index` leaves them. */
async function builtCorpus(): Promise<CoreConfig> {
  const root = tempDir();
  const config = { ...loadCoreConfig({}, root), corpusDir: copyFixtureCorpus(), indexDir: path.join(root, 'index') };
  await buildIndexFromCorpus(config, embedder);
  return config;
}

const manifestOf = (config: CoreConfig) => readManifest(currentGeneration(config.indexDir)!)!;

describe('indexDrift: the corpus folder against the files the index was built from', () => {
  it('is in step after a build, and names each file added by hand, removed or edited since', async () => {
    const config = await builtCorpus();
    expect(await indexDrift(config.corpusDir, manifestOf(config))).toBeUndefined();

    writeStory(config.corpusDir, 'aquarium', ['The new aquarium will open on Pier 9 next spring.']);
    rmSync(path.join(config.corpusDir, 'riverton-bike-lanes.md'));
    appendFileSync(path.join(config.corpusDir, 'harbor-bridge-repairs.md'), '\nA paragraph added by hand.\n');
    const drift = await indexDrift(config.corpusDir, manifestOf(config));
    expect(drift).toEqual({ added: ['aquarium.md'], removed: ['riverton-bike-lanes.md'], changed: ['harbor-bridge-repairs.md'] });
    expect(driftSentence(drift!)).toBe(
      "The index is behind the corpus: 1 story file is not indexed (aquarium.md), 1 indexed story's file is gone (riverton-bike-lanes.md) and 1 story file has changed since the build (harbor-bridge-repairs.md); run npm run build-index.",
    );
  });

  it('counts in the plural and names three files, then how many more', () => {
    expect(driftSentence({ added: ['a.md', 'b.md', 'c.md', 'd.md', 'e.md'], removed: [], changed: [] })).toBe(
      'The index is behind the corpus: 5 story files are not indexed (a.md, b.md, c.md and 2 more); run npm run build-index.',
    );
  });

  it('a story left by an interrupted add is indexed by the next build, which leaves the index in step', async () => {
    const config = await builtCorpus();
    writeStory(config.corpusDir, 'aquarium', ['The new aquarium will open on Pier 9 next spring.'], { title: 'City picks Pier 9' });
    expect((await indexDrift(config.corpusDir, manifestOf(config)))?.added).toEqual(['aquarium.md']);

    const report = await buildIndexFromCorpus(config, embedder);
    expect(report).toMatchObject({ changed: true, appended: true, embedded: 1 });
    const index = loadIndex(config.indexDir, { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: config.efSearch });
    expect(index.stories.map((story) => story.id)).toContain('aquarium');
    expect(await indexDrift(config.corpusDir, index.manifest)).toBeUndefined();
  });
});

describe('indexDrift: each kind of change alone', () => {
  // Files are described by size and times once 3 s old (by content before): the clock is moved on
  // so that every file is described by its times, the case a same-size edit could slip through.
  const later = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function settledBuild(): Promise<CoreConfig> {
    later(10);
    const config = await builtCorpus();
    later(10);
    expect(await indexDrift(config.corpusDir, manifestOf(config))).toBeUndefined();
    return config;
  }

  it('only a file deleted: behind, that file gone', async () => {
    const config = await settledBuild();
    rmSync(path.join(config.corpusDir, 'riverton-bike-lanes.md'));
    expect(await indexDrift(config.corpusDir, manifestOf(config))).toEqual({ added: [], removed: ['riverton-bike-lanes.md'], changed: [] });
  });

  it('only a file added: behind, that file not indexed', async () => {
    const config = await settledBuild();
    writeStory(config.corpusDir, 'aquarium', ['The new aquarium will open on Pier 9 next spring.']);
    later(10);
    expect(await indexDrift(config.corpusDir, manifestOf(config))).toEqual({ added: ['aquarium.md'], removed: [], changed: [] });
  });

  it('only a file rewritten with other bytes of the same size: behind, that file changed (just now, and once its times are old)', async () => {
    const config = await settledBuild();
    const file = path.join(config.corpusDir, 'harbor-bridge-repairs.md');
    const before = readFileSync(file, 'utf8');
    const after = before.replace('six weeks', 'nine weeks');
    expect(after).not.toBe(before);
    expect(Buffer.byteLength(after)).toBe(Buffer.byteLength(before) + 1);
    const sameSize = after.replace('nine weeks', 'ten weeks');
    expect(Buffer.byteLength(sameSize)).toBe(Buffer.byteLength(before));
    writeFileSync(file, sameSize);
    // Just written: described by its content.
    expect(await indexDrift(config.corpusDir, manifestOf(config))).toEqual({ added: [], removed: [], changed: ['harbor-bridge-repairs.md'] });
    // Settled: described by its size and times, the size the same as the indexed file's.
    later(10);
    expect(await indexDrift(config.corpusDir, manifestOf(config))).toEqual({ added: [], removed: [], changed: ['harbor-bridge-repairs.md'] });
  });

  it('nothing changed, after the files settle: in step', async () => {
    const config = await settledBuild();
    later(3600);
    expect(await indexDrift(config.corpusDir, manifestOf(config))).toBeUndefined();
  });
});

describe('the bot: at start, on reload and in /sources', () => {
  let harness: BotHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('warns at start, in one log line with the files, when the index lacks a story file', async () => {
    const config = await builtCorpus();
    writeStory(config.corpusDir, 'aquarium', ['The new aquarium will open on Pier 9 next spring.']);
    const logs: Array<Record<string, unknown>> = [];
    const logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
    const index = await openLiveIndex(config, { logger, embedder, pollMs: 60_000 });
    index.close();
    const warning = logs.find((line) => line['level'] === 40);
    expect(warning).toMatchObject({
      msg: 'The index is behind the corpus: 1 story file is not indexed (aquarium.md); run npm run build-index.',
      notIndexed: ['aquarium.md'],
      gone: [],
      changed: [],
    });
  });

  it('warns after reloading a generation that is behind its corpus, and not after one in step', async () => {
    harness = await startBotHarness();
    const { index, config, logs } = harness;
    const warnings = () => logs.filter((line) => line['level'] === 40).map((line) => line['msg']);
    expect(warnings()).toEqual([]);

    // Another process builds this index folder from a corpus that lacks one of the bot's stories.
    const elsewhere = path.join(tempDir(), 'corpus');
    cpSync(config.corpusDir, elsewhere, { recursive: true });
    rmSync(path.join(elsewhere, 'riverton-bike-lanes.md'));
    await buildIndexFromCorpus({ ...config, corpusDir: elsewhere }, embedder);
    await index.checkNow();
    expect(index.current().retriever.stories).toHaveLength(2);
    expect(warnings()).toEqual(['The index is behind the corpus: 1 story file is not indexed (riverton-bike-lanes.md); run npm run build-index.']);

    await buildIndexFromCorpus(config, embedder);
    await index.checkNow();
    expect(index.current().retriever.stories).toHaveLength(3);
    expect(warnings()).toHaveLength(1);
  });

  it('/sources says when a story file is not indexed yet, and stops saying it once it is', async () => {
    harness = await startBotHarness();
    const { fake, index, config } = harness;
    writeStory(config.corpusDir, 'new_story', ['The new aquarium will open on Pier 9 next spring.']);
    const behind = await fake.sendCommand({ name: 'sources' }).callback();
    // The file name's underscore is escaped, so Discord does not read it as italics.
    expect(behind.data?.content).toBe(
      'I quote from 3 stories (14 paragraphs).\nThe index is behind the corpus: 1 story file is not indexed (new\\_story.md); run npm run build-index.',
    );

    await buildIndexFromCorpus(config, embedder);
    await index.checkNow();
    const caughtUp = await fake.sendCommand({ name: 'sources' }).callback();
    expect(caughtUp.data?.content).toBe('I quote from 4 stories (15 paragraphs).');
  });
});

describe('the terminal: ask, build-index and an add whose index update failed', () => {
  it('ask names a story file the index lacks on stderr; build-index indexes it; ask then quotes it and says nothing', async () => {
    const corpus = path.join(tempDir(), 'corpus');
    cpSync(SHIPPED_CORPUS, corpus, { recursive: true });
    const env = { CORPUS_DIR: corpus, INDEX_DIR: path.join(tempDir(), 'index') };
    const built = await runScript('scripts/build-index.ts', [], { env });
    expect(built.code, built.stderr).toBe(0);

    // What `add-story --no-build`, or one stopped before its index update, leaves.
    writeStory(corpus, 'aquarium', ['The new aquarium will open on Pier 9 next spring, the city announced.'], { title: 'City picks Pier 9 for the new aquarium' });
    const question = ['--json', 'Where will the new aquarium open?'];
    const stale = await runScript('scripts/ask.ts', question, { env });
    expect(stale.code, stale.stderr).toBe(0);
    expect(stale.stderr).toBe('The index is behind the corpus: 1 story file is not indexed (aquarium.md); run npm run build-index.\n');
    // stdout stays one JSON line per question.
    expect(JSON.parse(stale.stdout).passages.map((passage: { source: { id: string } }) => passage.source.id)).not.toContain('aquarium');

    const rebuilt = await runScript('scripts/build-index.ts', [], { env });
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    const current = await runScript('scripts/ask.ts', question, { env });
    // No notice (the one-paragraph story may bring a note that it holds no more passages).
    expect(current.stderr).not.toContain('The index is behind');
    const answer = JSON.parse(current.stdout);
    expect(answer.answered).toBe(true);
    expect(answer.passages[0].text).toBe('The new aquarium will open on Pier 9 next spring, the city announced.');
  });

  it('an add whose index update fails says the story file is written and the index was not, and exits 1', async () => {
    const corpus = path.join(tempDir(), 'corpus');
    mkdirSync(corpus);
    // The index folder cannot be made: a file stands where its parent should be.
    const blocker = path.join(tempDir(), 'not-a-folder');
    writeFileSync(blocker, '');
    const source = path.join(tempDir(), 'aquarium.txt');
    writeFileSync(source, 'The new aquarium will open on Pier 9 next spring, the city announced.\n');
    const run = await runScript(
      'scripts/add-story.ts',
      [source, '--title', 'City picks Pier 9', '--outlet', 'The Test Gazette', '--published', '2024-05-01', '--url', 'https://example.com/aquarium'],
      { env: { CORPUS_DIR: corpus, INDEX_DIR: path.join(blocker, 'index') } },
    );
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n').at(-1)).toBe('The story file is written; the index was not updated: run npm run build-index.');
    expect(run.stdout).toMatch(/^Added /);
  });
});
