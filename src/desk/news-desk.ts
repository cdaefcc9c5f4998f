// The news desk: adds and removes stories while the bot runs, one change at a time, and swaps the
// rebuilt index in. It knows nothing of Discord: the bot's commands and the feed poller call it.
// One change at a time across processes too: shard processes share the corpus and index folders.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CoreConfig } from '../config.js';
import { findSameStory, isUpdateOf, removeStoryFile, renderStory, slugForStory, writeStoryFile, type NewStory, type Story, type StorySummary } from '../corpus/index.js';
import type { Embedder } from '../embed/index.js';
import { UserError } from '../errors.js';
import { addFeed, type AddResult } from '../import/add.js';
import type { AttributionOverrides } from '../import/attribute.js';
import { readStory, type ImportSettings } from '../import/read-story.js';
import type { Logger } from '../log.js';
import { buildIndexFromCorpus, loadStorySummaries } from '../pipeline.js';
import { withFileLock, type FileLockOptions } from './file-lock.js';

/** In the index folder, which every process of the bot shares. */
export const DESK_LOCK_FILE = 'desk.lock';
const DESK_BUSY = 'Another of my processes is changing the stories right now; please try again in a minute.';

/** What the desk needs of the live index: its model, and a way to load the generation just built. */
export interface SwappableIndex {
  readonly embedder: Embedder;
  /** Loads the new generation now (the bot answers from it from the next question on). */
  checkNow(): Promise<void>;
}

/** Who asked for a change, for the log. */
export interface Actor {
  userId: string;
  guildId?: string | null;
}

export type Preview =
  | { kind: 'new'; story: NewStory }
  /** `updated`: the same address, but the page's text has changed since the story was added. */
  | { kind: 'duplicate'; story: NewStory; existing: Pick<Story, 'id' | 'title' | 'url'>; updated: boolean };

export interface FeedPollReport {
  feed: string;
  /** Stories added from this feed in this poll. */
  added: Array<{ id: string; story: NewStory }>;
  /** Items that failed, one sentence each. */
  failures: string[];
  /** Why the feed itself could not be read. */
  error?: string;
}

export class NewsDesk {
  /** Every change waits for the one before it: one story is added (and the index rebuilt) at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Feed stories written but not yet indexed (a rebuild failed): the next poll indexes and reports them. */
  private unindexed: Array<{ feed: string; id: string; story: NewStory }> = [];

  constructor(
    private readonly config: CoreConfig,
    private readonly index: SwappableIndex,
    private readonly settings: ImportSettings,
    private readonly logger: Logger,
    /** How long a change waits for another process's change (tests shorten it). */
    private readonly lock: FileLockOptions = {},
  ) {}

