import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  findSameStory,
  normaliseLink,
  parseStory,
  renderStory,
  isUpdateOf,
  slugForStory,
  storyFilePath,
  writeStoryFile,
  type NewStory,
  type StorySummary,
} from '../corpus/index.js';
import { UserError, describeError } from '../errors.js';
import { parseFeed, type Feed } from './feed.js';
import { decodeDocument, fetchDocument } from './fetch.js';
import { readStory, type ImportSettings, type StoryRequest } from './read-story.js';

/** The corpus being added to: its folder and the stories in it (kept current as stories are added). */
export interface CorpusState {
  dir: string;
  stories: StorySummary[];
}

export interface AddOptions {
  /** Overwrite the story that already holds the same article, keeping its id. */
  replace?: boolean;
  /** Read and check everything, write nothing. */
  dryRun?: boolean;
}

export type AddResult =
  | { source: string; status: 'added' | 'replaced' | 'checked'; id: string; file: string; story: NewStory }
  | { source: string; status: 'duplicate'; id: string; file: string; error: string }
  | { source: string; status: 'failed'; error: string };

/**
 * Adds one story to the corpus: reads it, refuses the same article twice (unless `replace`),
 * picks a stable id and writes the file atomically. Never throws: a failure is a result with
 * one sentence, so the other sources of a run still go in.
 */
export async function addStory(request: StoryRequest, corpus: CorpusState, settings: ImportSettings, options: AddOptions = {}): Promise<AddResult> {
  const { source } = request;
  let story: NewStory;
  try {
    story = await readStory(request, settings);
  } catch (error) {
    return { source, status: 'failed', error: describeError(error) };
  }
  const same = findSameStory(corpus.stories, story);
  if (same && !options.replace) {
    const where = displayPath(path.join(corpus.dir, same.file));
    const error = isUpdateOf(same, story)
      ? `The article at this address is already in the corpus as ${where}, and its text has changed since (pass --replace to update it).`
      : `This article is already in the corpus as ${where} (pass --replace to update it).`;
    return { source, status: 'duplicate', id: same.id, file: same.file, error };
  }
  const taken = new Set(corpus.stories.map((stored) => stored.id));
  const id = same?.id ?? slugForStory(story, (slug) => taken.has(slug));
  try {
    const text = renderStory(story);
    const file = options.dryRun ? storyFilePath(corpus.dir, id) : await writeStoryFile(corpus.dir, id, text);
    const stored = parseStory(file, text);
    // Later sources of the same run see this one (a feed listing an article twice adds it once).
    corpus.stories = [...corpus.stories.filter((existing) => existing.id !== id), stored];
    return { source, status: options.dryRun ? 'checked' : same ? 'replaced' : 'added', id, file, story };
  } catch (error) {
    return { source, status: 'failed', error: describeError(error) };
  }
}

/** Reads a feed from a URL or a saved file. */
export async function readFeed(source: string, settings: ImportSettings): Promise<{ feed: Feed; url?: string }> {
  if (/^https?:\/\//i.test(source)) {
    const fetched = await fetchDocument(source, { ...settings.fetch, allowPrivate: settings.allowPrivate, accept: 'feed' });
    return { feed: await parseFeed(fetched.text, fetched.url), url: fetched.url };
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(source);
  } catch {
    throw new UserError(`Cannot read the feed file ${source}: check the path.`);
  }
  return { feed: await parseFeed(decodeDocument(bytes)) };
}

/**
 * What feed runs remember about item links, in a dot-file beside the stories (the loader skips
 * it): the links read (a feed's link often redirects to the story's own address, and the next run
 * must skip it unfetched) and the links whose page failed (retried on every run; a second failure
 * is known-bad, which does not fail a run). One line each, appended:
 *
 *   http://127.0.0.1:8080/school.html         read: scheme, host, port, path and query as compared
 *   failed http://127.0.0.1:8080/school.html  its page failed
 *   127.0.0.1/school.html                     read, written before links kept scheme and port
 */
export const FEED_LINKS_FILE = '.feed-links';

export interface FeedLinks {
  /** Links read, in the form `feedLinkKey` gives. */
  read: Set<string>;
  /** Links read, as written before links kept scheme and port (`legacyFeedLinkKey`). */
  readLegacy: Set<string>;
  /** Links whose page failed in an earlier run (`feedLinkKey`). */
  failed: Set<string>;
}

