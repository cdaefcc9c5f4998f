import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadCoreConfig } from '../config.js';
import { ensureModel } from '../entry/model.js';
import { parseCommandArgs } from '../entry/run.js';
import { UserError } from '../errors.js';
import { openEmbedder } from '../pipeline.js';
import { openReranker, openRetriever } from '../retrieval.js';
import { SEARCH_MODES, evaluateRetriever, parseEvalFile, type EvalMetrics, type EvalQuestion, type Retriever, type SearchMode } from '../search/index.js';
import { formatImportReport, importReport, readExpectedPages } from '../import/evaluation.js';
import { DEFAULT_NEWS_DIR, DEV_STORY_FILE, FIXTURE_MANY_STORY_QUESTIONS, FIXTURE_PAGES, asNewStory, devStory, hasNewsSet, newsSet, pagesRetriever, squadSet, storiesRetriever } from '../eval-sets.js';
import { terminalReporter } from './terminal.js';

/** Our held-out question sets (test/fixtures/eval/SETS.md), measured beside the development sets. */
const HELD_OUT = {
  oneStory: 'test/fixtures/eval/holdout-one.jsonl',
  nearTopicOneStory: 'test/fixtures/eval/near-topic-one.jsonl',
  offTopic: 'test/fixtures/eval/off-topic.jsonl',
  manyStories: 'test/fixtures/eval/holdout-many.jsonl',
};

/** The development question set (a copy of the team's shared/eval/dev.jsonl), so eval works from any clone. */
export const DEFAULT_EVAL_FILE = 'test/fixtures/eval/dev.jsonl';
/**
 * Everyday questions in twelve languages that none of XQuAD's articles answers (each line's
 * `language` says which): asked of each SQuAD-format set in its language, so its report shows
 * off-topic questions refused beside answerable ones wrongly refused (test/fixtures/eval/SETS.md).
 */
export const OFF_TOPIC_LANGUAGES_FILE = 'test/fixtures/eval/off-topic-languages.jsonl';

const USAGE =
  'usage: npm run eval -- [--file F] [--news DIR|none] [--mode all|dense|bm25|hybrid|rrf] [--json], npm run eval -- --squad FILE.json [--squad …] [--mode …] [--json], or npm run eval -- --import pages.jsonl [--json]';

interface EvalSet {
  name: string;
  /** What the questions were asked of, as the report names it. */
  corpus: string;
  questions: EvalQuestion[];
  retriever: Retriever;
  stories: number;
}

/**
 * `npm run eval`: Recall@1/3, MRR and refusal figures by mode, on the one-story dev set (over
 * the story it asks about, alone), our many-story set (that story and our fixture pages) and,
 * when the team's news-dev set is beside the project, on its pages too (from their expected
 * paragraphs, and through add-story's importer): the same corpora for everyone, whatever
 * CORPUS_DIR holds. `--file F` evaluates one question file on the configured corpus.
 * `--import pages.jsonl`: how well story import takes text and attribution.
 */
