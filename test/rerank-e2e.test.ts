// RERANK_MODEL end to end, with the tiny cross-encoder build-model makes (its score: the share of
// the question's words found in the passage, test/rerank.test.ts): `npm run ask` (terminal and
// --json) and the Discord bot against the fake Discord.
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { unescapeMarkdown } from '../src/answer/discord.js';
import { createCrossEncoder, type CrossEncoder } from '../src/embed/cross-encoder.js';
import { askCommand, embedsOf, startBotHarness, type BotHarness } from './helpers/bot-harness.js';
import { tempDir } from './helpers/corpus.js';
import { MODEL_DIR, runScript } from './helpers/project.js';
import { tinyRerankerDir } from './helpers/rerankers.js';

let tinyDir: string;
let tiny: CrossEncoder;
const indexDir = path.join(tempDir(), 'index');

beforeAll(async () => {
  tinyDir = await tinyRerankerDir();
  tiny = await createCrossEncoder({ model: tinyDir, modelDir: MODEL_DIR });
});

describe('npm run ask with RERANK_MODEL', () => {
  const env = () => ({ INDEX_DIR: indexDir, RERANK_MODEL: tinyDir, RERANK_MIN_SCORE: '0.5' });

  it('quotes the passages in the cross-encoder\'s order with its scores (--json), and refuses what it scores low', async () => {
    const question = 'Who did Trump share classified information with?';
    const run = await runScript('scripts/ask.ts', ['--json', question], { env: env() });
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout.trim());
    expect(answer.answered).toBe(true);
    const scores = answer.passages.map((passage: { rerankScore: number }) => passage.rerankScore);
    expect(scores).toHaveLength(3);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // The scores are the model's for each quoted paragraph.
    const own = await tiny.score(question, answer.passages.map((passage: { text: string }) => passage.text));
    own.forEach((score, i) => expect(scores[i]).toBeCloseTo(score, 4));

    // Answered without a re-ranker (the dev set's question); no paragraph holds half of its words as written.
    const hard = 'Where did the intelligence come from originally?';
    const withoutReranker = await runScript('scripts/ask.ts', ['--json', hard], { env: { INDEX_DIR: indexDir } });
    expect(JSON.parse(withoutReranker.stdout.trim())).toMatchObject({ answered: true });
    const refused = await runScript('scripts/ask.ts', ['--json', hard], { env: env() });
    expect(JSON.parse(refused.stdout.trim())).toMatchObject({ answered: false, passages: [] });
  });

  it('shows the re-ranker\'s score in the terminal', async () => {
    const run = await runScript('scripts/ask.ts', ['Who did Trump share classified information with?'], { env: env() });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/score [\d.]+ · similarity [\d.]+ · re-ranker 0\.\d{3}/);
  });

  it('stops with one sentence when RERANK_MODEL is not a cross-encoder', async () => {
    const run = await runScript('scripts/ask.ts', ['--json', 'Who?'], { env: { ...env(), RERANK_MODEL: path.join(MODEL_DIR, 'use-lite') } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^The re-ranking model .*use-lite cannot be used \(its config\.json names BertModel.*RERANK_MODEL/);
    expect(run.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
});

describe('the Discord bot with RERANK_MODEL', () => {
  let harness: BotHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });
  const shown = (description: string | undefined) => unescapeMarkdown((description ?? '').replace(/^> /gm, '').replace(/\*\*/g, ''));

  it('answers /ask with the passage the cross-encoder puts first, its score as the relevance, and refuses what it scores low', async () => {
    harness = await startBotHarness({ rerank: { model: tinyDir, minScore: 0.5, candidates: 20 } });
    const { fake } = harness;
    const question = 'Will ferries be free for residents during the closure?';
    const reply = await fake.sendCommand(askCommand(question)).reply();
    const [first] = embedsOf(reply);
    expect(shown(first?.description)).toMatch(/^Ferries between the north and south shores/);
    const text = 'Ferries between the north and south shores will run every fifteen minutes during the closure, and rides will be free for residents.';
    const [expected] = await tiny.score(question, [text]);
    expect(first?.footer?.text).toContain(`relevance ${expected!.toFixed(2)}`);

    // Without the re-ranker this question is answered (test/rerank.test.ts); the tiny model finds 1 of its 3 words.
    const refused = await fake.sendCommand(askCommand('How long will the bridge be closed?')).reply();
    expect(embedsOf(refused)).toHaveLength(0);
    expect(refused.content).toMatch(/The (?:story doesn't|\d+ stories don't) say\./);
  });
});
