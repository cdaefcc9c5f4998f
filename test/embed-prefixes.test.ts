// Hub embedders used as their authors intend: query/passage prefixes by model family, overridable,
// applied by the embedder, and recorded in the index so that an index made with others is rebuilt.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCoreConfig } from '../src/config.js';
import { createEmbedder, embeddingPrefixes } from '../src/embed/index.js';
import { loadIndex, readManifest, currentGeneration } from '../src/index/index.js';
import { buildIndexFromCorpus } from '../src/pipeline.js';
import { openIndex } from '../src/retrieval.js';
import { FIXTURE_CORPUS, tempDir } from './helpers/corpus.js';
import { DEFAULT_MODEL, MODEL_DIR } from './helpers/project.js';

describe('embeddingPrefixes', () => {
  it.each([
    ['Xenova/e5-small-v2', { query: 'query: ', passage: 'passage: ' }],
    ['Xenova/multilingual-e5-small', { query: 'query: ', passage: 'passage: ' }],
    ['Xenova/bge-small-en-v1.5', { query: 'Represent this sentence for searching relevant passages: ', passage: '' }],
    ['nomic-ai/nomic-embed-text-v1.5', { query: 'search_query: ', passage: 'search_document: ' }],
    ['Xenova/all-MiniLM-L6-v2', undefined],
    ['use-lite', undefined],
  ])('knows %s', (model, expected) => {
    expect(embeddingPrefixes(model)).toEqual(expected);
  });

  it('takes EMBED_QUERY_PREFIX / EMBED_PASSAGE_PREFIX over the family\'s, each on its own', () => {
    const config = loadCoreConfig({ EMBED_QUERY_PREFIX: 'question: ' }, '/x');
    expect(embeddingPrefixes('Xenova/e5-small-v2', config.embedPrefixes)).toEqual({ query: 'question: ', passage: 'passage: ' });
    expect(embeddingPrefixes('use-lite', loadCoreConfig({ EMBED_PASSAGE_PREFIX: 'doc: ' }, '/x').embedPrefixes)).toEqual({ query: '', passage: 'doc: ' });
  });
});

describe('an embedder with prefixes', () => {
  it('embeds a question with the query prefix and a passage with the passage prefix', async () => {
    const prefixes = { query: 'query: ', passage: 'passage: ' };
    const [plain, prefixed] = await Promise.all([createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR }), createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR, prefixes })]);
    const text = 'When will the bridge close?';
    const [[asQuery], [asPassage], [queryText], [passageText]] = await Promise.all([
      prefixed.embed([text], 'query'),
      prefixed.embed([text]),
      plain.embed([`query: ${text}`]),
      plain.embed([`passage: ${text}`]),
    ]);
    expect([...asQuery!]).toEqual([...queryText!]);
    expect([...asPassage!]).toEqual([...passageText!]);
    expect(prefixed.modelHash).not.toBe(plain.modelHash);
    expect(prefixed.prefixes).toEqual(prefixes);
  });

  it('records them in the index; an index made with other prefixes is refused in one sentence and rebuilt by build-index', async () => {
    const root = tempDir();
    const config = { ...loadCoreConfig({}, root), corpusDir: FIXTURE_CORPUS, indexDir: path.join(root, 'index') };
    const e5Like = await createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR, prefixes: { query: 'query: ', passage: 'passage: ' } });
    await buildIndexFromCorpus(config, e5Like);
    expect(readManifest(currentGeneration(config.indexDir)!)!.model.prefixes).toEqual({ query: 'query: ', passage: 'passage: ' });
    // Built again with the same prefixes, nothing changed: the index is up to date, not written anew.
    const generation = currentGeneration(config.indexDir);
    expect(await buildIndexFromCorpus(config, e5Like)).toMatchObject({ changed: false, embedded: 0 });
    expect(currentGeneration(config.indexDir)).toBe(generation);

    const plain = await createEmbedder({ modelId: DEFAULT_MODEL, modelDir: MODEL_DIR });
    await expect(openIndex(config, plain)).rejects.toThrow(/^The index was embedded with query "query: ", passage "passage: " but the model now uses no prefixes: .*npm run build-index/);
    const rebuilt = await buildIndexFromCorpus(config, plain);
    expect(rebuilt.embedded).toBeGreaterThan(0);
    const index = loadIndex(config.indexDir, { modelId: plain.modelId, modelHash: plain.modelHash, dimensions: plain.dimensions, efSearch: 64 });
    expect(index.manifest.model.prefixes).toBeUndefined();
  });
});
