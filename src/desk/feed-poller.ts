// Follows the configured feeds: a poll at start-up and then every FEED_POLL_MINUTES. A feed that
// fails is logged and tried again on the next poll; nothing here stops the bot.
import type { NewStory } from '../corpus/index.js';
import type { Logger } from '../log.js';
import type { NewsDesk } from './news-desk.js';

export interface FeedStatus {
  feed: string;
  /** When the feed was last polled (ISO time), if ever. */
  lastPoll?: string;
  /** Stories added from it since the bot started. */
  added: number;
  /** Why the last poll failed, if it did. */
  lastError?: string;
  /** Another process of the bot polls it (the one holding shard 0). */
  polledElsewhere?: boolean;
}

export interface FeedPoller {
  /** Polls every feed now (the timer also calls this); resolves when the stories are answerable. */
  pollNow(): Promise<void>;
  status(): FeedStatus[];
  stop(): void;
}

export interface FeedPollerOptions {
  desk: Pick<NewsDesk, 'pollFeeds'>;
  feeds: readonly string[];
  intervalMs: number;
  logger: Logger;
  /** False in every process but one when the bot runs as several (sharded): the feeds are listed, not polled. Default true. */
  pollsHere?: boolean;
  /** Called once per new story, after the index that holds it is swapped in. */
  announce?: (story: NewStory & { id: string }) => Promise<void>;
  now?: () => Date;
}

export function startFeedPoller(options: FeedPollerOptions): FeedPoller {
  const { desk, logger } = options;
  const pollsHere = options.pollsHere ?? true;
  const feeds = pollsHere ? options.feeds : [];
  const now = options.now ?? (() => new Date());
  const statuses = new Map<string, FeedStatus>(options.feeds.map((feed) => [feed, pollsHere ? { feed, added: 0 } : { feed, added: 0, polledElsewhere: true }]));
  let running: Promise<number> | undefined;
  let stopped = false;

  /** One poll of this process's feeds; how many were polled. */
  async function poll(): Promise<number> {
    if (feeds.length === 0 || stopped) return 0;
    let reports;
    try {
      reports = await desk.pollFeeds(feeds);
    } catch (error) {
      logger.error({ err: error }, 'the index could not be rebuilt after a feed poll; the next poll tries again');
      const polledAt = now().toISOString();
      for (const status of statuses.values()) {
        status.lastPoll = polledAt;
        status.lastError = 'The new stories could not be indexed yet (see the bot’s log); the next poll tries again.';
      }
      return feeds.length;
    }
    const polledAt = now().toISOString();
    for (const report of reports) {
      const status = statuses.get(report.feed)!;
      status.lastPoll = polledAt;
      status.added += report.added.length;
      status.lastError = report.error ?? (report.failures.length ? `${report.failures.length} item(s) failed: ${report.failures[0]}` : undefined);
      if (report.error) logger.warn({ feed: report.feed, reason: report.error }, 'feed could not be read; will try again on the next poll');
      for (const failure of report.failures) logger.warn({ feed: report.feed, reason: failure }, 'feed item skipped');
      for (const { id, story } of report.added) {
        try {
          await options.announce?.({ ...story, id });
        } catch (error) {
          logger.warn({ err: error, story: id }, 'could not announce a new story');
        }
      }
    }
    return feeds.length;
  }

  const pollOnce = (): Promise<number> => {
    // Overlapping polls would only queue behind each other in the desk: one at a time.
    running ??= poll().finally(() => (running = undefined));
    return running;
  };
  const pollNow = async (): Promise<void> => void (await pollOnce());
  const timer = feeds.length > 0 ? setInterval(() => void pollOnce(), options.intervalMs) : undefined;
  timer?.unref();
  if (options.feeds.length > 0) {
    // Logged in every process once its start-up poll is over (or was left to another process):
    // what it polled is then in the log before this line.
    void pollOnce().then((polled) => logger.info({ feeds: options.feeds.length, polled, pollsHere }, 'start-up feed poll over'));
  }
  return {
    pollNow,
    status: () => [...statuses.values()].map((status) => ({ ...status })),
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
    },
  };
}
