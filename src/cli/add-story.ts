import { byline, formatDate } from '../answer/attribution.js';
import { loadCoreConfig, type CoreConfig } from '../config.js';
import { type NewStory } from '../corpus/index.js';
import type { Embedder } from '../embed/index.js';
import { prefetchingEmbedder } from '../embed/prefetch.js';
import { parseCommandArgs } from '../entry/run.js';
import { UserError, describeError } from '../errors.js';
import { addFeed, addStory, displayPath, type AddResult, type CorpusState, FeedUnreadableError, type FeedReport } from '../import/add.js';
import type { AttributionOverrides } from '../import/attribute.js';
import type { ImportSettings } from '../import/read-story.js';
import { appendEmbedCalls } from '../index/embedding.js';
import { loadStorySummaries } from '../pipeline.js';
import { startEmbedder } from './start-embedder.js';
import { updateIndex } from './update-index.js';

const USAGE = `Usage: npm run add-story -- [options] <source>...
       npm run add-story -- [options] --feed <url|file.xml>

A source is an http(s) URL, a saved .html (or .html.gz) page, or a .txt / .md file.

Options:
  --feed F          add every item of an RSS or Atom feed not in the corpus yet (repeatable)
  --title T         headline          (these five override what the page says,
  --outlet O        outlet name        and apply to one source)
  --author A        author (repeatable)
  --published D     date, YYYY-MM-DD
  --url U           link to the story
  --replace         update the story that already holds the same article
  --dry-run         show what would be added; write nothing
  --no-build        write the story files but do not update the index
  --json            one JSON object per source on stdout, nothing else
  -h, --help        this text

Exit status: 0 done (a feed item that failed in an earlier run too is reported, not counted);
1 a source failed; 3 a feed could not be read; 4 a feed item failed for the first time.`;

/** `npm run add-story -- <source>...`: imports articles into corpus/ and brings the index up to date. */
export async function addStoryCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    {
      args: argv,
      allowPositionals: true,
      options: {
        feed: { type: 'string', multiple: true, default: [] },
        title: { type: 'string' },
        outlet: { type: 'string' },
        author: { type: 'string', multiple: true, default: [] },
        published: { type: 'string' },
        url: { type: 'string' },
        replace: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        'no-build': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    },
    'see npm run add-story -- --help',
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const sources = positionals.map((source) => source.trim()).filter(Boolean);
  if (sources.length === 0 && values.feed.length === 0) throw new UserError('Give a URL, a saved .html page or a .txt / .md file to add (or --feed <url>); see npm run add-story -- --help.');
  const overrides = readOverrides(values);
  const singleStoryOverride = overrides.title ?? overrides.url ?? overrides.published;
  if (singleStoryOverride && sources.length + values.feed.length !== 1) {
    throw new UserError('--title, --url and --published describe one story: give exactly one source with them.');
  }
  if (singleStoryOverride && values.feed.length > 0) throw new UserError('--title, --url and --published describe one story, not a feed.');

  const config = loadCoreConfig();
  const builds = !values['no-build'] && !values['dry-run'];
  // The model loads on a worker thread while pages are read and the index is checked: what an add waited for last.
  const embedder = builds ? startEmbedder(config) : undefined;
  const corpus: CorpusState = { dir: config.corpusDir, stories: await loadStorySummaries(config, { allowEmpty: true }) };
  const settings: ImportSettings = { allowPrivate: config.allowPrivateUrls };
  const options = { replace: values.replace, dryRun: values['dry-run'] };
  const print = values.json ? printJson : printHuman;

  const results: AddResult[] = [];
  for (const source of sources) {
    const result = await addStory({ source, overrides }, corpus, settings, options);
    results.push(result);
    print(result);
  }
  const sourceFailed = results.some((result) => result.status === 'failed' || result.status === 'duplicate');
  let feedsUnread = 0;
  /** Read, but its items could not be recorded (e.g. the corpus folder is not writable). */
  let feedsFailed = 0;
  let newItemFailures = 0;
  for (const feed of values.feed) {
    let report: FeedReport;
    try {
      report = await addFeed(feed, corpus, settings, { ...options, onResult: print });
    } catch (error) {
      if (error instanceof FeedUnreadableError) feedsUnread++;
      else feedsFailed++;
      if (values.json) printJson({ source: feed, status: 'failed', error: describeError(error) });
      else process.stderr.write(`${describeError(error)}\n`);
      continue;
    }
    results.push(...report.results);
    const failed = report.results.filter((result) => result.status === 'failed').length;
    newItemFailures += failed - report.failedBefore.size;
    process.stderr.write(`${feedSummary(feed, report, failed)}\n`);
  }

  const written = results.filter((result) => result.status === 'added' || result.status === 'replaced');
  if (written.length > 0 && embedder) await updateIndexAfter(written.length, config, embeddingAhead(embedder, written));
  else if (written.length > 0 && values['no-build']) process.stderr.write('Index not updated (--no-build): run npm run build-index before asking about the new stories.\n');
  return exitCode({ failed: sourceFailed || feedsFailed > 0, feedsUnread, newItemFailures });
}

/**
 * The exit status, for a person and for cron (README, "Feeds from cron"): a source given by name
 * that failed (or anything else: the corpus not writable, the index not updated) is 1; a feed that could not be read at all is 3; a feed item whose page failed for
 * the first time is 4 (once: the next run retries it, and a second failure is known-bad, reported
 * but 0, so a dead link does not fail every poll).
 */
