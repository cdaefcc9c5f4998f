import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PLAIN_STYLE, formatForTerminal } from '../answer/terminal.js';
import { PROJECT_ROOT, runChild, scriptArgs, timeCommand } from '../bench/processes.js';
import { runYearBench, type YearReport } from '../bench/year.js';
import { VECTOR_KINDS, runScaleBench, type ScaleReport, type VectorKind } from '../bench/scale.js';
import { latency, median, type Latency } from '../bench/stats.js';
import { DEFAULT_EF_SEARCH, DEFAULT_RERANK_CANDIDATES, loadCoreConfig, type CoreConfig } from '../config.js';
import { RERANK_SHAPES, runRerankBench } from '../bench/rerank.js';
import { ensureModel } from '../entry/model.js';
import { parseCommandArgs } from '../entry/run.js';
import { UserError } from '../errors.js';
import { DEFAULT_HNSW } from '../index/vector-store.js';
import { buildIndexFromCorpus, openEmbedder } from '../pipeline.js';
import { createRetriever, openIndex, openRetriever } from '../retrieval.js';
import { Retriever, parseEvalFile } from '../search/index.js';
import { DEFAULT_EVAL_FILE } from './eval.js';
import { terminalReporter } from './terminal.js';


const USAGE = `Usage: npm run bench -- [options]

Measures the story's answer path (warm, cold start, index build, memory, Discord) and HNSW
against exact search on synthetic vectors at scale.

Options:
  --stories N        also run the whole pipeline on a synthetic year of N stories
                     (3650 ≈ a year, 100k paragraphs; default 0 = skip, 15 with --quick)
  --scale N          synthetic vectors for the scale run (default 100000; 0 skips it)
  --vectors KIND     clustered | uniform | both (default clustered)
  --rounds N         passes over the dev questions for the warm figures (default 5)
  --asks N           /ask interactions against the fake Discord (default 100; 0 skips)
  --file F           questions, one JSON object a line (default ${DEFAULT_EVAL_FILE})
  --rerank NAME      only the re-ranker's latency, 20 (question, paragraph) pairs per
                     question: minilm-l6 (ms-marco-MiniLM-L-6-v2's shape, int8 and float32)
                     or ms-marco-l12 (the real ms-marco-MiniLM-L-12-v2, int8; fetched once)
  --quick            small N and few rounds (a smoke test: figures are not meaningful)
  --json             print the report as one JSON object, the last line of stdout
  -h, --help         this text`;

export interface BenchOptions {
  stories: number;
  scale: number;
  vectors: VectorKind[];
  rounds: number;
  asks: number;
  coldRuns: number;
  scaleQueries: number;
  evalFile: string;
  quick: boolean;
}

export interface BenchReport {
  machine: { cpus: number; cpuModel: string; node: string; platform: string; totalMemMb: number };
  quick: boolean;
  model: { id: string; loadMs: number };
  hnsw: { M: number; efConstruction: number; efSearch: number };
  /** Process start to the first answer line of `scripts/ask.ts --json "…"`, compiled or under tsx as the bench runs (median of runs). */
  coldStartMs: number;
  coldStartRunsMs: number[];
  /** The same runs to the process's exit: the whole `npm run ask` command minus npm (median). */
  coldAskCommandMs: number;
  warm: Latency & { questions: number; samples: number; embed: Latency; search: Latency; format: Latency };
  build: { paragraphs: number; fullMs: number; unchangedMs: number; paragraphsPerSec: number };
  scale: ScaleReport | null;
  /** Further scale runs (e.g. uniform vectors with --vectors both). */
  scaleOther: ScaleReport[];
  /** Resident memory of a process that loaded the model and the story index and answered the questions. */
  rssMb: number;
  peakRssMb: number;
  discord: (Latency & { asks: number; answered: number }) | null;
  /** The whole pipeline on a synthetic year of news (`--stories N`). */
  year: YearReport | null;
  notes: string[];
}

