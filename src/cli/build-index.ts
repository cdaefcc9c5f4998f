import { existsSync, readdirSync } from 'node:fs';
import { loadCoreConfig } from '../config.js';
import { ensureModel } from '../entry/model.js';
import { parseCommandArgs } from '../entry/run.js';
import { buildIndexFromCorpus, openEmbedder } from '../pipeline.js';
import { terminalReporter } from './terminal.js';

/**
 * Runs the build; Ctrl-C or SIGTERM during it ends the process (130, 143) with a sentence on what
 * was kept: the paragraphs embedded so far are in the checkpoint the next build resumes from
 * (src/index/checkpoint.ts); the index in use is unchanged (CURRENT switches last).
 */
async function whileStoppable<T>(build: () => Promise<T>, indexDir: string): Promise<T> {
  const stopped = (signal: NodeJS.Signals) => {
    const checkpoint = existsSync(indexDir) && readdirSync(indexDir).some((name) => name.startsWith('.embedded-'));
    process.stderr.write(
      checkpoint
        ? `\nStopped (${signal}): the paragraphs embedded so far are kept in a checkpoint in ${indexDir}, and npm run build-index carries on from there.\n`
        : `\nStopped (${signal}) before anything was embedded: run npm run build-index again.\n`,
    );
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', stopped);
  process.once('SIGTERM', stopped);
  try {
    return await build();
  } finally {
    process.off('SIGINT', stopped);
    process.off('SIGTERM', stopped);
  }
}

/** `npm run build-index [-- --force]`: embeds what changed in corpus/ and swaps the new index in. */
export async function buildIndexCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs({ args: argv, options: { force: { type: 'boolean', default: false } } }, 'usage: npm run build-index -- [--force]');
  const config = loadCoreConfig();
  const reporter = terminalReporter('Embedding');
  const started = performance.now();
  await ensureModel(config, reporter);
  const embedder = await openEmbedder(config, { lazy: true });
  const report = await whileStoppable(() => buildIndexFromCorpus(config, embedder, reporter, { force: values.force }), config.indexDir);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const what = `${report.paragraphs} paragraphs from ${report.stories} ${report.stories === 1 ? 'story' : 'stories'}`;
  reporter.info(
    report.changed
      ? `Index built in ${seconds} s: ${what}; ${report.embedded} embedded, ${report.reused} reused (${report.dir}).`
      : `Index is up to date (${seconds} s): ${what}; 0 embedded, ${report.reused} reused.`,
  );
  return 0;
}
