// The Discord part of `npm run bench`: the real bot (startBot, discord.js) against the fake Discord
// of the tests on 127.0.0.1, timing /ask from the interaction being sent to the answer arriving.
// Bench-only: it imports test/fake-discord.ts (and `ws`, a dev dependency), so it is loaded lazily.
import type { CoreConfig } from '../config.js';
import { startBot } from '../discord/bot-runtime.js';
import { openLiveIndex } from '../discord/live-index.js';
import type { Embedder } from '../embed/index.js';
import { createLogger } from '../log.js';
import { startFakeDiscord } from '../../test/fake-discord.js';
import { scriptArgs, spawnNode } from './processes.js';
import { latency, type Latency } from './stats.js';

const TOKEN = 'bench-bot-token-not-a-real-one';

export interface DiscordBenchOptions {
  /** Core settings with `indexDir` pointing at a built index. */
  config: CoreConfig;
  embedder: Embedder;
  questions: readonly string[];
  asks: number;
}

export interface DiscordBenchReport extends Latency {
  asks: number;
  /** Replies that quoted passages (the rest said the story does not say). */
  answered: number;
}

/** Sends `asks` /ask interactions one after another and times each until the bot's reply (PATCH @original). */
export async function runDiscordBench(options: DiscordBenchOptions): Promise<DiscordBenchReport> {
  const fake = await startFakeDiscord({ token: TOKEN, timeoutMs: 10_000 });
  const logger = createLogger('silent');
  const index = await openLiveIndex(options.config, { logger, embedder: options.embedder, pollMs: 60_000 });
  try {
    const bot = await startBot({
      config: { ...options.config, discordToken: TOKEN, apiBase: fake.apiBase, allowedChannelIds: [], cooldownSeconds: 0 },
      logger,
      index,
      clientOptions: { rest: { retries: 0, timeout: 5000 } },
    });
    try {
      const ask = (question: string) => fake.sendCommand({ name: 'ask', options: [{ name: 'question', type: 3, value: question }] }).reply();
      await ask(options.questions[0] ?? 'warm up'); // first interaction: discord.js caches, REST connection
      const ms: number[] = [];
      let answered = 0;
      for (let i = 0; i < options.asks; i++) {
        const started = performance.now();
        const reply = await ask(options.questions[i % options.questions.length]!);
        ms.push(performance.now() - started);
        if ((reply.embeds ?? []).length > 0) answered++;
      }
      return { asks: options.asks, answered, ...latency(ms) };
    } finally {
      await bot.stop(0);
    }
  } finally {
    index.close();
    await fake.close();
  }
}

/**
 * A bot restart as a user sees it: milliseconds from spawning the bot process (what `npm start`
 * runs, or tsx as this bench runs) to its reply to a first /ask on the fake Discord. The bot opens
 * its index before it connects, so the question is sent as soon as it identifies.
 */
export async function timeBotFirstAnswer(env: Record<string, string>, question: string): Promise<number> {
  const fake = await startFakeDiscord({ token: TOKEN, timeoutMs: 120_000 });
  const started = performance.now();
  const bot = spawnNode(scriptArgs('src/discord/bot.ts'), { ...env, DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase });
  // Read and dropped, so a bot that prints never blocks on a full pipe.
  bot.stdout.resume();
  let stderr = '';
  bot.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<never>((_, reject) => bot.on('exit', (code) => reject(new Error(`the bot exited with ${code} before answering: ${stderr.trim().split('\n').at(-1) ?? ''}`))));
  try {
    await Promise.race([fake.waitForIdentify(), exited]);
    await Promise.race([fake.sendCommand({ name: 'ask', options: [{ name: 'question', type: 3, value: question }] }).reply(), exited]);
    return performance.now() - started;
  } finally {
    bot.kill('SIGTERM');
    await fake.close();
  }
}
