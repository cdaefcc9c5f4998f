// End to end with the real default model and the shipped corpus/, when the model has been built
// (`npm run build-model`); skipped otherwise. The expected passage is whatever the retriever
// ranks first, i.e. what `npm run ask -- --json "…"` prints: the bot must quote it verbatim.
import { execFile, spawn } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJsonAnswer } from '../src/answer/json.js';
import { unescapeMarkdown } from '../src/answer/discord.js';
import { loadCoreConfig, type BotConfig } from '../src/config.js';
import { startBot, type RunningBot } from '../src/discord/bot-runtime.js';
import { openLiveIndex, type LiveIndex } from '../src/discord/live-index.js';
import { createLogger } from '../src/log.js';
import { PROJECT_ROOT, tempDir, writeStory } from './helpers/corpus.js';
import { startFakeDiscord, type FakeDiscord } from './fake-discord.js';

const QUESTION = 'Who did Trump share classified information with?';

describe('the bot with the real model and the shipped corpus', () => {
  let fake: FakeDiscord;
  let index: LiveIndex;
  let bot: RunningBot;

  beforeAll(async () => {
    fake = await startFakeDiscord();
    const config: BotConfig = {
      ...loadCoreConfig({}, PROJECT_ROOT),
      indexDir: path.join(tempDir(), 'index'), // never touch the project's own index
      discordToken: fake.token,
      applicationId: fake.applicationId,
      guildId: fake.guildId,
      apiBase: fake.apiBase,
      allowedChannelIds: [],
      cooldownSeconds: 0,
      staffGuildIds: [],
      adminUserIds: [],
      feeds: [],
      feedPollMinutes: 15,
      announceChannelId: undefined,
    };
    const logger = createLogger('silent');
    index = await openLiveIndex(config, { logger, buildIfMissing: true });
    bot = await startBot({ config, logger, index, clientOptions: { rest: { retries: 0, timeout: 2000 } } });
  });

  afterAll(async () => {
    await bot?.stop(0);
    index?.close();
    await fake?.close();
  });

  it('quotes the first-ranked paragraph verbatim, with its attribution', async () => {
    const expected = toJsonAnswer(QUESTION, await index.current().retriever.search({ question: QUESTION, topK: 3 }));
    expect(expected.answered).toBe(true);
    const top = expected.passages[0]!;

    const ix = fake.sendCommand({ name: 'ask', options: [{ name: 'question', type: 3, value: QUESTION }] });
    expect((await ix.callback()).type).toBe(5);
    const reply = await ix.reply();
    const embeds = (reply.embeds ?? []) as Array<{ author?: { name: string }; title?: string; url?: string; description?: string; footer?: { text: string } }>;
    const shown = (description = '') => unescapeMarkdown(description.replace(/^> /gm, '').replace(/\*\*/g, '').replace(/ \[…\]$/, ''));

    expect(shown(embeds[0]?.description)).toBe(top.text);
    expect(embeds[0]).toMatchObject({
      author: { name: top.source.outlet },
      title: top.source.title,
      // The passage's own link: the story opened on its bold sentence.
      url: top.link,
      footer: { text: expect.stringContaining(`¶ ${top.paragraph} of `) },
    });
    expect(embeds[0]?.footer?.text).toContain('Greg Miller and Greg Jaffe');
    expect(embeds[0]?.footer?.text).toContain('May 15, 2017');
    // Every passage shown is a verbatim paragraph of the story, in the retriever's order.
    expect(embeds.map((embed) => shown(embed.description))).toEqual(expected.passages.map((passage) => passage.text));
  });

  it.each(['What is the recipe for lasagna?', 'What is the capital of Australia?', 'When is the next election?'])(
    'says the story does not say for an everyday question on another topic: %s',
    async (question) => {
      const reply = await fake.sendCommand({ name: 'ask', options: [{ name: 'question', type: 3, value: question }] }).reply();
      expect(reply.content).toBe(`**Q:** ${question}\nThe story doesn't say. I searched “Trump revealed highly classified information to Russian foreign minister and ambassador” (The Washington Post).`);
      expect(reply.embeds ?? []).toEqual([]);
    },
  );
});

describe('npm start as a process', () => {
  it('answers, picks up `npm run build-index` from another process, and exits 0 on SIGTERM', async () => {
    const token = 'abc'.repeat(10);
    const fake = await startFakeDiscord({ token, timeoutMs: 60_000 });
    const root = tempDir();
    const corpusDir = path.join(root, 'corpus');
    cpSync(path.join(PROJECT_ROOT, 'corpus'), corpusDir, { recursive: true });
    writeFileSync(path.join(root, '.env'), ''); // nothing from the project's own .env
    const env = {
      PATH: process.env.PATH ?? '',
      DISCORD_TOKEN: token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_BASE: fake.apiBase,
      CORPUS_DIR: corpusDir,
      INDEX_DIR: path.join(root, 'index'),
      MODEL_DIR: path.join(PROJECT_ROOT, 'models'),
      LOG_LEVEL: 'info',
      COOLDOWN_SECONDS: '0',
    };
    const tsx = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx');
    const child = spawn(tsx, [path.join(PROJECT_ROOT, 'src/discord/bot.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    const logWaiters: Array<{ text: string; resolve: () => void }> = [];
    child.stdout.on('data', (chunk: Buffer) => {
      logs += chunk.toString();
      for (const waiter of logWaiters.filter((candidate) => logs.includes(candidate.text))) waiter.resolve();
    });
    const logged = (text: string) => new Promise<void>((resolve) => (logs.includes(text) ? resolve() : logWaiters.push({ text, resolve })));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await logged('"msg":"ready"');
      const first = await fake.sendCommand({ name: 'ask', options: [{ name: 'question', type: 3, value: QUESTION }] }).reply();
      expect((first.embeds ?? []).length).toBeGreaterThan(0);

      writeStory(corpusDir, 'aquarium', ['The new aquarium will open on Pier 9 next spring, the city announced.'], {
        title: 'City picks Pier 9 for the new aquarium',
      });
      const reloaded = logged('"msg":"index reloaded"');
      await promisify(execFile)(tsx, [path.join(PROJECT_ROOT, 'scripts/build-index.ts')], { cwd: root, env });
      await reloaded;
      const after = await fake.sendCommand({ name: 'ask', options: [{ name: 'question', type: 3, value: 'Where will the new aquarium open?' }] }).reply();
      expect((after.embeds ?? [])[0]).toMatchObject({ title: 'City picks Pier 9 for the new aquarium' });

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(logs).toContain('"msg":"disconnected"');
      expect(logs).not.toContain(token);
    } finally {
      child.kill('SIGKILL');
      await fake.close();
    }
  });
});