const FAILED_PREFIX = 'failed ';
const SCHEME = /^([a-z][a-z\d+.-]*):\/\//i;

/** A feed item's link as remembered: the link as compared for the same article, behind its scheme. */
export function feedLinkKey(link: string): string {
  const scheme = SCHEME.exec(link.trim())?.[1]?.toLowerCase() ?? 'https';
  return `${scheme}://${normaliseLink(link)}`;
}

/** The form entries had before: no scheme, no port (so two feeds on different ports of one host collided). */
function legacyFeedLinkKey(link: string): string {
  try {
    const url = new URL(link);
    url.port = '';
    return normaliseLink(url.href);
  } catch {
    return normaliseLink(link);
  }
}

export async function readFeedLinks(corpusDir: string): Promise<FeedLinks> {
  const links: FeedLinks = { read: new Set(), readLegacy: new Set(), failed: new Set() };
  let text: string;
  try {
    text = await readFile(path.join(corpusDir, FEED_LINKS_FILE), 'utf8');
  } catch {
    return links;
  }
  for (const line of text.split('\n')) {
    const entry = line.trim();
    if (!entry) continue;
    if (entry.startsWith(FAILED_PREFIX)) links.failed.add(entry.slice(FAILED_PREFIX.length).trim());
    else if (SCHEME.test(entry)) links.read.add(entry);
    else links.readLegacy.add(entry);
  }
  return links;
}

async function rememberFeedLink(corpusDir: string, line: string): Promise<void> {
  await mkdir(corpusDir, { recursive: true });
  await appendFile(path.join(corpusDir, FEED_LINKS_FILE), `${line}\n`);
}

/** Whether an item was read by an earlier run, in either form of the file. */
function wasRead(link: string, links: FeedLinks): boolean {
  return links.read.has(feedLinkKey(link)) || links.readLegacy.has(legacyFeedLinkKey(link));
}

/** The feed items that no story holds yet: neither its link nor a link read for it before. */
export function newFeedItems(feed: Feed, stories: readonly StorySummary[], links?: FeedLinks): Feed['items'] {
  const held = new Set(stories.map((story) => normaliseLink(story.url)));
  return feed.items.filter((item) => !held.has(normaliseLink(item.link)) && !(links && wasRead(item.link, links)));
}

/** The feed itself could not be fetched or parsed (no item was tried). */
export class FeedUnreadableError extends UserError {
  override name = 'FeedUnreadableError';
}

export interface FeedReport {
  feed: Feed;
  /** Items already in the corpus (by link, or found to be a story already held). */
  known: number;
  results: AddResult[];
  /** The sources (item links) of failed results whose page had failed in an earlier run too. */
  failedBefore: Set<string>;
}

/**
 * Adds every new item of a feed, one at a time; an item that fails is reported (and remembered,
 * so the next failure is known-bad) and the others still go in, and an item that turns out to be
 * a story already held is skipped quietly. The feed's title and date for an item are used where
 * its page says nothing.
 */
export async function addFeed(
  source: string,
  corpus: CorpusState,
  settings: ImportSettings,
  options: AddOptions & { onResult?: (result: AddResult) => void } = {},
): Promise<FeedReport> {
  const { feed } = await readFeed(source, settings).catch((error: unknown) => {
    throw new FeedUnreadableError(describeError(error));
  });
  const links = await readFeedLinks(corpus.dir);
  const items = newFeedItems(feed, corpus.stories, links);
  const results: AddResult[] = [];
  const failedBefore = new Set<string>();
  let known = feed.items.length - items.length;
  for (const item of items) {
    const result = await addStory({ source: item.link, fallbacks: { title: item.title || undefined, published: item.published } }, corpus, settings, options);
    const key = feedLinkKey(item.link);
    if (result.status === 'failed') {
      if (links.failed.has(key)) failedBefore.add(item.link);
      else if (!options.dryRun) await rememberFeedLink(corpus.dir, `${FAILED_PREFIX}${key}`);
    } else if (!options.dryRun) {
      await rememberFeedLink(corpus.dir, key);
    }
    if (result.status === 'duplicate') {
      known++;
      continue;
    }
    results.push(result);
    options.onResult?.(result);
  }
  return { feed, known, results, failedBefore };
}

/** A file as a person finds it: relative to the working folder when it is inside, else absolute. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : path.resolve(file);
}
