// Embedding an added story's paragraphs ahead of the index update (add-story): a prefetched call
// is used only by the identical call, and the calls an append makes are the ones add-story predicts.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCoreConfig } from '../src/config.js';
import type { Embedder } from '../src/embed/index.js';
import { prefetchingEmbedder } from '../src/embed/prefetch.js';
import { appendEmbedCalls } from '../src/index/embedding.js';
import { buildIndexFromCorpus } from '../src/pipeline.js';
import { tempDir, writeStory } from './helpers/corpus.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';

/** `embedder`, recording each call's texts and kind. */
function recording(embedder: Embedder): Embedder & { calls: Array<{ texts: string[]; kind: string }> } {
  const calls: Array<{ texts: string[]; kind: string }> = [];
  return { ...embedder, calls, embed: (texts, kind = 'passage') => (calls.push({ texts: [...texts], kind }), embedder.embed(texts, kind)) };
}

describe('prefetchingEmbedder', () => {
  it('hands a prefetched result to the identical passage call only, once', async () => {
    const inner = recording(fakeEmbedder());
    const ahead = prefetchingEmbedder(inner);
    ahead.prefetch(['Lavrov met Trump.', 'A photographer was there.']);
    expect(inner.calls).toHaveLength(1);
    const vectors = await ahead.embed(['Lavrov met Trump.', 'A photographer was there.']);
    expect(inner.calls).toHaveLength(1);
    expect(vectors.map((vector) => Array.from(vector))).toEqual((await fakeEmbedder().embed(['Lavrov met Trump.', 'A photographer was there.'])).map((vector) => Array.from(vector)));
    // Used up; another order, or a question, is embedded as asked.
    await ahead.embed(['Lavrov met Trump.', 'A photographer was there.']);
    ahead.prefetch(['b', 'a']);
    await ahead.embed(['a', 'b']);
    await ahead.embed(['b', 'a'], 'query');
    expect(inner.calls.map((call) => call.texts.join('|') + ':' + call.kind)).toEqual([
      'Lavrov met Trump.|A photographer was there.:passage',
      'Lavrov met Trump.|A photographer was there.:passage',
      'b|a:passage',
      'a|b:passage',
      'b|a:query',
    ]);
  });

  it('predicts the embed calls an index update makes when it appends a new story, so an add embeds nothing twice', async () => {
    const root = tempDir();
    const config = { ...loadCoreConfig({}, tempDir()), corpusDir: path.join(root, 'corpus'), indexDir: path.join(root, 'index') };
    writeStory(config.corpusDir, 'alpha', ['Lavrov met Trump in the Oval Office.', 'The photographer was Russian.']);
    await buildIndexFromCorpus(config, fakeEmbedder());

    // Lengths out of order, and more than one chunk's worth would need 256: order is what matters here.
    const paragraphs = ['A much longer paragraph about the ferry schedule and its late sailings to the island.', 'Short one.', 'A middling paragraph on fares.', 'Tiny.'];
    writeStory(config.corpusDir, 'ferry', paragraphs);
    const inner = recording(fakeEmbedder());
    const ahead = prefetchingEmbedder(inner);
    for (const texts of appendEmbedCalls([{ paragraphs }])) ahead.prefetch(texts);
    const report = await buildIndexFromCorpus(config, ahead);
    expect(report).toMatchObject({ appended: true, embedded: 4 });
    // Passages: the one prefetched call. (The corpus grew by two thirds, so the refusal's background questions were measured again.)
    expect(inner.calls.filter((call) => call.kind === 'passage')).toEqual([{ texts: ['Tiny.', 'Short one.', 'A middling paragraph on fares.', paragraphs[0]], kind: 'passage' }]);
  });
});
