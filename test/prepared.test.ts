import { truncateSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCoreConfig } from '../src/config.js';
import { currentGeneration, loadIndex } from '../src/index/index.js';
import { buildIndexFromCorpus, createRetriever } from '../src/pipeline.js';
import { LEXICAL_FILE, Retriever, TERMS_FILE, readPreparedSearch } from '../src/search/index.js';
import { loadEnglishWords } from '../src/search/dictionary.js';
import { contentTerms } from '../src/search/text.js';
import { copyFixtureCorpus, tempDir } from './helpers/corpus.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';

describe('search files stored with the index', () => {
  it('are written into the generation, give the same answers as deriving them, and are size-checked', async () => {
    const embedder = fakeEmbedder();
    const config = { ...loadCoreConfig({}, tempDir()), corpusDir: copyFixtureCorpus() };
    await buildIndexFromCorpus(config, embedder);
    const dir = currentGeneration(config.indexDir)!;
    const expectation = { modelId: embedder.modelId, modelHash: embedder.modelHash, dimensions: embedder.dimensions, efSearch: 64 };
    const index = loadIndex(config.indexDir, expectation);
    expect(Object.keys(index.manifest.files)).toEqual(expect.arrayContaining([LEXICAL_FILE, TERMS_FILE]));
    const prepared = readPreparedSearch(dir, index.paragraphs.map((p) => p.text), index.stories.length);
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
    expect(readPreparedSearch(dir, [...index.paragraphs.map((p) => p.text), "one more"], index.stories.length)).toBeUndefined();
    truncateSync(path.join(dir, LEXICAL_FILE), 10);
    expect(() => loadIndex(config.indexDir, expectation)).toThrow(/lexical\.json is missing or damaged.*npm run build-index/);
  });
});