  /** Fetches and reads a page without changing anything: what `add` would write, or the story that already holds it. */
  async preview(url: string, overrides: Pick<AttributionOverrides, 'published' | 'outlet'> = {}): Promise<Preview> {
    if (!/^https?:\/\//i.test(url.trim())) throw new UserError('Give the address of the article, starting with http:// or https://.');
    const story = await readStory({ source: url.trim(), overrides }, this.settings);
    const existing = findSameStory(await this.stories(), story);
    if (!existing) return { kind: 'new', story };
    return { kind: 'duplicate', story, existing, updated: isUpdateOf(existing, story) };
  }

  /** Writes the story, rebuilds the index (only its paragraphs are embedded) and swaps it in. */
  add(story: NewStory, actor: Actor): Promise<{ id: string; seconds: number }> {
    return this.serialised(async () => {
      const started = performance.now();
      const stories = await this.stories();
      const existing = findSameStory(stories, story);
      if (existing) throw new UserError(`This article is already a story: “${existing.title}” (${existing.id}).`);
      const taken = new Set(stories.map((stored) => stored.id));
      const id = slugForStory(story, (slug) => taken.has(slug));
      await writeStoryFile(this.config.corpusDir, id, renderStory(story));
      try {
        await this.rebuild();
      } catch (error) {
        // A failed add changes nothing: the file goes, the previous index stays.
        await removeStoryFile(this.config.corpusDir, id).catch(() => {});
        throw error;
      }
      this.logger.info({ change: 'story-added', user: actor.userId, guild: actor.guildId ?? null, story: id, url: story.url }, 'story added');
      return { id, seconds: (performance.now() - started) / 1000 };
    });
  }

  /** Deletes a story, rebuilds and swaps. The last story cannot be removed. */
  remove(id: string, actor: Actor): Promise<Pick<Story, 'id' | 'title' | 'url'>> {
    return this.serialised(async () => {
      const stories = await this.stories();
      const story = stories.find((stored) => stored.id === id);
      if (!story) throw new UserError('There is no such story (any more): pick one from the list.');
      if (stories.length === 1) throw new UserError('That is the only story: add another one first, then remove this one.');
      const text = await readFile(path.join(this.config.corpusDir, story.file), 'utf8');
      await removeStoryFile(this.config.corpusDir, id);
      try {
        await this.rebuild();
      } catch (error) {
        await writeStoryFile(this.config.corpusDir, id, text).catch(() => {});
        throw error;
      }
      this.logger.info({ change: 'story-removed', user: actor.userId, guild: actor.guildId ?? null, story: id, url: story.url }, 'story removed');
      return { id: story.id, title: story.title, url: story.url };
    });
  }

  /**
   * Adds every new item of each feed, then rebuilds once. A feed that fails is reported and the
   * others still go in. Throws only when the rebuild fails; the stories written stay in the corpus
   * and are indexed and reported by the next poll.
   */
  pollFeeds(feeds: readonly string[]): Promise<FeedPollReport[]> {
    return this.serialised(async () => {
      const corpus = { dir: this.config.corpusDir, stories: await this.stories() };
      const reports: FeedPollReport[] = [];
      for (const feed of feeds) {
        const report: FeedPollReport = { feed, added: [], failures: [] };
        try {
          const { results } = await addFeed(feed, corpus, this.settings);
          for (const result of results) collect(result, report);
        } catch (error) {
          report.error = error instanceof Error ? error.message : String(error);
        }
        reports.push(report);
      }
      const waiting = this.unindexed;
      const fresh = reports.flatMap((report) => report.added.map((added) => ({ feed: report.feed, ...added })));
      if (waiting.length + fresh.length > 0) {
        try {
          await this.rebuild();
        } catch (error) {
          this.unindexed = [...waiting, ...fresh];
          for (const report of reports) report.added = [];
          throw error;
        }
        this.unindexed = [];
        for (const item of waiting) {
          let report = reports.find((candidate) => candidate.feed === item.feed);
          if (!report) reports.push((report = { feed: item.feed, added: [], failures: [] }));
          report.added.unshift({ id: item.id, story: item.story });
        }
      }
      for (const report of reports) {
        for (const { id, story } of report.added) this.logger.info({ change: 'story-added', feed: report.feed, story: id, url: story.url }, 'story added from a feed');
      }
      return reports;
    });
  }

  private async rebuild(): Promise<void> {
    await buildIndexFromCorpus(this.config, this.index.embedder);
    await this.index.checkNow();
  }

  private stories(): Promise<StorySummary[]> {
    return loadStorySummaries(this.config, { allowEmpty: true });
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const file = path.join(this.config.indexDir, DESK_LOCK_FILE);
    const locked = () => withFileLock(file, task, { busyMessage: DESK_BUSY, ...this.lock });
    const run = this.queue.then(locked, locked);
    this.queue = run.catch(() => {});
    return run;
  }
}

function collect(result: AddResult, report: FeedPollReport): void {
  if (result.status === 'added' || result.status === 'replaced') report.added.push({ id: result.id, story: result.story });
  else if (result.status === 'failed') report.failures.push(result.error);
}
