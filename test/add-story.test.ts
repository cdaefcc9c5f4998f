// End to end: `npm run add-story` and `npm run remove-story` as processes, against temporary
// corpora, with the fixture pages (test/fixtures/pages, all invented) served from 127.0.0.1.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStory, type Story } from '../src/corpus/index.js';
import { exitCode } from '../src/cli/add-story.js';
import { addStory } from '../src/import/add.js';
import { copyFixtureCorpus, tempDir, writeStory } from './helpers/corpus.js';
import { PAGES, fixture, startPageServer, type PageServer } from './helpers/page-server.js';
import { STACK_LINE, runProject } from './helpers/processes.js';
import { runScript, type RunResult } from './helpers/project.js';
import { expectedPage } from './helpers/pages.js';

const expected = expectedPage;

const CANNERY = expected('jsonld-only');
const CANNERY_URL = CANNERY.url;
const CANNERY_TITLE = CANNERY.titles[0]!;
const TRAVERSAL_TITLE = '../../../../etc/passwd';
const JAPANESE_TITLE = 'リバートン市議会、缶詰工場の購入を可決';
const JAPANESE_OUTLET = 'リバートン・レジャー';

// ---- the page server ----

let server: PageServer;
let BASE = '';
/** Every request path (with query) the server saw. */
let hits: string[] = [];

const withBase = (text: string) => server.withBase(text);

/** jsonld-only.html with every occurrence of `from` replaced by `to`. */
function cannery(...replacements: Array<[string, string]>): string {
  let html = fixture('jsonld-only.html');
  for (const [from, to] of replacements) {
    if (!html.includes(from)) throw new Error(`jsonld-only.html no longer contains ${from}`);
    html = html.replaceAll(from, to);
  }
  return html;
}

/** Pages made from the cannery story (built before the server starts, so a changed fixture fails loudly). */
const VARIANTS: Record<string, string> = {};

/** This file's routes; the fixture pages and feeds are served by the helper. */
function route(url: URL, response: ServerResponse): boolean {
  const html = (body: string, status = 200) => void response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(body);

  // /hop/N/<page>?<query>: N redirects (relative Location), then the page itself (query kept).
  const hop = /^\/hop\/(\d+)\/(.+)$/.exec(url.pathname);
  if (hop) {
    const left = Number(hop[1]);
    response.writeHead(302, { location: `${left > 1 ? `/hop/${left - 1}/${hop[2]}` : `/${hop[2]}`}${url.search}` }).end();
    return true;
  }
  switch (url.pathname) {
    case '/paywall.html':
      html('<html><body><p>Subscribe to read this story.</p></body></html>', 403);
      return true;
    case '/slow.html':
      // Headers and the start of the page, then nothing.
      response.writeHead(200, { 'content-type': 'text/html' });
      response.write('<html><head><title>Council minutes</title></head><body><p>The council met on');
      return true;
    case '/big.html': {
      // About 200 KB, chunked (no Content-Length), so only counting the body can stop it.
      response.writeHead(200, { 'content-type': 'text/html' });
      response.write('<html><head><title>Budget hearing</title></head><body><article>');
      for (let i = 0; i < 1000; i++) response.write(`<p>Paragraph ${i} of the Riverton budget hearing transcript, read into the record in full by the clerk.</p>\n`);
      response.end('</article></body></html>');
      return true;
    }
    case '/reprint/cannery.html':
    case '/odd/traversal.html':
    case '/odd/japanese.html':
      html(VARIANTS[url.pathname]!);
      return true;
    // feed.rss with the ferry story's link broken.
    case '/feed-broken.rss':
      response
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(withBase(fixture('feed.rss').replace('{{BASE}}/opengraph-only.html', '{{BASE}}/gone/opengraph-only.html')));
      return true;
    // feed.rss whose links go through a redirect, as tracking links in feeds do.
    case '/feed-redirects.rss':
      response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(withBase(fixture('feed.rss').replaceAll('{{BASE}}/', '{{BASE}}/hop/1/')));
      return true;
  }
  return false;
}

beforeAll(async () => {
  // The cannery story again, under another address, with no link of its own and a new headline.
  VARIANTS['/reprint/cannery.html'] = cannery(
    [`      "mainEntityOfPage": { "@id": "${CANNERY_URL}" },\n`, ''],
    [CANNERY_URL, 'https://syndication.example/reprints/cannery'],
    [CANNERY_TITLE, 'Cannery sale clears Riverton council'],
  );
  VARIANTS['/odd/traversal.html'] = cannery([CANNERY_TITLE, TRAVERSAL_TITLE], ['The Riverton Ledger', '../..']);
  VARIANTS['/odd/japanese.html'] = cannery([CANNERY_TITLE, JAPANESE_TITLE], ['The Riverton Ledger', JAPANESE_OUTLET]);
  server = await startPageServer(route);
  BASE = server.base;
  hits = server.hits;
});

