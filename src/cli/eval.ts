import { readFile } from 'node:fs/promises';
import { loadCoreConfig } from '../config.js';
import { UserError } from '../errors.js';
import { openRetriever } from '../pipeline.js';
import { SEARCH_MODES, evaluateRetriever, parseEvalFile, type EvalMetrics, type SearchMode } from '../search/index.js';
import { formatImportReport, importReport, readExpectedPages } from './eval-import.js';
import { ensureModel } from './model.js';
import { parseCommandArgs } from './run.js';
import { terminalReporter } from './terminal.js';

/** The development question set (a copy of the team's shared/eval/dev.jsonl), so eval works from any clone. */
export const DEFAULT_EVAL_FILE = 'test/fixtures/eval/dev.jsonl';

/**
 * `npm run eval -- [--file F] [--mode M|all] [--json]`: Recall@1/3, MRR and refusal figures;
 * `npm run eval -- --import pages.jsonl`: how well story import takes text and attribution.
 */
export async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    {
      args: argv,
      options: {
        file: { type: 'string', default: DEFAULT_EVAL_FILE },
        mode: { type: 'string', default: 'all' },
        json: { type: 'boolean', default: false },
        import: { type: 'string' },
      },
    },
    'usage: npm run eval -- [--file F] [--mode all|dense|bm25|hybrid|rrf] [--json], or npm run eval -- --import pages.jsonl [--json]',
  );
  if (values.import !== undefined) {
    const report = importReport(values.import, await readExpectedPages(values.import));
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatImportReport(report)}\n`);
    return 0;
  }
  const modes = values.mode === 'all' ? [...SEARCH_MODES] : [values.mode as SearchMode];
  if (!modes.every((mode) => SEARCH_MODES.includes(mode))) throw new UserError(`--mode must be all or one of ${SEARCH_MODES.join(', ')}.`);
  let text: string;
  try {
    text = await readFile(values.file, 'utf8');
  } catch {
    throw new UserError(`Cannot read the eval file ${values.file}: pass one with --file.`);
  }
  const questions = parseEvalFile(text, values.file);

  const config = loadCoreConfig();
  const reporter = terminalReporter('Embedding');
  await ensureModel(config, reporter);
  const { retriever, embedder } = await openRetriever(config, { buildIfMissing: true, reporter });

  const results: Record<string, EvalMetrics> = {};
  for (const mode of modes) {
    results[mode] = await evaluateRetriever(retriever, questions, mode);
  }

  if (values.json) {
    process.stdout.write(`${JSON.stringify({ file: values.file, model: embedder.modelId, results })}\n`);
    return 0;
  }
  const first = Object.values(results)[0]!;
  process.stdout.write(`${values.file}: ${first.answerable} answerable, ${first.unanswerable} unanswerable; model ${embedder.modelId}\n\n`);
  process.stdout.write('| mode | Recall@1 | Recall@3 | MRR | refusal accuracy | wrong refusals | refusal precision |\n|---|---|---|---|---|---|---|\n');
  for (const [mode, m] of Object.entries(results)) {
    process.stdout.write(
      `| ${mode} | ${m.recallAt1.toFixed(3)} | ${m.recallAt3.toFixed(3)} | ${m.mrr.toFixed(3)} | ${m.refusalAccuracy.toFixed(3)} | ${m.wrongRefusals} | ${m.refusalPrecision.toFixed(3)} |\n`,
    );
  }
  for (const [mode, m] of Object.entries(results)) {
    if (m.misses.length) process.stdout.write(`\n${mode} misses: ${m.misses.map((miss) => `${miss.id}(rank ${miss.rank ?? '-'}${miss.answered ? '' : ', refused'})`).join(' ')}`);
  }
  process.stdout.write('\n');
  return 0;
}
