import { loadCoreConfig } from '../config.js';
import { ensureModel } from '../entry/model.js';
import { parseCommandArgs } from '../entry/run.js';
import { buildIndexFromCorpus, openEmbedder } from '../pipeline.js';
import { terminalReporter } from './terminal.js';

/** `npm run build-index [-- --force]`: embeds what changed in corpus/ and swaps the new index in. */
export async function buildIndexCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs({ args: argv, options: { force: { type: 'boolean', default: false } } }, 'usage: npm run build-index -- [--force]');
  const config = loadCoreConfig();
  const reporter = terminalReporter('Embedding');
  const started = performance.now();
  await ensureModel(config, reporter);
  const embedder = await openEmbedder(config, { lazy: true });
  const report = await buildIndexFromCorpus(config, embedder, reporter, { force: values.force });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const what = `${report.paragraphs} paragraphs from ${report.stories} ${report.stories === 1 ? 'story' : 'stories'}`;
  reporter.info(
    report.changed
      ? `Index built in ${seconds} s: ${what}; ${report.embedded} embedded, ${report.reused} reused (${report.dir}).`
      : `Index is up to date (${seconds} s): ${what}; 0 embedded, ${report.reused} reused.`,
  );
  return 0;
}
