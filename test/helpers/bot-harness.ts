// The product bot (startBot) in-process against test/fake-discord.ts, on a temporary copy of the
// fixture corpus with the fake embedder, collecting every log line. For the reliability tests.
import path from 'node:path';
import { loadCoreConfig, type BotConfig } from '../../src/config.js';

/** The news-desk settings a test may set (servers, admins, feeds, announcements, private URLs). */
export type NewsDeskSettings = Pick<BotConfig, 'staffGuildIds' | 'adminUserIds' | 'feeds' | 'feedPollMinutes' | 'announceChannelId' | 'allowPrivateUrls'>;
import { startBot, type RunningBot } from '../../src/discord/bot-runtime.js';
import { openLiveIndex, type LiveIndex } from '../../src/discord/live-index.js';
import type { Embedder } from '../../src/embed/index.js';
import { createLogger } from '../../src/log.js';
import { startFakeDiscord, type FakeDiscord, type MessageBody } from '../fake-discord.js';
import { copyFixtureCorpus, tempDir } from './corpus.js';
import { fakeEmbedder } from './fake-embedder.js';

export interface BotHarness {
  fake: FakeDiscord;
  bot: RunningBot;
  index: LiveIndex;
  config: BotConfig;
  logs: Array<Record<string, unknown>>;
  rawLogs: string[];
  /** Stops the bot (destroying the client), then the index watcher, then the fake. */
  close(): Promise<void>;
}

export async function startBotHarness(
  options: {
    token?: string;
    cooldownSeconds?: number;
    allowedChannelIds?: string[];
    embedder?: Embedder;
    timeoutMs?: number;
    desk?: Partial<NewsDeskSettings>;
    rerank?: BotConfig['rerank'];
    /** The fake sends GUILD_CREATE with these active threads, so the client caches the guild, its channel and the threads. */
    threads?: Array<{ id: string; parentId: string }>;
  } = {},
): Promise<BotHarness> {
  const token = options.token ?? 'fake-bot-token-for-reliability-tests';
  const fake = await startFakeDiscord({ token, timeoutMs: options.timeoutMs ?? 10_000, sendGuildCreate: options.threads !== undefined, threads: options.threads });
  const root = tempDir();
  const config: BotConfig = {
    ...loadCoreConfig({}, root),
    corpusDir: copyFixtureCorpus(),
    indexDir: path.join(root, 'index'),
    discordToken: token,
    applicationId: fake.applicationId,
    guildId: fake.guildId,
    apiBase: fake.apiBase,
    allowedChannelIds: options.allowedChannelIds ?? [],
    cooldownSeconds: options.cooldownSeconds ?? 0,
    staffGuildIds: [],
    adminUserIds: [],
    feeds: [],
    feedPollMinutes: 15,
    announceChannelId: undefined,
    ...options.desk,
    rerank: options.rerank,
  };
  const rawLogs: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger('debug', {
    write(line: string) {
      rawLogs.push(line);
      logs.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  const index = await openLiveIndex(config, { logger, embedder: options.embedder ?? fakeEmbedder(), buildIfMissing: true, pollMs: 100 });
  let bot: RunningBot;
  try {
    bot = await startBot({ config, logger, index, clientOptions: { rest: { retries: 0, timeout: 2000 } } });
  } catch (error) {
    index.close();
    await fake.close();
    throw error;
  }
  return {
    fake,
    bot,
    index,
    config,
    logs,
    rawLogs,
    async close() {
      await bot.stop(0);
      index.close();
      await fake.close();
    },
  };
}

export const askCommand = (question: string, extra: Array<{ name: string; type: number; value: string | number | boolean }> = []) => ({
  name: 'ask',
  options: [{ name: 'question', type: 3, value: question }, ...extra],
});

/** Every message body the bot sent (replies, edits, follow-ups). */
export function sentMessages(fake: FakeDiscord): MessageBody[] {
  return fake.requests.flatMap((request) => {
    const body = request.body as { type?: number; data?: MessageBody } & MessageBody;
    if (request.path.endsWith('/callback')) return body.type === 4 || body.type === 7 ? [body.data ?? {}] : [];
    if (request.path.startsWith('/webhooks/') && (request.method === 'PATCH' || request.method === 'POST')) return [body];
    return [];
  });
}

export type Embed = { author?: { name: string }; title?: string; url?: string; description?: string; footer?: { text: string } };
export const embedsOf = (body: MessageBody) => (body.embeds ?? []) as Embed[];