export const EXIT_CODES = { done: 0, failed: 1, feedUnreadable: 3, newItemFailed: 4 } as const;

export function exitCode(run: { failed: boolean; feedsUnread: number; newItemFailures: number }): number {
  if (run.failed) return EXIT_CODES.failed;
  if (run.feedsUnread > 0) return EXIT_CODES.feedUnreadable;
  if (run.newItemFailures > 0) return EXIT_CODES.newItemFailed;
  return EXIT_CODES.done;
}

function feedSummary(source: string, report: FeedReport, failed: number): string {
  const count = report.feed.items.length;
  const added = report.results.filter((result) => result.status === 'added' || result.status === 'checked').length;
  let line = `Feed ${report.feed.title || source}: ${count} ${count === 1 ? 'item' : 'items'}, ${report.known} already in the corpus, ${added} new`;
  if (failed > 0) {
    const again = report.failedBefore.size;
    const which = again === failed ? (failed === 1 ? 'it failed before too' : 'all failed before too') : again > 0 ? `${again} failed before too` : 'first failure';
    line += `, ${failed} failed (${which}; tried again on the next run)`;
  }
  return `${line}.`;
}

function readOverrides(values: { title?: string; outlet?: string; author: string[]; published?: string; url?: string }): AttributionOverrides {
  const overrides: AttributionOverrides = {};
  if (values.title?.trim()) overrides.title = values.title.trim();
  if (values.outlet?.trim()) overrides.outlet = values.outlet.trim();
  const authors = values.author.map((author) => author.trim()).filter(Boolean);
  if (authors.length) overrides.authors = authors;
  if (values.published?.trim()) overrides.published = values.published.trim();
  if (values.url?.trim()) overrides.url = values.url.trim();
  return overrides;
}

/**
 * The embedder for the index update, already embedding one new story's paragraphs as the update
 * will ask for them (see `appendEmbedCalls`): the model works while the update reads the index's
 * files (~0.2 s of an add at a year). Only for one added story, whose update is an append; for
 * anything else a guess that missed would embed twice.
 */
function embeddingAhead(embedder: Promise<Embedder>, written: AddResult[]): Promise<Embedder> {
  const [only] = written;
  if (written.length !== 1 || only?.status !== 'added') return embedder;
  return embedder.then((loaded) => {
    const ahead = prefetchingEmbedder(loaded);
    for (const texts of appendEmbedCalls([only.story])) ahead.prefetch(texts);
    return ahead;
  });
}

/**
 * {@link updateIndex} after `written` story files went in. The files stay when it fails or the
 * run is stopped (Ctrl-C, SIGTERM); what that left is said, and the next build (or ask, or bot
 * start: see src/index/drift.ts) picks them up.
 */
async function updateIndexAfter(written: number, config: CoreConfig, embedder: Promise<Embedder>): Promise<void> {
  const state = `${written === 1 ? 'The story file is' : `The ${written} story files are`} written; the index was not updated: run npm run build-index.`;
  const stopped = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nStopped (${signal}). ${state}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', stopped);
  process.once('SIGTERM', stopped);
  try {
    await updateIndex(config, { embedder });
  } catch (error) {
    process.stderr.write(`${describeError(error)}\n`);
    throw new UserError(state);
  } finally {
    process.off('SIGINT', stopped);
    process.off('SIGTERM', stopped);
  }
}

const FEED_TYPE = /\(content type (?:application\/(?:rss|atom|rdf)\+xml|application\/xml|text\/xml)\)\.$/;

/** A page address that turned out to be a feed: the refusal says how to add its items instead. */
function withFeedHint(error: string, source: string): string {
  return FEED_TYPE.test(error) ? `${error.replace(/\.$/, '')}: it is a feed, so give it with --feed to add its items (npm run add-story -- --feed ${source}).` : error;
}

function printJson(result: AddResult): void {
  const line =
    result.status === 'failed' || result.status === 'duplicate'
      ? { source: result.source, error: result.error }
      : {
          source: result.source,
          id: result.id,
          file: result.file,
          title: result.story.title,
          outlet: result.story.outlet,
          authors: result.story.authors,
          published: result.story.published,
          url: result.story.url,
          paragraphs: result.story.paragraphs.length,
        };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const VERB = { added: 'Added', replaced: 'Replaced', checked: 'Would add (dry run)' } as const;

function printHuman(result: AddResult): void {
  if (result.status === 'failed' || result.status === 'duplicate') {
    process.stderr.write(`${withFeedHint(result.error, result.source)}\n`);
    return;
  }
  process.stdout.write(`${VERB[result.status]} ${displayPath(result.file)}\n${describeStory(result.story)}\n\n`);
}

/** What a user checks at a glance: headline, outlet, byline, date, link, paragraph count, first paragraph. */
export function describeStory(story: NewStory): string {
  const first = story.paragraphs[0] ?? '';
  const lines = [
    `  “${story.title}”`,
    `  ${[story.outlet, story.authors.length ? `by ${byline(story.authors)}` : '', formatDate(story.published) || 'no date on the page (pass --published YYYY-MM-DD to give one)'].filter(Boolean).join(', ')}`,
    `  ${story.url}`,
    `  ${story.paragraphs.length} ${story.paragraphs.length === 1 ? 'paragraph' : 'paragraphs'}; ¶ 1: ${first.length > 300 ? `${first.slice(0, 299)}…` : first}`,
  ];
  return lines.join('\n');
}