export function parseBenchArgs(argv: string[]): (BenchOptions & { json: boolean; help: boolean; child?: string; rerank?: string }) {
  const { values } = parseCommandArgs(
    {
      args: argv,
      options: {
        scale: { type: 'string' },
        stories: { type: 'string' },
        vectors: { type: 'string', default: 'clustered' },
        rounds: { type: 'string' },
        asks: { type: 'string' },
        file: { type: 'string', default: DEFAULT_EVAL_FILE },
        quick: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        child: { type: 'string' },
        rerank: { type: 'string' },
      },
    },
    'see npm run bench -- --help',
  );
  const quick = values.quick;
  const whole = (name: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new UserError(`--${name} must be a whole number (0 or more).`);
    return value;
  };
  const vectors = values.vectors === 'both' ? [...VECTOR_KINDS] : [values.vectors as VectorKind];
  if (!vectors.every((kind) => VECTOR_KINDS.includes(kind))) throw new UserError(`--vectors must be both or one of ${VECTOR_KINDS.join(', ')}.`);
  return {
    stories: whole('stories', values.stories, quick ? 15 : 0),
    scale: whole('scale', values.scale, quick ? 2000 : 100_000),
    vectors,
    rounds: Math.max(1, whole('rounds', values.rounds, quick ? 1 : 5)),
    asks: whole('asks', values.asks, quick ? 5 : 100),
    coldRuns: quick ? 1 : 3,
    scaleQueries: quick ? 20 : 200,
    evalFile: values.file,
    quick,
    json: values.json,
    help: values.help,
    child: values.child,
    rerank: values.rerank,
  };
}

/** `npm run bench`: prints a table, or with --json the report as the last line of stdout. */
export async function benchCommand(argv: string[]): Promise<number> {
  const options = parseBenchArgs(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options.child === 'rss') return rssChild(options.evalFile);
  if (options.child === 'update') return updateChild();
  if (options.child !== undefined) throw new UserError(`Unknown --child ${options.child}.`);
  if (options.rerank !== undefined) return rerankBenchCommand(options.rerank, options);
  const report = await runBench(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatBenchTable(report)}\n`);
  return 0;
}

async function readQuestions(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path.resolve(PROJECT_ROOT, file), 'utf8');
  } catch {
    throw new UserError(`Cannot read the questions file ${file}: pass one with --file.`);
  }
  return parseEvalFile(text, file).map((question) => question.question);
}

/** Pairs the re-ranker reads per answer in the bench (RERANK_CANDIDATES' default). */
const BENCH_RERANK_PAIRS = DEFAULT_RERANK_CANDIDATES;
const RERANK_GOAL_P95_MS = 300;

/** `--rerank SHAPE`: the reader stage's latency only; the JSON's `rerank` is the int8 run, `rerankFloat32` the other. */
async function rerankBenchCommand(shapeName: string, options: BenchOptions & { json: boolean }): Promise<number> {
  if (!(shapeName in RERANK_SHAPES)) throw new UserError(`--rerank must be one of ${Object.keys(RERANK_SHAPES).join(', ')}.`);
  const questions = await readQuestions(options.evalFile);
  const runs = await runRerankBench({ shapeName, config: loadCoreConfig(), questions, pairs: BENCH_RERANK_PAIRS, rounds: options.rounds, log: (line) => process.stderr.write(`${line}\n`) });
  const [int8, float32] = runs;
  const report = { machine: machineOf(), loadAverage: os.loadavg(), rerank: int8, rerankFloat32: float32, goal: { p95Ms: RERANK_GOAL_P95_MS, met: (int8?.p95Ms ?? Infinity) <= RERANK_GOAL_P95_MS } };
  const ms = (value: number) => `${Math.round(value)} ms`;
  const table = [
    '| re-ranker | pairs | p50 | p95 | CPU p50 / p95 | goal | |',
    '|---|---|---|---|---|---|---|',
    ...runs.map((run) => `| ${run.shape} ${run.precision} (loaded in ${ms(run.loadMs)}) | ${run.pairs} | ${ms(run.p50Ms)} | ${ms(run.p95Ms)} | ${ms(run.cpu.p50Ms)} / ${ms(run.cpu.p95Ms)} | p95 ≤ ${RERANK_GOAL_P95_MS} ms | ${run.p95Ms <= RERANK_GOAL_P95_MS ? 'met' : 'NOT met'} |`),
  ].join('\n');
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${table}\n`);
  return 0;
}