afterAll(async () => {
  await server.close();
});

// ---- helpers ----

/** A corpus folder that does not exist yet, and an index folder next to it. */
function freshCorpus(): { root: string; corpus: string; index: string } {
  const root = tempDir();
  return { root, corpus: path.join(root, 'corpus'), index: path.join(root, 'index') };
}

function envFor(corpus: string, index = path.join(tempDir(), 'index')): Record<string, string> {
  return { CORPUS_DIR: corpus, INDEX_DIR: index, ALLOW_PRIVATE_URLS: 'true' };
}

function addStoryScript(args: string[], corpus: string, index?: string): Promise<RunResult> {
  return runScript('scripts/add-story.ts', args, { env: envFor(corpus, index) });
}

/** Every entry of a folder (dot files too) with its bytes; null when the folder does not exist. */
function snapshot(dir: string): Record<string, string> | null {
  if (!existsSync(dir)) return null;
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(path.join(dir, name), 'latin1')]));
}

/** The story files in a corpus (the feed-link memory is a dot-file beside them). */
function storyFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.md'));
}

function storiesIn(dir: string): Story[] {
  return storyFiles(dir)
    .sort()
    .map((name) => parseStory(path.join(dir, name), readFileSync(path.join(dir, name), 'utf8')));
}

/** stdout as JSON lines: every line one object, nothing else (no blank lines, no prose). */
function jsonLines(stdout: string): Array<Record<string, unknown>> {
  if (stdout === '') return [];
  expect(stdout.endsWith('\n'), stdout).toBe(true);
  const lines = stdout.slice(0, -1).split('\n');
  expect(lines.every((line) => line.startsWith('{') && line.endsWith('}')), stdout).toBe(true);
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The lines of stderr that are not the --no-build notice. */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line && !line.startsWith('Index not updated (--no-build)'));
}