export async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    {
      args: argv,
      options: {
        file: { type: 'string' },
        news: { type: 'string' },
        mode: { type: 'string', default: 'all' },
        json: { type: 'boolean', default: false },
        import: { type: 'string' },
        squad: { type: 'string', multiple: true },
      },
    },
    USAGE,
  );
  if (values.import !== undefined) {
    const report = importReport(values.import, await readExpectedPages(values.import));
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatImportReport(report)}\n`);
    return 0;
  }
  const modes = values.mode === 'all' ? [...SEARCH_MODES] : values.mode.split(',') as SearchMode[];
  if (!modes.every((mode) => SEARCH_MODES.includes(mode))) throw new UserError(`--mode must be all or one or more (comma-separated) of ${SEARCH_MODES.join(', ')}.`);
  if (values.squad?.length) return squadCommand(values.squad, values.mode === 'all' ? ['hybrid', 'dense', 'bm25'] : modes, values.json);
  const file = values.file ?? DEFAULT_EVAL_FILE;
  const questions = await readQuestions(file);
  // The news-dev sets unless a question file of one's own was asked for (or --news none).
  const newsDir = values.news ?? (values.file ? 'none' : DEFAULT_NEWS_DIR);
  const withNews = newsDir !== 'none' && hasNewsSet(newsDir);
  if (newsDir !== 'none' && !withNews && values.news) throw new UserError(`${newsDir} has no pages.jsonl and questions.jsonl: pass the news-dev folder with --news, or --news none.`);

  const config = loadCoreConfig();
  const reporter = terminalReporter('Embedding');
  await ensureModel(config, reporter);
  const embedder = await openEmbedder(config);
  const reranker = await openReranker(config);
  const sets: EvalSet[] = [];
  const shipped = values.file ? undefined : await devStory();
  if (values.file) {
    // Your questions, on your corpus and its index (built if there is none).
    const { retriever } = await openRetriever(config, { embedder, buildIfMissing: true, reporter });
    sets.push({ name: file, corpus: `your corpus (${config.corpusDir})`, questions, retriever, stories: retriever.stories.length });
  } else {
    const dev = await storiesRetriever([asNewStory(shipped!)], `dev:${path.resolve(DEV_STORY_FILE)}`, config, embedder, reranker);
    sets.push({ name: file, corpus: `the story it asks about, alone (${DEV_STORY_FILE})`, questions, ...dev });
  }
  if (withNews) {
    for (const kind of ['expected', 'imported'] as const) {
      const news = await pagesRetriever(newsSet(newsDir), kind, config, embedder, shipped ? [shipped] : undefined, reranker);
      const base = shipped ? 'the dev set\'s story' : 'your corpus';
      sets.push({ name: `${newsDir} (${kind === 'expected' ? 'expected paragraphs' : 'through add-story'})`, corpus: `${base} and ${news.pages} news-dev pages`, ...news });
    }
  }
  if (shipped) {
    const ours = await pagesRetriever({ pagesFiles: FIXTURE_PAGES, questionsFile: FIXTURE_MANY_STORY_QUESTIONS }, 'expected', config, embedder, [shipped], reranker);
    sets.push({ name: FIXTURE_MANY_STORY_QUESTIONS, corpus: `the dev set's story and our ${ours.pages} fixture pages`, ...ours });
    // Our held-out sets (written without reading the code), on the same corpora: answerable, near-topic and off-topic.
    const [oneStory, newsDev] = [sets[0]!, withNews ? sets[1] : undefined];
    const heldOut = async (file: string, on: EvalSet, where: string) => sets.push({ ...on, name: `${file} (${where})`, questions: await readQuestions(file) });
    const oursSet = sets.at(-1)!;
    await heldOut(HELD_OUT.oneStory, oneStory, 'one story');
    await heldOut(HELD_OUT.nearTopicOneStory, oneStory, 'one story');
    await heldOut(HELD_OUT.offTopic, oneStory, 'one story');
    if (newsDev) await heldOut(HELD_OUT.offTopic, newsDev, 'news-dev');
    await heldOut(HELD_OUT.manyStories, oursSet, 'our stories');
    await heldOut(HELD_OUT.offTopic, oursSet, 'our stories');
  }
  reporter.info(measuredSets(sets, newsDir, withNews));

  const results: Record<string, Record<string, EvalMetrics>> = {};
  for (const set of sets) {
    results[set.name] = {};
    for (const mode of modes) results[set.name]![mode] = await evaluateRetriever(set.retriever, set.questions, mode);
  }

  if (values.json) {
    const corpora = Object.fromEntries(sets.map((set) => [set.name, { corpus: set.corpus, stories: set.stories }]));
    process.stdout.write(`${JSON.stringify({ model: embedder.modelId, ...(config.rerank ? { rerank: config.rerank } : {}), corpora, sets: results })}\n`);
    return 0;
  }
  for (const set of sets) {
    const byMode = results[set.name]!;
    const first = Object.values(byMode)[0]!;
    process.stdout.write(
      `\n${set.name} on ${set.corpus}: ${set.stories} ${set.stories === 1 ? 'story' : 'stories'}, ${first.answerable} answerable, ${first.unanswerable} unanswerable; model ${embedder.modelId}\n\n`,
    );
    process.stdout.write('| mode | Recall@1 | Recall@3 | MRR | refusal accuracy | wrong refusals | refusal precision | bold on the answer |\n|---|---|---|---|---|---|---|---|\n');
    for (const [mode, m] of Object.entries(byMode)) {
      process.stdout.write(
        `| ${mode} | ${m.recallAt1.toFixed(3)} | ${m.recallAt3.toFixed(3)} | ${m.mrr.toFixed(3)} | ${m.refusalAccuracy.toFixed(3)} | ${m.wrongRefusals} | ${m.refusalPrecision.toFixed(3)} | ${m.boldOnAnswer.toFixed(3)} |\n`,
      );
    }
    for (const [mode, m] of Object.entries(byMode)) {
      if (m.misses.length) process.stdout.write(`\n${mode} misses: ${m.misses.map((miss) => `${miss.id}(rank ${miss.rank ?? '-'}${miss.answered ? '' : ', refused'})`).join(' ')}`);
    }
    process.stdout.write('\n');
  }
  return 0;
}

