// The news desk's removal is all or nothing: when the index rebuild (or the swap to it) fails,
// the story file is put back as it was, so the story is never gone from disk while still
// answered from the index.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCoreConfig, type CoreConfig } from '../src/config.js';
import { NewsDesk } from '../src/desk/news-desk.js';
import type { Embedder } from '../src/embed/index.js';
import { CURRENT_FILE } from '../src/index/index.js';
import { createLogger } from '../src/log.js';
import { buildIndexFromCorpus } from '../src/pipeline.js';
import { copyFixtureCorpus, tempDir } from './helpers/corpus.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';

const STORY = 'riverton-bike-lanes';

async function builtCorpus(): Promise<CoreConfig> {
  const config = { ...loadCoreConfig({}, tempDir()), corpusDir: copyFixtureCorpus(), indexDir: path.join(tempDir(), 'index') };
  await buildIndexFromCorpus(config, fakeEmbedder());
  return config;
}

const files = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]));

describe('NewsDesk.remove when the rebuild fails', () => {
  it('the index cannot be rebuilt (the model fails): the story file is back, byte for byte, and CURRENT unchanged', async () => {
    const config = await builtCorpus();
    const before = files(config.corpusDir);
    const pointer = readFileSync(path.join(config.indexDir, CURRENT_FILE), 'utf8');
    // Another model than the index's: the rebuild must embed everything, and embedding fails.
    const failing: Embedder = { ...fakeEmbedder({ modelHash: 'another-model' }), embed: async () => Promise.reject(new Error('the embedding model ran out of memory')) };
    const desk = new NewsDesk(config, { embedder: failing, checkNow: async () => {} }, { allowPrivate: false }, createLogger('silent'));
    await expect(desk.remove(STORY, { userId: '1' })).rejects.toThrow(/ran out of memory/);
    expect(files(config.corpusDir)).toEqual(before);
    expect(readFileSync(path.join(config.indexDir, CURRENT_FILE), 'utf8')).toBe(pointer);
  });

  it('the new index cannot be swapped in: the story file is back, byte for byte', async () => {
    const config = await builtCorpus();
    const before = files(config.corpusDir);
    expect(before).toHaveProperty(`${STORY}.md`);
    const desk = new NewsDesk(
      config,
      { embedder: fakeEmbedder(), checkNow: async () => Promise.reject(new Error('the new generation would not load')) },
      { allowPrivate: false },
      createLogger('silent'),
    );
    await expect(desk.remove(STORY, { userId: '1' })).rejects.toThrow(/would not load/);
    expect(files(config.corpusDir)).toEqual(before);
  });

  it('and the control: a removal that works leaves the file gone', async () => {
    const config = await builtCorpus();
    const desk = new NewsDesk(config, { embedder: fakeEmbedder(), checkNow: async () => {} }, { allowPrivate: false }, createLogger('silent'));
    await desk.remove(STORY, { userId: '1' });
    expect(files(config.corpusDir)).not.toHaveProperty(`${STORY}.md`);
  });
});
