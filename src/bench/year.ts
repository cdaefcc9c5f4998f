// `npm run bench -- --stories N`: the whole pipeline on a synthetic year of news (N stories):
// full build, adding one story, an unchanged rebuild, the commands as whole processes (ask,
// add-story, build-index, remove-story), cold start, warm answers, memory, autocomplete, Discord
// replies and answer quality.
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { storyChoices } from '../answer/discord.js';
import type { CoreConfig } from '../config.js';
import { renderStory, writeStoryFile } from '../corpus/index.js';
import type { Embedder } from '../embed/index.js';
import { currentGeneration, indexDrift, readManifest } from '../index/index.js';
import { buildIndexFromCorpus } from '../pipeline.js';
import { createRetriever, openIndex } from '../retrieval.js';
import { evaluateRetriever } from '../search/index.js';
import { runChild, scriptArgs, timeCommand } from './processes.js';
import { latency, median } from './stats.js';
import { syntheticQuestions, syntheticStories, writeSyntheticCorpus } from './synthetic-news.js';

export interface YearReport {
  stories: number;
  paragraphs: number;
  buildParagraphsPerSec: number;
  buildMs: number;
  addOneStoryMs: number;
  unchangedMs: number;
  /** Whether the index is behind the corpus folder (ask, the bot at start and on reload, /sources): a readdir and a stat per file. */
  behindCheckMs: number;
  coldStartMs: number;
  /** Whole processes, as a user waits for them (npm's own ~0.3 s aside): `ask`, `add-story` of a story file, `build-index` with nothing changed, `remove-story`. */
  coldAskCommandMs: number;
  addStoryCommandMs: number;
  unchangedCommandMs: number;
  removeOneStoryMs: number;
  /** A bot process started until its first /ask is answered, on the fake Discord. */
  botFirstAnswerMs: number;
  warm: { p50Ms: number; p95Ms: number };
  rssMb: number;
  autocompleteP95Ms: number;
  discordP95Ms: number | null;
  eval: { recallAt3: number; mrr: number; refused: number; unanswerable: number; wrongRefusals: number };
}

export interface YearBenchOptions {
  stories: number;
  /** Where the corpus and index are written (a temporary folder). */
  work: string;
  config: CoreConfig;
  embedder: Embedder;
  questions: number;
  asks: number;
  rounds: number;
  log: (line: string) => void;
}

