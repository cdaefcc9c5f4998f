// What add-story and remove-story run after changing the corpus: a module of its own, so that
// remove-story does not load the page importer (linkedom, the feed parser: ~0.4 s of modules).
import type { CoreConfig } from '../config.js';
import type { Embedder } from '../embed/index.js';
import { ensureModel } from '../entry/model.js';
import { buildIndexFromCorpus, openEmbedder } from '../pipeline.js';
import { terminalReporter } from './terminal.js';

/**
 * Brings the index up to date with the corpus folder: only new paragraphs are embedded, and the
 * model loads only if there are some (or is already loading: `embedder`, see `startEmbedder`).
 */
export async function updateIndex(config: CoreConfig, options: { embedder?: Promise<Embedder> } = {}): Promise<void> {
  const reporter = terminalReporter('Embedding');
  const started = performance.now();
  let embedder: Embedder;
  if (options.embedder) embedder = await options.embedder;
  else {
    await ensureModel(config, reporter);
    embedder = await openEmbedder(config, { lazy: true });
  }
  const report = await buildIndexFromCorpus(config, embedder, reporter);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  reporter.info(`Index updated in ${seconds} s: ${report.embedded} paragraphs embedded, ${report.reused} reused; ${report.stories} ${report.stories === 1 ? 'story' : 'stories'} can be asked about.`);
}