/** Which sets are measured, in one sentence, and the news-dev set when it was looked for and is not there. */
export function measuredSets(sets: ReadonlyArray<Pick<EvalSet, 'name'>>, newsDir: string, withNews: boolean): string {
  const names = sets.map((set) => set.name);
  const listed = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0];
  const missing = newsDir !== 'none' && !withNews ? ` (no news-dev set at ${newsDir}, the team's: pass it with --news DIR)` : '';
  return `Measuring ${names.length} ${names.length === 1 ? 'set' : 'sets'}: ${listed}${missing}.`;
}

async function readQuestions(file: string): Promise<EvalQuestion[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UserError(`Cannot read the eval file ${file}: pass one with --file.`);
  }
  return parseEvalFile(text, file);
}

/**
 * `npm run eval -- --squad FILE [--squad FILE …]`: each SQuAD-format file (XQuAD's `xquad.de.json`
 * …) made a corpus of its own in a temporary folder (each article a story, each context a
 * paragraph: see `squadSet`), every question asked, and R@1, R@3, MRR and refusals reported per
 * language and mode (hybrid, dense and bm25 unless --mode says otherwise). Every question is
 * answerable, so each refusal is wrong.
 */
async function squadCommand(files: readonly string[], modes: readonly SearchMode[], json: boolean): Promise<number> {
  const config = loadCoreConfig();
  const reporter = terminalReporter('Embedding');
  await ensureModel(config, reporter);
  const embedder = await openEmbedder(config);
  const reranker = await openReranker(config);
  const rows: Array<{ file: string; language: string; stories: number; questions: number; mode: SearchMode; metrics: EvalMetrics }> = [];
  for (const file of files) {
    const set = await squadSet(file);
    reporter.info(`${file}: ${set.stories.length} articles, ${set.questions.length} questions (${set.language})`);
    const { retriever } = await storiesRetriever(set.stories, `squad:${path.resolve(file)}`, config, embedder, reranker);
    const offTopic = offTopicIn(set.language);
    for (const mode of modes) rows.push({ file, language: set.language, stories: set.stories.length, questions: set.questions.length, mode, metrics: await evaluateRetriever(retriever, [...set.questions, ...offTopic], mode) });
  }
  if (json) {
    const summary = rows.map(({ metrics, ...row }) => ({
      ...row,
      recallAt1: metrics.recallAt1,
      recallAt3: metrics.recallAt3,
      mrr: metrics.mrr,
      refused: metrics.wrongRefusals,
      offTopic: metrics.unanswerable,
      offTopicRefused: metrics.rightRefusals,
    }));
    process.stdout.write(`${JSON.stringify({ model: embedder.modelId, ...(config.rerank ? { rerank: config.rerank } : {}), rows: summary })}\n`);
    return 0;
  }
  process.stdout.write(`\nSQuAD-format sets, model ${embedder.modelId}: every question answerable, so every refusal is wrong; off-topic questions in the set's language from ${OFF_TOPIC_LANGUAGES_FILE}\n\n`);
  process.stdout.write('| language | mode | Recall@1 | Recall@3 | MRR | refused | questions | off-topic refused |\n|---|---|---|---|---|---|---|---|\n');
  for (const { language, mode, metrics, questions } of rows) {
    const offTopic = metrics.unanswerable > 0 ? `${metrics.rightRefusals} of ${metrics.unanswerable}` : '—';
    process.stdout.write(`| ${language} | ${mode} | ${metrics.recallAt1.toFixed(3)} | ${metrics.recallAt3.toFixed(3)} | ${metrics.mrr.toFixed(3)} | ${metrics.wrongRefusals} | ${questions} | ${offTopic} |\n`);
  }
  return 0;
}

/** The off-topic questions written in `language` (none for a language the file lacks). */
function offTopicIn(language: string): EvalQuestion[] {
  if (!existsSync(OFF_TOPIC_LANGUAGES_FILE)) return [];
  const lines = readFileSync(OFF_TOPIC_LANGUAGES_FILE, 'utf8').split('\n').filter((line) => line.trim() && (JSON.parse(line) as { language?: string }).language === language);
  return parseEvalFile(lines.join('\n'), OFF_TOPIC_LANGUAGES_FILE);
}
