import { readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCoreConfig } from '../src/config.js';
import { currentGeneration, loadIndex } from '../src/index/index.js';
import { buildIndexFromCorpus } from '../src/pipeline.js';
import { createRetriever, openRetriever } from '../src/retrieval.js';
import { LEXICAL_FILE, Retriever, TERMS_FILE, readPreparedSearch } from '../src/search/index.js';
import { loadEnglishWords } from '../src/search/dictionary.js';
import { contentTerms } from '../src/search/text.js';
import { copyFixtureCorpus, tempDir, writeStory } from './helpers/corpus.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';

/** The fixture corpus (three stories) copied and indexed with a fake embedder. */
async function fixtureIndex() {
  const embedder = fakeEmbedder();
  const config = { ...loadCoreConfig({}, tempDir()), corpusDir: copyFixtureCorpus() };
  await buildIndexFromCorpus(config, embedder);
  return { embedder, config };
}

/** What loading an index built with `embedder` expects of it. */
function expected(embedder: ReturnType<typeof fakeEmbedder>) {
  return { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: 64 };
}

describe('search files stored with the index', () => {
  it('are written into the generation, give the same answers as deriving them, and are size-checked', async () => {
    const { embedder, config } = await fixtureIndex();
    const dir = currentGeneration(config.indexDir)!;
    const expectation = expected(embedder);
    const index = loadIndex(config.indexDir, expectation);
    expect(Object.keys(index.manifest.files)).toEqual(expect.arrayContaining([LEXICAL_FILE, TERMS_FILE]));
    const prepared = readPreparedSearch(dir, index.paragraphs, index.stories.length);
    expect(prepared).toBeDefined();
    // Each story's stored terms are the content terms of its paragraphs.
    index.stories.forEach((story, i) => {
      const expected = new Set(index.paragraphs.filter((p) => p.storyId === story.id).flatMap((p) => contentTerms(p.text)));
      expect(prepared!.storyTerms.of(i)).toEqual(expected);
    });

    const fromFiles = createRetriever(index, embedder);
    const fromTexts = new Retriever(index, embedder, { dictionary: loadEnglishWords() });
    for (const question of ['How much will the bike lanes cost?', 'Who cut the ribbon at the library?', 'When does the bridge close?', 'wen dose the brige close']) {
      const [a, b] = [await fromFiles.search({ question, topK: 5 }), await fromTexts.search({ question, topK: 5 })];
      expect(a.passages.map((p) => [p.label, p.score])).toEqual(b.passages.map((p) => [p.label, p.score]));
      expect(a.outcome).toEqual(b.outcome);
    }
    // Files that do not fit the paragraphs are not used.
    expect(readPreparedSearch(dir, [...index.paragraphs, { text: "one more" }], index.stories.length)).toBeUndefined();
    truncateSync(path.join(dir, LEXICAL_FILE), 10);
    expect(() => loadIndex(config.indexDir, expectation)).toThrow(/lexical\.bin is missing or damaged.*npm run build-index/);
  });

  it('follow appends and removals by graph label, and answer as deriving them from the texts does', async () => {
    const { embedder, config } = await fixtureIndex();
    const paragraphs = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `The ${prefix} council met on item ${i} and voted on the ${prefix}${i} plan.`);
    // 600 paragraphs: more than a start indexes itself, so the BM25 index is written with them.
    for (let i = 0; i < 12; i++) writeStory(config.corpusDir, `zz-batch-${i}`, paragraphs(`harbour${i}x`, 50));
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ appended: true });
    // A removal keeps the others' labels (the positions after it close up); an append after it takes the next labels.
    rmSync(path.join(config.corpusDir, 'zz-batch-3.md'));
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ updatedInPlace: true, embedded: 0 });
    // 20 more are left for a start to index: the file is the previous one.
    const lexicalBefore = statSync(path.join(currentGeneration(config.indexDir)!, LEXICAL_FILE)).ino;
    writeStory(config.corpusDir, 'zz-orchard', paragraphs('orchard', 20));
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ appended: true, embedded: 20 });
    expect(statSync(path.join(currentGeneration(config.indexDir)!, LEXICAL_FILE)).ino).toBe(lexicalBefore);

    const index = loadIndex(config.indexDir, expected(embedder));
    expect(index.labels).toBeDefined();
    const prepared = readPreparedSearch(index.dir, index.paragraphs, index.stories.length, index.labels);
    expect(prepared).toBeDefined();
    // Read without the label map, the stored index does not fit the positions.
    expect(readPreparedSearch(index.dir, index.paragraphs, index.stories.length)).toBeUndefined();
    const fromFiles = createRetriever(index, embedder);
    const fromTexts = new Retriever(index, embedder, { dictionary: loadEnglishWords() });
    for (const question of ['What was voted on in harbour7x45?', 'What happened to the orchard12 plan?', 'What about harbour3x4?', 'harbour11x49 council vote', 'Who cut the ribbon at the library?']) {
      for (const mode of ['bm25', 'hybrid'] as const) {
        const [a, b] = [await fromFiles.search({ question, topK: 5, mode }), await fromTexts.search({ question, topK: 5, mode })];
        expect(a.passages.map((p) => [p.paragraph.id, p.score.toFixed(9)])).toEqual(b.passages.map((p) => [p.paragraph.id, p.score.toFixed(9)]));
        expect(a.outcome).toEqual(b.outcome);
      }
    }
  });
});

describe('search files made by an older version', () => {
  it('are made anew by the next build, without embedding again, and answer as deriving them does', async () => {
    const { embedder, config } = await fixtureIndex();
    const before = currentGeneration(config.indexDir)!;
    // As an older version wrote it: another version number (its terms were made another way).
    const file = path.join(before, TERMS_FILE);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"version":\d+/, '"version":1'));
    const index = loadIndex(config.indexDir, expected(embedder));
    expect(readPreparedSearch(before, index.paragraphs, index.stories.length)).toBeUndefined();
    // Opening it still answers, and says how to start faster.
    const said: string[] = [];
    const { retriever } = await openRetriever(config, { embedder, reporter: { info: (text) => said.push(text) } });
    expect((await retriever.search({ question: 'How much will the bike lanes cost?' })).outcome.kind).toBe('answered');
    expect(said.join('\n')).toMatch(/older version.*npm run build-index/);

    const report = await buildIndexFromCorpus(config, embedder);
    expect(report).toMatchObject({ changed: true, embedded: 0 });
    const after = currentGeneration(config.indexDir)!;
    expect(after).not.toBe(before);
    const rebuilt = loadIndex(config.indexDir, expected(embedder));
    expect(readPreparedSearch(after, rebuilt.paragraphs, rebuilt.stories.length)).toBeDefined();
    // And the build after that has nothing to do; opening says nothing more.
    expect(await buildIndexFromCorpus(config, embedder)).toMatchObject({ changed: false });
    said.length = 0;
    await openRetriever(config, { embedder, reporter: { info: (text) => said.push(text) } });
    expect(said).toEqual([]);
  });
});
