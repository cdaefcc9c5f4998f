// The running bot, started in-process (by src/discord/bot.ts, and by the tests against a fake Discord).
import { Client, Events, GatewayIntentBits, Routes, type ClientOptions, type Interaction } from 'discord.js';
import { announcementMessage } from '../answer/desk.js';
import type { NewStory } from '../corpus/index.js';
import { startFeedPoller, type FeedPoller } from '../desk/feed-poller.js';
import { NewsDesk } from '../desk/news-desk.js';
import { createPreviewStore } from './previews.js';
import type { BotConfig, CoreConfig } from '../config.js';
import type { Logger } from '../log.js';
import { createCooldown } from './cooldown.js';
import type { LiveIndex } from './live-index.js';
import { routeInteraction, type RouterContext } from './router.js';
import { DUTY_SHARD, tokenRefused, type ShardPlan } from './shards.js';

/** How long `stop()` waits for answers in flight before disconnecting anyway. */
export const DEFAULT_STOP_GRACE_MS = 5000;

/** Seconds a member waits between two /story add. */
export const STORY_ADD_COOLDOWN_SECONDS = 30;

/** What the running bot reads: where the stories are, how to reach Discord, and the news desk's settings (defaults: none). */
export type BotRuntimeConfig = CoreConfig &
  Pick<BotConfig, 'discordToken' | 'apiBase' | 'allowedChannelIds' | 'cooldownSeconds'> &
  Partial<Pick<BotConfig, 'staffGuildIds' | 'adminUserIds' | 'feeds' | 'feedPollMinutes' | 'announceChannelId'>>;

export interface BotOptions {
  config: BotRuntimeConfig;
  logger: Logger;
  index: LiveIndex;
  /** Extra client options (tests: REST retries and timeouts). */
  clientOptions?: Partial<ClientOptions>;
  /** Clock for the cooldown. */
  now?: () => number;
  /** The gateway shards to connect (src/discord/shards.ts); none = one shard, the whole bot in this process. */
  shards?: ShardPlan;
}

export interface RunningBot {
  client: Client<true>;
  /** Stops taking interactions, lets those in flight finish (up to `graceMs`), disconnects. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves when no interaction is being handled (tests wait on it before reading logs). */
  whenIdle(): Promise<void>;
  /** The feeds the bot follows (tests poll them on demand). */
  feeds: FeedPoller;
}

export async function startBot(options: BotOptions): Promise<RunningBot> {
  const { config, logger, index, shards } = options;
  // Process-wide duties (feed polling, announcements) run once per bot, not once per process.
  const dutyProcess = !shards || shards.ids.includes(DUTY_SHARD);
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    // The default for every message the client sends; each reply also sets it explicitly.
    allowedMentions: { parse: [] },
    // Always explicit when sharded: left unset, discord.js would read SHARD_COUNT from the environment itself.
    ...(shards ? { shards: shards.ids, shardCount: shards.count } : {}),
    ...options.clientOptions,
    rest: { ...(config.apiBase ? { api: config.apiBase } : {}), ...options.clientOptions?.rest },
  });
  const desk = new NewsDesk(config, index, { allowPrivate: config.allowPrivateUrls }, logger);
  // Announcements go through REST, which needs the client logged in: the first poll waits for ready.
  let announce: ((story: NewStory) => Promise<void>) | undefined;
  const context: RouterContext = {
    index,
    logger,
    allowedChannelIds: config.allowedChannelIds,
    cooldown: createCooldown(config.cooldownSeconds, options.now),
    desk: {
      desk,
      feeds: { pollNow: async () => {}, status: () => [], stop: () => {} },
      feedPollMinutes: config.feedPollMinutes ?? 15,
      policy: { staffGuildIds: config.staffGuildIds ?? [], adminUserIds: config.adminUserIds ?? [] },
      previews: createPreviewStore(options.now),
      addCooldown: createCooldown(STORY_ADD_COOLDOWN_SECONDS, options.now),
    },
  };

  const inFlight = new Set<Promise<void>>();
  const onInteraction = (interaction: Interaction) => {
    const work: Promise<void> = routeInteraction(interaction, context)
      .catch((error: unknown) => logger.error({ err: error, interaction: interaction.id }, 'interaction handler crashed'))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  };
  client.on(Events.InteractionCreate, onInteraction);
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.Warn, (message) => logger.warn(message));
  client.on(Events.ShardDisconnect, (_event, shard) => logger.warn({ shard }, 'gateway disconnected'));
  client.on(Events.ShardResume, (shard) => logger.info({ shard }, 'gateway resumed'));

  try {
    await client.login(config.discordToken);
    if (!client.isReady()) await new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  } catch (error) {
    await client.destroy();
    throw loginError(error);
  }
  const ready = client as Client<true>;
  logger.info(
    // Which shards: src/discord/bot.ts puts them on every line of the process.
    { user: ready.user.tag, application: ready.application.id, ...(shards ? { shardCount: shards.count } : {}), pollsFeeds: dutyProcess && (config.feeds ?? []).length > 0 },
    'ready',
  );
  if (config.announceChannelId) {
    const channelId = config.announceChannelId;
    announce = async (story) => {
      await ready.rest.post(Routes.channelMessages(channelId), { body: announcementMessage(story) });
      logger.info({ channel: channelId, url: story.url }, 'story announced');
    };
  }
  const feeds = startFeedPoller({
    desk,
    feeds: config.feeds ?? [],
    intervalMs: (config.feedPollMinutes ?? 15) * 60_000,
    logger,
    pollsHere: dutyProcess,
    announce: (story) => announce?.(story) ?? Promise.resolve(),
  });
  context.desk.feeds = feeds;

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> => {
    stopping ??= (async () => {
      feeds.stop();
      client.off(Events.InteractionCreate, onInteraction);
      if (inFlight.size > 0) {
        logger.info({ inFlight: inFlight.size }, 'finishing answers in flight');
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
        await Promise.race([Promise.allSettled([...inFlight]), timeout]);
        clearTimeout(timer);
      }
      await client.destroy();
      logger.info('disconnected');
    })();
    return stopping;
  };
  const whenIdle = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };
  return { client: ready, stop, whenIdle, feeds };
}

/** Login failures as one sentence; the token itself is never part of it. */
function loginError(error: unknown): unknown {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'TokenInvalid' || (error as { status?: unknown } | undefined)?.status === 401) {
    return tokenRefused();
  }
  return error;
}