/** One sentence: one line, ends with a full stop, no stack, no second sentence, not an unexpected error. */
function expectOneSentence(message: unknown): void {
  expect(typeof message).toBe('string');
  const text = message as string;
  expect(text, text).not.toMatch(/[\r\n]/);
  expect(text, text).toMatch(/\S\.$/);
  expect(text, text).not.toMatch(/Unexpected error/i);
  expect(text, text).not.toMatch(STACK_LINE);
  expect(text, text).not.toMatch(/\bat .+:\d+:\d+/);
  // No second sentence: no ". A" / "? The" inside (URLs and "p.m." are not followed by a capital).
  expect(text.slice(0, -1), text).not.toMatch(/[.!?]["”’)]?\s+[A-Z]/);
}

const JSON_ADDED_KEYS = ['authors', 'file', 'id', 'outlet', 'paragraphs', 'published', 'source', 'title', 'url'];

// ---- tests ----

describe('npm run add-story: what is written', () => {
  it('writes the same story file from a saved page and from the page served on loopback, except the source line', async () => {
    const a = freshCorpus();
    const b = freshCorpus();
    const pageUrl = `${BASE}/jsonld-only.html`;
    const [fromFile, fromUrl] = await Promise.all([
      addStoryScript(['--no-build', path.join(PAGES, 'jsonld-only.html')], a.corpus),
      addStoryScript(['--no-build', pageUrl], b.corpus),
    ]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromUrl.code, fromUrl.stderr).toBe(0);
    const filesA = readdirSync(a.corpus);
    const filesB = readdirSync(b.corpus);
    expect(filesA).toHaveLength(1);
    expect(filesB).toEqual(filesA);
    expect(filesA[0]).toMatch(/^[a-z0-9-]+\.md$/);
    const textA = readFileSync(path.join(a.corpus, filesA[0]!), 'utf8');
    const textB = readFileSync(path.join(b.corpus, filesB[0]!), 'utf8');
    // Byte for byte: where a story was read from is not part of it.
    expect(textB).toBe(textA);
    // And what was written is the page's article, word for word.
    const story = parseStory(filesA[0]!, textA);
    expect(story.paragraphs.map((p) => p.text)).toEqual(CANNERY.paragraphs);
    expect(story.url).toBe(CANNERY_URL);
  });

  it('indexes what it adds, so ask quotes the new story with its attribution', async () => {
    const corpus = copyFixtureCorpus();
    const index = path.join(tempDir(), 'index');
    const added = await addStoryScript(['--json', `${BASE}/jsonld-only.html`], corpus, index);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toMatch(/Index updated in .*4 stories can be asked about/);
    const [line] = jsonLines(added.stdout);
    const id = line!.id as string;

    const asked = await runScript('scripts/ask.ts', ['--json', 'When and where is the first public workshop on the park design?'], {
      env: { CORPUS_DIR: corpus, INDEX_DIR: index },
    });
    expect(asked.code, asked.stderr).toBe(0);
    // add-story left an index that matches the corpus: ask did not have to build one.
    expect(asked.stderr).not.toMatch(/building it/i);
    const [answer] = jsonLines(asked.stdout) as Array<{ answered: boolean; passages: Array<{ text: string; paragraph: number; source: Record<string, unknown> }> }>;
    expect(answer!.answered).toBe(true);
    const workshop = CANNERY.paragraphs.findIndex((text) => text.includes('The first is scheduled for April 9'));
    const passage = answer!.passages.find((p) => p.text === CANNERY.paragraphs[workshop]);
    expect(passage, JSON.stringify(answer!.passages.map((p) => p.text))).toBeDefined();
    expect(passage!.paragraph).toBe(workshop + 1);
    expect(passage!.source).toEqual({
      id,
      title: CANNERY_TITLE,
      outlet: CANNERY.outlets[0],
      authors: ['Marisol Keane', 'Theo Brandt'],
      published: CANNERY.published,
      url: CANNERY_URL,
    });
    expect((passage!.source.authors as string[]).map((name) => name.split(' ').at(-1))).toEqual(CANNERY.authorSurnames);
  });
});

describe('npm run add-story: reporting', () => {
  it('--json prints one object per source with exactly the documented keys, and exits 0 when all were added', async () => {
    const { corpus } = freshCorpus();
    const sources = [`${BASE}/opengraph-only.html`, path.join(PAGES, 'multiple-authors.html'), `${BASE}/amp-style.html`];
    const run = await addStoryScript(['--no-build', '--json', ...sources], corpus);
    expect(run.code, run.stderr).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines.map((line) => line.source)).toEqual(sources);
    const stories = new Map(storiesIn(corpus).map((story) => [story.id, story]));
    expect(stories.size).toBe(3);
    for (const [line, page] of lines.map((l, i) => [l, expected(['opengraph-only', 'multiple-authors', 'amp-style'][i]!)] as const)) {
      expect(Object.keys(line).sort()).toEqual(JSON_ADDED_KEYS);
      expect(line.title).toBe(page.titles[0]);
      expect(page.outlets).toContain(line.outlet);
      expect((line.authors as string[]).map((name) => name.split(' ').at(-1))).toEqual(page.authorSurnames);
      expect(line.published).toBe(page.published);
      expect(line.url).toBe(page.url);
      expect(line.paragraphs).toBe(page.paragraphs.length);
      expect(line.file).toBe(path.join(corpus, `${line.id as string}.md`));
      const story = stories.get(line.id as string);
      expect(story?.paragraphs.map((p) => p.text)).toEqual(page.paragraphs);
    }
  });

  it('--json prints {source, error} for a source that fails, still adds the others, and exits 1', async () => {
    const { corpus } = freshCorpus();
    const sources = [`${BASE}/missing-story.html`, path.join(PAGES, 'byline-in-body.html')];
    const run = await addStoryScript(['--no-build', '--json', ...sources], corpus);
    expect(run.code).toBe(1);
    const lines = jsonLines(run.stdout);
    expect(lines).toHaveLength(2);
    expect(Object.keys(lines[0]!).sort()).toEqual(['error', 'source']);
    expect(lines[0]!.source).toBe(sources[0]);
    expectOneSentence(lines[0]!.error);
    expect(lines[0]!.error).toContain('404');
    expect(Object.keys(lines[1]!).sort()).toEqual(JSON_ADDED_KEYS);
    expect(lines[1]!.paragraphs).toBe(expected('byline-in-body').paragraphs.length);
    expect(readdirSync(corpus)).toEqual([`${lines[1]!.id as string}.md`]);
  });

  it('reports each failing source in one sentence and adds the rest', async () => {
    const { corpus } = freshCorpus();
    const failing = [
      `${BASE}/paywall-stub.html`, // a teaser and a subscribe box
      path.join(PAGES, 'index-page.html'), // a section front
      `${BASE}/no-such-story.html`, // 404
      path.join(tempDir(), 'never-saved.html'), // no such file
      `${BASE}/paywall.html`, // 403
    ];
    const good = [`${BASE}/captions-readmore.html`, path.join(PAGES, 'windows-1252.html')];
    const run = await addStoryScript(['--no-build', good[0]!, ...failing, good[1]!], corpus);
    expect(run.code).toBe(1);
    const errors = errorLines(run.stderr);
    expect(errors, run.stderr).toHaveLength(failing.length);
    errors.forEach((error, i) => {
      expectOneSentence(error);
      const source = failing[i]!;
      expect(error).toContain(/^https?:/.test(source) ? source : path.basename(source));
    });
    expect(errors[0]).toMatch(/not an article/);
    expect(errors[1]).toMatch(/not an article/);
    expect(errors[2]).toMatch(/HTTP 404/);
    expect(errors[3]).toMatch(/Cannot read/);
    expect(errors[4]).toMatch(/HTTP 403/);
    expect(run.stdout.match(/^Added /gm)).toHaveLength(2);
    const stories = storiesIn(corpus);
    expect(stories.map((story) => story.title).sort()).toEqual([expected('captions-readmore').titles[0], expected('windows-1252').titles[0]].sort());
  });

  it('--dry-run prints what would be added and writes nothing', async () => {
    const { root, corpus, index } = freshCorpus();
    const run = await runScript('scripts/add-story.ts', ['--dry-run', `${BASE}/jsonld-only.html`], { env: envFor(corpus, index) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Would add \(dry run\) .*riverton-ledger-2024-03-05-[a-z0-9-]+\.md$/m);
    expect(run.stdout).toContain(`“${CANNERY_TITLE}”`);
    expect(run.stdout).toContain('The Riverton Ledger, by Marisol Keane and Theo Brandt, March 5, 2024');
    expect(run.stdout).toContain(CANNERY_URL);
    expect(run.stdout).toContain(`${CANNERY.paragraphs.length} paragraphs`);
    expect(run.stdout).toContain(`¶ 1: ${CANNERY.paragraphs[0]}`);
    expect(run.stderr).toBe('');
    // Neither the corpus nor the index folder was created.
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('npm run add-story: duplicates', () => {
  it('refuses the same article twice, --replace updates it in place, and the same text under another address is refused', async () => {
    const { corpus } = freshCorpus();
    const pageUrl = `${BASE}/jsonld-only.html`;
    const first = await addStoryScript(['--no-build', pageUrl], corpus);
    expect(first.code, first.stderr).toBe(0);
    const [file] = readdirSync(corpus);
    const before = snapshot(corpus);

    const again = await addStoryScript(['--no-build', pageUrl], corpus);
    expect(again.code).toBe(1);
    const [refusal, ...rest] = errorLines(again.stderr);
    expect(rest).toEqual([]);
    expectOneSentence(refusal);
    expect(refusal).toContain(file);
    expect(refusal).toContain('--replace');
    expect(again.stdout).toBe('');
    expect(snapshot(corpus)).toEqual(before);

    // The same article read from the saved page (no source line): still the same link.
    const saved = await addStoryScript(['--no-build', path.join(PAGES, 'jsonld-only.html')], corpus);
    expect(saved.code).toBe(1);
    expect(errorLines(saved.stderr)[0]).toContain(file);
    expect(snapshot(corpus)).toEqual(before);

    const replaced = await addStoryScript(['--no-build', '--replace', '--title', 'Riverton buys the old cannery', pageUrl], corpus);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toMatch(/^Replaced /);
    expect(readdirSync(corpus)).toEqual([file]);
    const [story] = storiesIn(corpus);
    expect(story!.title).toBe('Riverton buys the old cannery');
    expect(story!.url).toBe(CANNERY_URL);
    expect(story!.paragraphs.map((p) => p.text)).toEqual(CANNERY.paragraphs);
    const after = snapshot(corpus);

    // Same paragraphs, another address, no canonical link, another headline: the same article.
    const reprint = await addStoryScript(['--no-build', `${BASE}/reprint/cannery.html`], corpus);
    expect(reprint.code).toBe(1);
    const [textRefusal] = errorLines(reprint.stderr);
    expectOneSentence(textRefusal);
    expect(textRefusal).toContain(file);
    expect(textRefusal).toContain('--replace');
    expect(snapshot(corpus)).toEqual(after);
  });
});

describe('addStory: a page that gives no date', () => {
  it('is added without one: no published field, no date in its id, and it reads back', async () => {
    const dir = tempDir();
    const page = path.join(dir, 'undated.html');
    const body = [
      'Volunteers planted 400 oak seedlings along the Tern Creek trail on Saturday, the parks department said, the first of three plantings this year.',
      'The seedlings came from acorns gathered on the island last autumn and raised in the high school greenhouse, teachers said.',
      'The department hopes the oaks will shade the trail and hold the creek bank in place during the winter storms that wash it out.',
    ];
    writeFileSync(page, `<html><head><title>Volunteers plant 400 oaks | The Tern Island Times</title><meta property="og:site_name" content="The Tern Island Times">
      <link rel="canonical" href="https://terntimes.example/news/oak-planting"></head><body><article><h1>Volunteers plant 400 oaks</h1>
      ${body.map((p) => `<p>${p}</p>`).join('')}</article></body></html>`);
    const corpus = { dir: path.join(dir, 'corpus'), stories: [] };
    const result = await addStory({ source: page }, corpus, { allowPrivate: false });
    expect(result).toMatchObject({ status: 'added', id: 'tern-island-times-volunteers-plant-400-oaks' });
    const text = readFileSync((result as { file: string }).file, 'utf8');
    expect(text).not.toMatch(/published/);
    const stored = parseStory('x.md', text);
    expect(stored.published).toBeUndefined();
    expect(stored.paragraphs.map((p) => p.text)).toEqual(body);
  });
});

describe('addStory: an article updated at the same address', () => {
  const first = [
    'The Gull Island ferry will run every 40 minutes this summer, up from every hour, the island council decided on Tuesday night.',
    'The extra crossings will cost about $90,000, paid from the harbour fund, the council said.',
  ];
  const revised = [first[0]!, 'The extra crossings will cost about $120,000, paid from the harbour fund and a state grant, the council said in a correction.'];
  const storyFile = (dir: string, name: string, paragraphs: string[], url: string) => {
    const file = path.join(dir, `${name}.md`);
    writeFileSync(file, `---\ntitle: Ferry to run every 40 minutes\noutlet: The Gull Island Gazette\npublished: 2024-05-07\nurl: ${url}\n---\n\n${paragraphs.join('\n\n')}\n`);
    return file;
  };

  it('is named as an update of the story it is, not added again; --replace takes the new text under the same id', async () => {
    const dir = tempDir();
    const corpus = { dir: path.join(dir, 'corpus'), stories: [] };
    const settings = { allowPrivate: false };
    const url = 'https://gazette.example/2024/05/07/ferry';
    const added = await addStory({ source: storyFile(dir, 'v1', first, url) }, corpus, settings);
    expect(added.status).toBe('added');

    const update = await addStory({ source: storyFile(dir, 'v2', revised, `${url}?utm_source=feed`) }, corpus, settings);
    expect(update).toMatchObject({ status: 'duplicate', id: (added as { id: string }).id });
    expect((update as { error: string }).error).toMatch(/already in the corpus as .*, and its text has changed since \(pass --replace to update it\)\.$/);
    expect(readdirSync(corpus.dir)).toHaveLength(1);

    // Another address with other words is another article: only the address made it the same one.
    const other = await addStory({ source: storyFile(dir, 'v3', revised.map((p) => p.replace('Gull Island', 'Tern Island')), 'https://gazette.example/2024/05/07/tern-ferry') }, corpus, settings);
    expect(other.status).toBe('added');

    const replaced = await addStory({ source: storyFile(dir, 'v2', revised, url) }, corpus, settings, { replace: true });
    expect(replaced).toMatchObject({ status: 'replaced', id: (added as { id: string }).id });
    const stored = parseStory('x.md', readFileSync(path.join(corpus.dir, `${(added as { id: string }).id}.md`), 'utf8'));
    expect(stored.paragraphs.map((p) => p.text)).toEqual(revised);
  });
});

describe('npm run add-story --feed', () => {
  it('adds every item of an RSS feed once, then nothing; an Atom feed too', async () => {
    const { corpus } = freshCorpus();
    const rss = await addStoryScript(['--no-build', '--json', '--feed', `${BASE}/feed.rss`], corpus);
    expect(rss.code, rss.stderr).toBe(0);
    const lines = jsonLines(rss.stdout);
    expect(lines.map((line) => line.source)).toEqual([`${BASE}/multiple-authors.html`, `${BASE}/jsonld-only.html`, `${BASE}/opengraph-only.html`]);
    expect(lines.map((line) => line.title)).toEqual(['multiple-authors', 'jsonld-only', 'opengraph-only'].map((page) => expected(page).titles[0]));
    expect(storyFiles(corpus)).toHaveLength(3);
    const before = snapshot(corpus);

    const again = await addStoryScript(['--no-build', '--json', '--feed', `${BASE}/feed.rss`], corpus);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/3 items, 3 already in the corpus, 0 new/);
    expect(snapshot(corpus)).toEqual(before);

    const atom = await addStoryScript(['--no-build', '--json', '--feed', `${BASE}/feed.atom`], corpus);
    expect(atom.code, atom.stderr).toBe(0);
    expect(jsonLines(atom.stdout).map((line) => line.url)).toEqual([expected('captions-readmore').url, expected('byline-in-body').url]);
    expect(storyFiles(corpus)).toHaveLength(5);
  });

  it('as cron expects: one broken link exits 4 the first time and 0 after (reported, tried again); an unreadable feed exits 3', async () => {
    const { corpus } = freshCorpus();
    const brokenLink = `${BASE}/gone/opengraph-only.html`;
    const run = await addStoryScript(['--no-build', '--json', '--feed', `${BASE}/feed-broken.rss`], corpus);
    expect(run.code, run.stderr).toBe(4);
    const lines = jsonLines(run.stdout);
    expect(lines).toHaveLength(3);
    const failed = lines.filter((line) => 'error' in line);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.source).toBe(brokenLink);
    expect(Object.keys(failed[0]!).sort()).toEqual(['error', 'source']);
    expectOneSentence(failed[0]!.error);
    expect(errorLines(run.stderr)).toEqual(['Feed The Riverton Ledger: 3 items, 0 already in the corpus, 2 new, 1 failed (first failure; tried again on the next run).']);
    expect(storiesIn(corpus).map((story) => story.url).sort()).toEqual([expected('multiple-authors').url, CANNERY_URL].sort());

    // The next poll adds nothing, tries the broken link again, reports it, and succeeds.
    const tried = server.hitsOf('/gone/opengraph-only.html');
    const again = await addStoryScript(['--no-build', '--feed', `${BASE}/feed-broken.rss`], corpus);
    expect(again.code, again.stderr).toBe(0);
    expect(server.hitsOf('/gone/opengraph-only.html')).toBe(tried + 1);
    expect(again.stdout).toBe('');
    const reported = errorLines(again.stderr);
    expect(reported).toHaveLength(2);
    expectOneSentence(reported[0]);
    expect(reported[1]).toBe('Feed The Riverton Ledger: 3 items, 2 already in the corpus, 0 new, 1 failed (it failed before too; tried again on the next run).');

    // A feed that cannot be read at all: 3, whatever the others did; they still go in.
    const unread = await addStoryScript(['--no-build', '--feed', `${BASE}/no-such-feed.rss`, '--feed', `${BASE}/feed.atom`], corpus);
    expect(unread.code, unread.stderr).toBe(3);
    const unreadLines = errorLines(unread.stderr);
    expect(unreadLines).toHaveLength(2);
    expectOneSentence(unreadLines[0]);
    expect(unreadLines[0]).toMatch(/404/);
    expect(unreadLines[1]).toBe('Feed The Riverton Ledger: Around the Region: 2 items, 0 already in the corpus, 2 new.');
    expect(storyFiles(corpus)).toHaveLength(4);
  });

  it('reads a feed from a saved file', async () => {
    const { root, corpus } = freshCorpus();
    const feedFile = path.join(root, 'region.atom');
    writeFileSync(feedFile, withBase(fixture('feed.atom')));
    const run = await addStoryScript(['--no-build', '--json', '--feed', feedFile], corpus);
    expect(run.code, run.stderr).toBe(0);
    expect(jsonLines(run.stdout).map((line) => line.source)).toEqual([`${BASE}/captions-readmore.html`, `${BASE}/byline-in-body.html`]);
    expect(storyFiles(corpus)).toHaveLength(2);
  });

  it('adds nothing the second time when the feed links redirect to the articles', async () => {
    const { corpus } = freshCorpus();
    const first = await addStoryScript(['--no-build', '--json', '--feed', `${BASE}/feed-redirects.rss`], corpus);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(storyFiles(corpus)).toHaveLength(3);
    const before = snapshot(corpus);
    const again = await addStoryScript(['--no-build', '--json', '--feed', `${BASE}/feed-redirects.rss`], corpus);
    expect(snapshot(corpus)).toEqual(before);
    expect(again.stdout).toBe('');
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });
});

describe('add-story exit status', () => {
  it('is the lowest code that applies: 1 (a source failed) before 3 (a feed unread) before 4 (an item failed for the first time)', () => {
    expect(exitCode({ failed: true, feedsUnread: 1, newItemFailures: 1 })).toBe(1);
    expect(exitCode({ failed: false, feedsUnread: 1, newItemFailures: 2 })).toBe(3);
    expect(exitCode({ failed: false, feedsUnread: 0, newItemFailures: 2 })).toBe(4);
    expect(exitCode({ failed: false, feedsUnread: 0, newItemFailures: 0 })).toBe(0);
  });
});

describe('npm run add-story: fetching safely', () => {
  it('refuses loopback addresses unless ALLOW_PRIVATE_URLS is set, naming the setting', async () => {
    const { root, corpus } = freshCorpus();
    const port = new URL(BASE).port;
    const urls = [`${BASE}/opengraph-only.html?probe=literal`, `http://localhost:${port}/opengraph-only.html?probe=named`];
    // Only PATH, HOME and the folders: no ALLOW_PRIVATE_URLS, and no project .env (another cwd).
    const run = await runProject('scripts/add-story.ts', ['--no-build', '--json', ...urls], {
      env: { CORPUS_DIR: corpus, INDEX_DIR: path.join(root, 'index') },
      cwd: root,
    });
    expect(run.code).toBe(1);
    const lines = jsonLines(run.stdout);
    expect(lines.map((line) => line.source)).toEqual(urls);
    for (const line of lines) {
      expectOneSentence(line.error);
      expect(line.error).toContain('ALLOW_PRIVATE_URLS');
    }
    expect(hits.filter((hit) => hit.includes('probe='))).toEqual([]);
    expect(existsSync(corpus)).toBe(false);
  });

  it('follows 3 redirects and refuses 7', async () => {
    const { corpus } = freshCorpus();
    const run = await addStoryScript(['--no-build', '--json', `${BASE}/hop/3/opengraph-only.html`, `${BASE}/hop/7/amp-style.html?chain=long`], corpus);
    expect(run.code).toBe(1);
    const [followed, refused] = jsonLines(run.stdout);
    expect(followed!.url).toBe(expected('opengraph-only').url);
    expect(followed!.paragraphs).toBe(expected('opengraph-only').paragraphs.length);
    expect(storiesIn(corpus).map((story) => story.url)).toEqual([expected('opengraph-only').url]);
    expectOneSentence(refused!.error);
    expect(refused!.error).toMatch(/redirected more than \d+ times/);
    expect(refused!.error).toContain(`${BASE}/hop/7/amp-style.html`);
    // It followed 5 and stopped: the end of the chain was never asked for.
    expect(hits.filter((hit) => hit.endsWith('?chain=long'))).toEqual([7, 6, 5, 4, 3, 2].map((n) => `/hop/${n}/amp-style.html?chain=long`));
  });

  it('gives up on a page that does not finish in time, in one sentence', async () => {
    const { corpus } = freshCorpus();
    const started = performance.now();
    const result = await addStory({ source: `${BASE}/slow.html` }, { dir: corpus, stories: [] }, { allowPrivate: true, fetch: { timeoutMs: 300 } });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result.status).toBe('failed');
    const error = (result as { error: string }).error;
    expectOneSentence(error);
    expect(error).toMatch(/did not answer within 0\.3 s/);
    expect(existsSync(corpus)).toBe(false);
  });

  it('stops reading a page larger than the limit, in one sentence', async () => {
    const { corpus } = freshCorpus();
    const result = await addStory({ source: `${BASE}/big.html` }, { dir: corpus, stories: [] }, { allowPrivate: true, fetch: { maxBytes: 10_000 } });
    expect(result.status).toBe('failed');
    const error = (result as { error: string }).error;
    expectOneSentence(error);
    expect(error).toContain(`${BASE}/big.html`);
    expect(error).toMatch(/larger than/);
    expect(existsSync(corpus)).toBe(false);
  });
});

describe('npm run add-story: text files and overrides', () => {
  const PARAGRAPHS = [
    'The harbor lights festival will return to Pier 4 on Saturday after a two-year pause, organizers said.',
    'About 40 boats decorated with lights are expected to parade past the breakwater at 8 p.m., weather permitting.',
    'Parking will be free at the Water Street garage after 6 p.m., and the ferry will add two late sailings.',
  ];

  function textStory(): string {
    const file = path.join(tempDir(), 'harbor-lights.txt');
    writeFileSync(file, `${PARAGRAPHS.join('\n\n')}\n`);
    return file;
  }

  it('uses --title, --outlet, --author, --published and --url exactly as given', async () => {
    const { corpus } = freshCorpus();
    const run = await addStoryScript(
      [
        '--no-build',
        '--json',
        '--title',
        'Harbor lights festival returns to Pier 4',
        '--outlet',
        'The Gull Island Gazette',
        '--author',
        'Ana Ruiz',
        '--author',
        'Ben Cole',
        '--published',
        '2024-02-29',
        '--url',
        'https://gazette.example/2024/02/29/harbor-lights',
        textStory(),
      ],
      corpus,
    );
    expect(run.code, run.stderr).toBe(0);
    const [story, ...others] = storiesIn(corpus);
    expect(others).toEqual([]);
    expect(story).toMatchObject({
      title: 'Harbor lights festival returns to Pier 4',
      outlet: 'The Gull Island Gazette',
      authors: ['Ana Ruiz', 'Ben Cole'],
      published: '2024-02-29',
      url: 'https://gazette.example/2024/02/29/harbor-lights',
    });
    expect(story!.paragraphs.map((p) => p.text)).toEqual(PARAGRAPHS);
    expect(story!.id).toMatch(/^gull-island-gazette-2024-02-29-harbor-lights/);
    expect(jsonLines(run.stdout)[0]!.id).toBe(story!.id);
  });

  it('refuses a text file with no --url, and a date that does not exist, naming the option', async () => {
    const { corpus } = freshCorpus();
    const file = textStory();
    const [noUrl, badDate] = await Promise.all([
      addStoryScript(['--no-build', '--title', 'Harbor lights', '--outlet', 'The Gull Island Gazette', '--published', '2024-02-29', file], corpus),
      addStoryScript(['--no-build', '--title', 'Harbor lights', '--published', '2024-13-40', '--url', 'https://gazette.example/harbor-lights', file], corpus),
    ]);
    expect(noUrl.code).toBe(1);
    expect(errorLines(noUrl.stderr)).toHaveLength(1);
    expectOneSentence(errorLines(noUrl.stderr)[0]);
    expect(noUrl.stderr).toContain('--url');
    expect(badDate.code).toBe(1);
    expect(errorLines(badDate.stderr)).toHaveLength(1);
    expectOneSentence(errorLines(badDate.stderr)[0]);
    expect(badDate.stderr).toContain('2024-13-40');
    expect(badDate.stderr).toContain('--published');
    expect(existsSync(corpus)).toBe(false);
  });
});

describe('npm run remove-story', () => {
  it('removes a story without touching the index under --no-build, refuses unknown ids and an empty corpus', async () => {
    const corpus = copyFixtureCorpus();
    const index = path.join(tempDir(), 'index');
    const single = path.join(tempDir(), 'corpus');
    writeStory(single, 'only-story', ['The only paragraph of the only story in this corpus.']);
    const singleBefore = snapshot(single);
    const [removed, unknown, last] = await Promise.all([
      runScript('scripts/remove-story.ts', ['--no-build', 'riverton-bike-lanes'], { env: { CORPUS_DIR: corpus, INDEX_DIR: index } }),
      runScript('scripts/remove-story.ts', ['--no-build', 'no-such-story'], { env: { CORPUS_DIR: copyFixtureCorpus(), INDEX_DIR: index } }),
      runScript('scripts/remove-story.ts', ['--no-build', 'only-story'], { env: { CORPUS_DIR: single, INDEX_DIR: index } }),
    ]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe('Removed riverton-bike-lanes\n');
    expect(readdirSync(corpus).sort()).toEqual(['harbor-bridge-repairs.md', 'riverton-library-reopens.md']);
    expect(existsSync(index)).toBe(false);

    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    const [unknownError, ...more] = unknown.stderr.split('\n').filter(Boolean);
    expect(more).toEqual([]);
    expectOneSentence(unknownError);
    expect(unknownError).toContain('no-such-story');

    expect(last.code).toBe(1);
    const [lastError, ...rest] = last.stderr.split('\n').filter(Boolean);
    expect(rest).toEqual([]);
    expectOneSentence(lastError);
    expect(lastError).toMatch(/empty/);
    expect(snapshot(single)).toEqual(singleBefore);
  });
});

describe('story ids', () => {
  it('keeps a story inside the corpus with a safe id whatever its headline and outlet say', async () => {
    const traversal = freshCorpus();
    const japanese = freshCorpus();
    mkdirSync(traversal.corpus);
    mkdirSync(japanese.corpus);
    const [a, b] = await Promise.all([
      addStoryScript(['--no-build', '--json', `${BASE}/odd/traversal.html`], traversal.corpus, traversal.index),
      addStoryScript(['--no-build', '--json', `${BASE}/odd/japanese.html`], japanese.corpus, japanese.index),
    ]);
    for (const [run, where, title] of [
      [a, traversal, TRAVERSAL_TITLE],
      [b, japanese, JAPANESE_TITLE],
    ] as const) {
      expect(run.code, run.stderr).toBe(0);
      const [line] = jsonLines(run.stdout);
      expect(line!.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(line!.file).toBe(path.join(where.corpus, `${line!.id as string}.md`));
      expect(readdirSync(where.root)).toEqual(['corpus']);
      expect(readdirSync(where.corpus)).toEqual([`${line!.id as string}.md`]);
      // The headline itself is kept as the page gives it.
      expect(line!.title).toBe(title);
      expect(storiesIn(where.corpus)[0]!.title).toBe(title);
    }
    // No Latin letters in the outlet or headline: a fallback word and a short hash of the link.
    expect(jsonLines(b.stdout)[0]!.id).toMatch(/^story-2024-03-05-[0-9a-f]{8}$/);
  });
});
