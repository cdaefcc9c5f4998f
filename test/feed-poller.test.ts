// The feed poller's gating: when the bot runs as several processes, only the one holding shard 0
// polls (pollsHere); the others list the feeds and never call the desk, at start-up, on the
// timer or on demand. A fake desk and fake timers: no network, no waiting.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFeedPoller, type FeedPoller } from '../src/desk/feed-poller.js';
import type { FeedPollReport } from '../src/desk/news-desk.js';
import { createLogger } from '../src/log.js';

const FEEDS = ['http://127.0.0.1:9/a.rss', 'http://127.0.0.1:9/b.rss'];
const INTERVAL_MS = 60_000;

function poller(pollsHere: boolean | undefined) {
  const polls: Array<readonly string[]> = [];
  const desk = {
    pollFeeds: async (feeds: readonly string[]): Promise<FeedPollReport[]> => {
      polls.push(feeds);
      return feeds.map((feed) => ({ feed, added: [], failures: [] }));
    },
  };
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const started: FeedPoller = startFeedPoller({ desk, feeds: FEEDS, intervalMs: INTERVAL_MS, logger, ...(pollsHere === undefined ? {} : { pollsHere }) });
  const startUpOver = () => logs.find((line) => line['msg'] === 'start-up feed poll over');
  return { poller: started, polls, logs, startUpOver };
}

describe('startFeedPoller', () => {
  let stop: (() => void) | undefined;
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => {
    stop?.();
    vi.useRealTimers();
  });

  it.each([
    ['pollsHere: true', true],
    ['pollsHere unset (one process)', undefined],
  ])('%s: polls every feed at start-up, on every interval and on demand', async (_, pollsHere) => {
    const { poller: feeds, polls, startUpOver } = poller(pollsHere);
    stop = feeds.stop;
    await vi.waitFor(() => expect(startUpOver()).toBeDefined());
    expect(startUpOver()).toMatchObject({ feeds: 2, polled: 2, pollsHere: true });
    expect(polls).toEqual([FEEDS]);
    await vi.advanceTimersByTimeAsync(2 * INTERVAL_MS);
    expect(polls).toHaveLength(3);
    await feeds.pollNow();
    expect(polls).toHaveLength(4);
    expect(feeds.status().map((status) => [status.feed, typeof status.lastPoll, status.polledElsewhere])).toEqual(FEEDS.map((feed) => [feed, 'string', undefined]));
  });

  it('pollsHere: false never calls the desk, at start-up, on the timer or on demand, and lists the feeds as polled elsewhere', async () => {
    const { poller: feeds, polls, startUpOver } = poller(false);
    stop = feeds.stop;
    await vi.waitFor(() => expect(startUpOver()).toBeDefined());
    expect(startUpOver()).toMatchObject({ feeds: 2, polled: 0, pollsHere: false });
    await vi.advanceTimersByTimeAsync(3 * INTERVAL_MS);
    await feeds.pollNow();
    expect(polls).toEqual([]);
    expect(feeds.status()).toEqual(FEEDS.map((feed) => ({ feed, added: 0, polledElsewhere: true })));
  });

  it('with no feeds, logs nothing and never polls', async () => {
    const polls: unknown[] = [];
    const logs: string[] = [];
    const feeds = startFeedPoller({
      desk: { pollFeeds: async (list) => (polls.push(list), []) },
      feeds: [],
      intervalMs: INTERVAL_MS,
      logger: createLogger('info', { write: (line: string) => void logs.push(line) }),
    });
    stop = feeds.stop;
    await vi.advanceTimersByTimeAsync(2 * INTERVAL_MS);
    await feeds.pollNow();
    expect(polls).toEqual([]);
    expect(logs).toEqual([]);
  });
});