export async function runYearBench(options: YearBenchOptions): Promise<YearReport> {
  const { embedder, log } = options;
  const config: CoreConfig = { ...options.config, corpusDir: path.join(options.work, 'year-corpus'), indexDir: path.join(options.work, 'year-index') };
  log(`year: writing ${options.stories} synthetic stories`);
  const written = await writeSyntheticCorpus(config.corpusDir, { stories: options.stories });

  log(`year: building the index of ${written.paragraphs} paragraphs (the embedding is most of it)`);
  let started = performance.now();
  await buildIndexFromCorpus(config, embedder);
  const buildMs = performance.now() - started;

  // Timed in a fresh process, as `add-story` and a running bot add a story (from loading the corpus to the
  // index switched; the model load before it is not counted): this process still holds the full build.
  log('year: adding one story (a fresh process)');
  const env = { INDEX_DIR: config.indexDir, CORPUS_DIR: config.corpusDir, MODEL_DIR: config.modelDir, EMBED_MODEL: config.embedModel };
  const extra = [...syntheticStories({ stories: 1, seed: 99, startDate: '2026-01-01' })][0]!;
  await writeStoryFile(config.corpusDir, `${extra.id}-added`, renderStory(extra));
  const { ms: addOneStoryMs } = JSON.parse(await runChild([...scriptArgs('scripts/bench.ts'), '--child', 'update'], env)) as { ms: number };

  started = performance.now();
  await buildIndexFromCorpus(config, embedder);
  const unchangedMs = performance.now() - started;

  const manifest = readManifest(currentGeneration(config.indexDir)!)!;
  const behindChecks: number[] = [];
  for (let round = 0; round < 11; round++) {
    started = performance.now();
    if (await indexDrift(config.corpusDir, manifest)) throw new Error('The year index is behind its corpus right after a rebuild.');
    behindChecks.push(performance.now() - started);
  }

  log('year: the commands as whole processes (compiled, or tsx as this bench runs)');
  const { totalMs: unchangedCommandMs } = await timeCommand(scriptArgs('scripts/build-index.ts'), env);
  const questions = syntheticQuestions({ stories: options.stories, count: options.questions });
  const coldAsk = await timeCommand([...scriptArgs('scripts/ask.ts'), '--json', questions[0]?.question ?? 'What happened?'], env);
  if (coldAsk.firstLineMs === undefined) throw new Error('scripts/ask.ts --json printed no answer.');
  const cold = [coldAsk.firstLineMs];
  const another = [...syntheticStories({ stories: 1, seed: 98, startDate: '2026-01-02' })][0]!;
  const anotherFile = path.join(options.work, 'another-story.md');
  await writeFile(anotherFile, renderStory(another));
  const { totalMs: addStoryCommandMs } = await timeCommand([...scriptArgs('scripts/add-story.ts'), anotherFile], env);
  const { totalMs: removeOneStoryMs } = await timeCommand([...scriptArgs('scripts/remove-story.ts'), `${extra.id}-added`], env);
  const { timeBotFirstAnswer } = await import('./discord.js');
  const botFirstAnswerMs = await timeBotFirstAnswer(env, questions[0]?.question ?? 'What happened?');

  log('year: warm answers, memory, autocomplete');
  const retriever = createRetriever(await openIndex(config, embedder), embedder);
  for (const question of questions) await retriever.search({ question: question.question });
  const warm: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const question of questions) {
      const at = performance.now();
      await retriever.search({ question: question.question });
      warm.push(performance.now() - at);
    }
  }
  const memory = JSON.parse(await runChild([...scriptArgs('scripts/bench.ts'), '--child', 'rss', '--file', await questionsFile(options.work, questions)], env)) as { rssMb: number };

  const stories = retriever.stories;
  const typed = stories.filter((_, i) => i % Math.max(1, Math.floor(stories.length / 200)) === 0).map((story, i) => story.title.split(' ').slice(0, 1 + (i % 3)).join(' ').toLowerCase());
  const autocomplete: number[] = [];
  for (const text of typed) {
    const at = performance.now();
    storyChoices(stories, text);
    autocomplete.push(performance.now() - at);
  }

  let discordP95Ms: number | null = null;
  if (options.asks > 0) {
    log(`year: ${options.asks} /ask against the fake Discord`);
    const { runDiscordBench } = await import('./discord.js');
    const discord = await runDiscordBench({ config, embedder, questions: questions.map((q) => q.question), asks: options.asks });
    discordP95Ms = discord.p95Ms;
  }

  log('year: answer quality on the synthetic questions');
  const metrics = await evaluateRetriever(retriever, questions, 'hybrid');
  return {
    // One story added by the update child and removed again by remove-story, one added by add-story.
    stories: written.stories + 1,
    paragraphs: written.paragraphs + another.paragraphs.length,
    buildParagraphsPerSec: written.paragraphs / (buildMs / 1000),
    buildMs,
    addOneStoryMs,
    unchangedMs,
    behindCheckMs: median(behindChecks),
    coldStartMs: median(cold),
    coldAskCommandMs: coldAsk.totalMs,
    addStoryCommandMs,
    unchangedCommandMs,
    removeOneStoryMs,
    botFirstAnswerMs,
    warm: { p50Ms: latency(warm).p50Ms, p95Ms: latency(warm).p95Ms },
    rssMb: memory.rssMb,
    autocompleteP95Ms: latency(autocomplete).p95Ms,
    discordP95Ms,
    eval: {
      recallAt3: metrics.recallAt3,
      mrr: metrics.mrr,
      refused: metrics.rightRefusals,
      unanswerable: metrics.unanswerable,
      wrongRefusals: metrics.wrongRefusals,
    },
  };
}

/** The questions as an eval file for the memory child (it answers them as `npm run ask` would). */
async function questionsFile(work: string, questions: ReadonlyArray<{ id: string; question: string; answers: string[] }>): Promise<string> {
  const file = path.join(work, 'year-questions.jsonl');
  await appendFile(file, questions.map((q) => JSON.stringify({ id: q.id, question: q.question, answers: q.answers })).join('\n') + '\n');
  return file;
}