function machineOf(): BenchReport['machine'] {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    totalMemMb: Math.round(os.totalmem() / 1048576),
  };
}

/** Runs every measurement; `log` gets progress lines (stderr in the command). */
export async function runBench(options: BenchOptions, log: (line: string) => void = () => {}): Promise<BenchReport> {
  const notes: string[] = [];
  const base = loadCoreConfig();
  const questions = await readQuestions(options.evalFile);
  const work = await mkdtemp(path.join(os.tmpdir(), 'verbatim-bench-'));
  const config: CoreConfig = { ...base, indexDir: path.join(work, 'index') };
  try {
    await ensureModel(config, terminalReporter('Embedding'));
    let started = performance.now();
    const embedder = await openEmbedder(config);
    const modelLoadMs = performance.now() - started;

    log(`build: the story index from ${config.corpusDir} in ${config.indexDir}`);
    started = performance.now();
    const full = await buildIndexFromCorpus(config, embedder);
    const fullMs = performance.now() - started;
    started = performance.now();
    const unchanged = await buildIndexFromCorpus(config, embedder);
    const unchangedMs = performance.now() - started;
    if (unchanged.changed) notes.push('The second build was not recognised as unchanged.');

    log(`warm: ${options.rounds} rounds of ${questions.length} questions in-process`);
    const retriever = createRetriever(await openIndex(config, embedder), embedder);
    const warm = await measureWarm(retriever, questions, options.rounds);

    log(`cold start: ${options.coldRuns} × scripts/ask.ts --json`);
    const childEnv = { INDEX_DIR: config.indexDir, CORPUS_DIR: config.corpusDir, MODEL_DIR: config.modelDir, EMBED_MODEL: config.embedModel };
    const coldStartRunsMs: number[] = [];
    const coldAskRunsMs: number[] = [];
    for (let run = 0; run < options.coldRuns; run++) {
      const timed = await timeCommand([...scriptArgs('scripts/ask.ts'), '--json', questions[0] ?? 'What happened?'], childEnv);
      if (timed.firstLineMs === undefined) throw new Error('scripts/ask.ts --json printed no answer.');
      coldStartRunsMs.push(timed.firstLineMs);
      coldAskRunsMs.push(timed.totalMs);
    }

    log('memory: a child process with the model and the story index');
    const memory = JSON.parse(await runChild([...scriptArgs('scripts/bench.ts'), '--child', 'rss', '--file', options.evalFile], childEnv)) as { rssMb: number; peakRssMb: number };

    let discord: BenchReport['discord'] = null;
    if (options.asks > 0) {
      log(`discord: ${options.asks} /ask against the fake Discord`);
      try {
        const { runDiscordBench } = await import('../bench/discord.js');
        discord = await runDiscordBench({ config, embedder, questions, asks: options.asks });
      } catch (error) {
        notes.push(`Discord run failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }

    let year: YearReport | null = null;
    if (options.stories > 0) {
      year = await runYearBench({
        stories: options.stories,
        work,
        config,
        embedder,
        questions: options.quick ? 8 : 60,
        asks: Math.min(options.asks, 100),
        rounds: options.rounds,
        log,
      });
    }

    const hnsw = { ...DEFAULT_HNSW, efSearch: base.efSearch };
    const scaleRuns: ScaleReport[] = [];
    for (const kind of options.scale > 0 ? options.vectors : []) {
      log(`scale: ${options.scale} ${kind} vectors, HNSW M=${hnsw.M} efConstruction=${hnsw.efConstruction} efSearch=${hnsw.efSearch} vs exact`);
      scaleRuns.push(runScaleBench({ n: options.scale, dims: embedder.dimensions, kind, queries: options.scaleQueries, k: 10, hnsw, efSweep: [16, 32, 64, 128, 256, 512] }));
    }
    if (base.efSearch !== DEFAULT_EF_SEARCH) notes.push(`EF_SEARCH=${base.efSearch} overrides the default ${DEFAULT_EF_SEARCH}.`);
    if (options.quick) notes.push('--quick: small samples; the figures are not meaningful.');

    return {
      machine: machineOf(),
      quick: options.quick,
      model: { id: embedder.modelId, loadMs: modelLoadMs },
      hnsw: { M: hnsw.M, efConstruction: hnsw.efConstruction, efSearch: hnsw.efSearch },
      coldStartMs: median(coldStartRunsMs),
      coldStartRunsMs,
      coldAskCommandMs: median(coldAskRunsMs),
      warm,
      build: { paragraphs: full.paragraphs, fullMs, unchangedMs, paragraphsPerSec: full.paragraphs / (fullMs / 1000) },
      scale: scaleRuns[0] ?? null,
      scaleOther: scaleRuns.slice(1),
      rssMb: memory.rssMb,
      peakRssMb: memory.peakRssMb,
      discord,
      year,
      notes,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Answers every question `rounds` times after one untimed pass; total = search + terminal formatting. */
async function measureWarm(retriever: Retriever, questions: readonly string[], rounds: number): Promise<BenchReport['warm']> {
  for (const question of questions) formatForTerminal(question, await retriever.search({ question }), PLAIN_STYLE);
  const total: number[] = [];
  const embed: number[] = [];
  const search: number[] = [];
  const format: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const question of questions) {
      const started = performance.now();
      const result = await retriever.search({ question });
      const searched = performance.now();
      formatForTerminal(question, result, PLAIN_STYLE);
      const done = performance.now();
      total.push(done - started);
      embed.push(result.timings.embedMs);
      search.push(result.timings.searchMs);
      format.push(done - searched);
    }
  }
  return { ...latency(total), questions: questions.length, samples: total.length, embed: latency(embed), search: latency(search), format: latency(format) };
}

/** `--child update`: loads the model, then times bringing the index up to date with the corpus (what adding a story costs). */
async function updateChild(): Promise<number> {
  const config = loadCoreConfig();
  const embedder = await openEmbedder(config);
  const started = performance.now();
  const report = await buildIndexFromCorpus(config, embedder);
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, embedded: report.embedded, appended: report.appended ?? false })}
`);
  return 0;
}

/** `--child rss`: loads the model and index as `npm run ask` does, answers the questions, prints its memory. */
async function rssChild(evalFile: string): Promise<number> {
  const { retriever } = await openRetriever(loadCoreConfig());
  for (const question of await readQuestions(evalFile)) await retriever.search({ question });
  const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
  // maxRSS is in kilobytes.
  process.stdout.write(`${JSON.stringify({ rssMb: mb(process.memoryUsage().rss), peakRssMb: mb(process.resourceUsage().maxRSS * 1024) })}\n`);
  return 0;
}

const GOALS = {
  warmP95Ms: 25,
  coldStartMs: 3000,
  coldAskCommandMs: 1000,
  buildFullMs: 5000,
  buildUnchangedMs: 500,
  recallAt10: 0.98,
  speedup: 20,
  rssMb: 300,
  discordP95Ms: 100,
} as const;

/** The goals of a year of news (3,650 stories) on 2 cores. */
const YEAR_GOALS = {
  buildParagraphsPerSec: 250,
  addOneStoryMs: 3000,
  unchangedMs: 1000,
  behindCheckMs: 250,
  coldStartMs: 5000,
  coldAskCommandMs: 3000,
  addStoryCommandMs: 2000,
  unchangedCommandMs: 500,
  removeOneStoryMs: 2000,
  botFirstAnswerMs: 3000,
  warmP95Ms: 50,
  rssMb: 1024,
  autocompleteP95Ms: 50,
  discordP95Ms: 150,
  recallAt3: 0.9,
} as const;

/** The report as a Markdown table, with the goals and whether each is met. */
export function formatBenchTable(report: BenchReport): string {
  const ms = (value: number) => (value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(2)} ms`);
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const { warm, build, scale, discord } = report;
  const rows: Array<[string, string, string, string]> = [
    ['warm answer p50 / p95 (in-process)', `${ms(warm.p50Ms)} / ${ms(warm.p95Ms)}`, `p95 ≤ ${GOALS.warmP95Ms} ms`, check(warm.p95Ms <= GOALS.warmP95Ms)],
    ['  embed p50 / p95', `${ms(warm.embed.p50Ms)} / ${ms(warm.embed.p95Ms)}`, '', ''],
    ['  search p50 / p95', `${ms(warm.search.p50Ms)} / ${ms(warm.search.p95Ms)}`, '', ''],
    ['  format p50 / p95', `${ms(warm.format.p50Ms)} / ${ms(warm.format.p95Ms)}`, '', ''],
    ['cold start to first answer (median)', ms(report.coldStartMs), `≤ ${GOALS.coldStartMs} ms`, check(report.coldStartMs <= GOALS.coldStartMs)],
    ['cold ask, whole process (median)', ms(report.coldAskCommandMs), `≤ ${GOALS.coldAskCommandMs} ms`, check(report.coldAskCommandMs <= GOALS.coldAskCommandMs)],
    [`build story index (${build.paragraphs} paragraphs)`, `${ms(build.fullMs)} (${Math.round(build.paragraphsPerSec)} paragraphs/s)`, `≤ ${GOALS.buildFullMs} ms`, check(build.fullMs <= GOALS.buildFullMs)],
    ['rebuild, corpus unchanged', ms(build.unchangedMs), `≤ ${GOALS.buildUnchangedMs} ms`, check(build.unchangedMs <= GOALS.buildUnchangedMs)],
    ['RSS with model + story index (peak)', `${report.rssMb} MB (${report.peakRssMb} MB)`, `≤ ${GOALS.rssMb} MB`, check(report.rssMb <= GOALS.rssMb)],
    discord
      ? [`Discord /ask reply p50 / p95 (${discord.asks} asks)`, `${ms(discord.p50Ms)} / ${ms(discord.p95Ms)}`, `p95 ≤ ${GOALS.discordP95Ms} ms`, check(discord.p95Ms <= GOALS.discordP95Ms)]
      : ['Discord /ask reply', 'not measured', `p95 ≤ ${GOALS.discordP95Ms} ms`, '—'],
  ];
  for (const run of [scale, ...report.scaleOther]) {
    if (!run) continue;
    const label = `${run.kind} ${run.n}×${run.dims}`;
    rows.push(
      [`${label}: HNSW build (M=${run.M}, efC=${run.efConstruction})`, ms(run.buildMs), '', ''],
      [`${label}: recall@10 (efSearch=${run.efSearch})`, run.recallAt10.toFixed(4), `≥ ${GOALS.recallAt10}`, check(run.recallAt10 >= GOALS.recallAt10)],
      [`${label}: p95 HNSW / exact`, `${ms(run.hnswP95Ms)} / ${ms(run.exactP95Ms)} (${run.speedup.toFixed(1)}×)`, `≥ ${GOALS.speedup}×`, check(run.speedup >= GOALS.speedup)],
    );
  }
  const year = report.year;
  if (year) {
    const y = `year (${year.stories} stories, ${year.paragraphs} paragraphs)`;
    rows.push(
      [`${y}: full build`, `${ms(year.buildMs)} (${Math.round(year.buildParagraphsPerSec)} paragraphs/s)`, `≥ ${YEAR_GOALS.buildParagraphsPerSec} paragraphs/s`, check(year.buildParagraphsPerSec >= YEAR_GOALS.buildParagraphsPerSec)],
      [`${y}: add one story`, ms(year.addOneStoryMs), `≤ ${YEAR_GOALS.addOneStoryMs} ms`, check(year.addOneStoryMs <= YEAR_GOALS.addOneStoryMs)],
      [`${y}: unchanged rebuild`, ms(year.unchangedMs), `≤ ${YEAR_GOALS.unchangedMs} ms`, check(year.unchangedMs <= YEAR_GOALS.unchangedMs)],
      [`${y}: is the index behind the corpus? (median)`, ms(year.behindCheckMs), `≤ ${YEAR_GOALS.behindCheckMs} ms`, check(year.behindCheckMs <= YEAR_GOALS.behindCheckMs)],
      [`${y}: cold start to first answer`, ms(year.coldStartMs), `≤ ${YEAR_GOALS.coldStartMs} ms`, check(year.coldStartMs <= YEAR_GOALS.coldStartMs)],
      [`${y}: cold ask, whole process`, ms(year.coldAskCommandMs), `≤ ${YEAR_GOALS.coldAskCommandMs} ms`, check(year.coldAskCommandMs <= YEAR_GOALS.coldAskCommandMs)],
      [`${y}: add-story, whole process`, ms(year.addStoryCommandMs), `≤ ${YEAR_GOALS.addStoryCommandMs} ms`, check(year.addStoryCommandMs <= YEAR_GOALS.addStoryCommandMs)],
      [`${y}: build-index unchanged, whole process`, ms(year.unchangedCommandMs), `≤ ${YEAR_GOALS.unchangedCommandMs} ms`, check(year.unchangedCommandMs <= YEAR_GOALS.unchangedCommandMs)],
      [`${y}: remove-story, whole process`, ms(year.removeOneStoryMs), `≤ ${YEAR_GOALS.removeOneStoryMs} ms`, check(year.removeOneStoryMs <= YEAR_GOALS.removeOneStoryMs)],
      [`${y}: bot started until its first answer`, ms(year.botFirstAnswerMs), `≤ ${YEAR_GOALS.botFirstAnswerMs} ms`, check(year.botFirstAnswerMs <= YEAR_GOALS.botFirstAnswerMs)],
      [`${y}: warm answer p50 / p95`, `${ms(year.warm.p50Ms)} / ${ms(year.warm.p95Ms)}`, `p95 ≤ ${YEAR_GOALS.warmP95Ms} ms`, check(year.warm.p95Ms <= YEAR_GOALS.warmP95Ms)],
      [`${y}: RSS`, `${year.rssMb} MB`, `≤ ${YEAR_GOALS.rssMb} MB`, check(year.rssMb <= YEAR_GOALS.rssMb)],
      [`${y}: autocomplete p95`, ms(year.autocompleteP95Ms), `≤ ${YEAR_GOALS.autocompleteP95Ms} ms`, check(year.autocompleteP95Ms <= YEAR_GOALS.autocompleteP95Ms)],
      [`${y}: Discord reply p95`, year.discordP95Ms === null ? 'not measured' : ms(year.discordP95Ms), `≤ ${YEAR_GOALS.discordP95Ms} ms`, year.discordP95Ms === null ? '—' : check(year.discordP95Ms <= YEAR_GOALS.discordP95Ms)],
      [
        `${y}: hybrid Recall@3 / MRR, refused, wrong refusals`,
        `${year.eval.recallAt3.toFixed(3)} / ${year.eval.mrr.toFixed(3)}, ${year.eval.refused} of ${year.eval.unanswerable}, ${year.eval.wrongRefusals}`,
        `R@3 ≥ ${YEAR_GOALS.recallAt3}`,
        check(year.eval.recallAt3 >= YEAR_GOALS.recallAt3),
      ],
    );
  }
  const lines = ['| measure | value | goal | |', '|---|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)];
  const m = report.machine;
  lines.push('', `Machine: ${m.cpus} × ${m.cpuModel}, ${m.totalMemMb} MB, Node ${m.node} (${m.platform}); model ${report.model.id} loaded in ${ms(report.model.loadMs)}.`);
  for (const run of [scale, ...report.scaleOther]) {
    if (!run) continue;
    lines.push(`Vectors (${run.kind}): ${run.vectors}; ${run.queries} queries, mean top-1 cosine ${run.meanTop1Similarity.toFixed(3)}.`);
    lines.push(`  efSearch sweep: ${run.sweep.map((point) => `ef ${point.efSearch}: recall ${point.recallAt10.toFixed(4)}, p95 ${ms(point.hnswP95Ms)}`).join('; ')}`);
  }
  for (const note of report.notes) lines.push(`Note: ${note}`);
  return lines.join('\n');
}
