import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { toJsonAnswer } from '../answer/json.js';
import { fewerPassagesNote, formatForTerminal, ANSI_STYLE, PLAIN_STYLE } from '../answer/terminal.js';
import { loadCoreConfig } from '../config.js';
import { ensureModel } from '../entry/model.js';
import { parseCommandArgs } from '../entry/run.js';
import { UserError } from '../errors.js';
import { driftSentence, indexDrift } from '../index/index.js';
import { openRetriever } from '../retrieval.js';
import { SEARCH_MODES, type SearchMode } from '../search/index.js';
import { terminalReporter } from './terminal.js';

const USAGE = `Usage: npm run ask -- [options] "question"
       npm run ask -- [options] < questions.txt   (one question per line)

Options:
  --top-k N        passages per answer, 1-10 (default 3)
  --mode M         hybrid (default) | dense | bm25 | rrf
  --story ID       search only this story (its file name, with or without .md)
  --json           one JSON object per question on stdout, nothing else
  -h, --help       this text`;

/** `npm run ask -- "question"`: answers from the terminal, building the index on first use. */
export async function askCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    {
      args: argv,
      allowPositionals: true,
      options: {
        'top-k': { type: 'string', default: '3' },
        mode: { type: 'string', default: 'hybrid' },
        story: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    },
    'see npm run ask -- --help',
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const topK = Number(values['top-k']);
  if (!Number.isInteger(topK) || topK < 1 || topK > 10) throw new UserError('--top-k must be a whole number from 1 to 10.');
  if (!SEARCH_MODES.includes(values.mode as SearchMode)) throw new UserError(`--mode must be one of ${SEARCH_MODES.join(', ')}.`);
  const mode = values.mode as SearchMode;

  const config = loadCoreConfig();
  const reporter = terminalReporter('Embedding');
  await ensureModel(config, reporter);
  // The model loads on this thread: on a worker thread (as add-story does) a year's start was 0.2-0.4 s slower, competing with the graph read for two cores.
  const { retriever, index } = await openRetriever(config, { buildIfMissing: true, reporter });
  // Said, not fixed: ask never writes to an index that exists (see README, "The index is behind").
  const drift = await indexDrift(config.corpusDir, index.manifest);
  if (drift) reporter.info(driftSentence(drift));
  else if (!existsSync(config.corpusDir)) {
    reporter.info(`The corpus folder ${config.corpusDir} does not exist (check CORPUS_DIR): these answers come from the index built before.`);
  }
  // The id as remove-story takes it: the file name, with or without .md (and any folder before it).
  const storyId = values.story === undefined ? undefined : path.basename(values.story.trim()).replace(/\.md$/i, '');
  if (storyId !== undefined && !retriever.story(storyId)) {
    throw new UserError(`There is no story "${storyId}" in the index; stories: ${retriever.stories.map((s) => s.id).join(', ')}.`);
  }

  const style = process.stdout.isTTY ? ANSI_STYLE : PLAIN_STYLE;
  const answer = async (question: string) => {
    const result = await retriever.search({ question, mode, topK, storyId });
    process.stdout.write(values.json ? `${JSON.stringify(toJsonAnswer(question, result))}\n` : `${formatForTerminal(question, result, style)}\n\n`);
    const fewer = fewerPassagesNote(result, topK, mode);
    if (fewer) reporter.info(fewer);
  };

  if (positionals.length > 0) {
    await answer(positionals.join(' '));
    return 0;
  }
  if (process.stdin.isTTY) throw new UserError('Give a question, e.g. npm run ask -- "Who was in the meeting?", or pipe questions in, one per line.');
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim()) await answer(line);
  }
  return 0;
}
