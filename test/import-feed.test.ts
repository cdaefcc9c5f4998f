import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.js';
import { FEED_LINKS_FILE, FeedUnreadableError, addFeed, feedLinkKey, type CorpusState } from '../src/import/add.js';
import { parseFeed } from '../src/import/feed.js';
import { fetchDocument } from '../src/import/fetch.js';
import { tempDir } from './helpers/corpus.js';
import { startPageServer, type PageServer } from './helpers/page-server.js';

// Feeds of a fictional town paper; every story and address is invented.
const RSS2 = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>The Riverton Ledger
      — Local News</title>
    <link>https://ledger.example.com/</link>
    <item>
      <title>Council approves protected bike lanes on Harbor Avenue</title>
      <link>https://ledger.example.com/2023/04/bike-lanes</link>
      <pubDate>Tue, 11 Apr 2023 22:30:00 -0700</pubDate>
    </item>
    <item>
      <title>Library extends weekend hours</title>
      <link>/2023/04/library-hours</link>
      <dc:date>2023-04-10T09:00:00+02:00</dc:date>
    </item>
    <item>
      <title>Ferry timetable changes for summer</title>
      <link>https://ledger.example.com/2023/04/ferry</link>
    </item>
    <item>
      <title>Council approves bike lanes (updated)</title>
      <link>https://ledger.example.com/2023/04/bike-lanes</link>
    </item>
    <item><title>Letters to the editor, no link</title></item>
    <item><title>A script link</title><link>javascript:alert(1)</link></item>
  </channel>
</rss>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Riverton Ledger: Harbor</title>
  <link rel="self" href="https://ledger.example.com/harbor.atom"/>
  <entry>
    <title>Harbor dredging starts Monday</title>
    <link rel="enclosure" type="image/jpeg" href="https://ledger.example.com/img/dredger.jpg"/>
    <link rel="alternate" type="application/json" href="https://ledger.example.com/api/dredging.json"/>
    <link rel="alternate" type="text/html" href="stories/dredging"/>
    <id>urn:uuid:6a1c0a4e-0000-4000-8000-000000000001</id>
    <published>2023-05-02T23:15:00-05:00</published>
    <updated>2023-05-03T08:00:00Z</updated>
  </entry>
  <entry>
    <title type="html">Fish market &amp;amp; pier &lt;em&gt;reopen&lt;/em&gt; &amp;#8212; at last</title>
    <link href="https://ledger.example.com/stories/pier"/>
    <id>urn:uuid:6a1c0a4e-0000-4000-8000-000000000002</id>
    <updated>2023-05-01T12:00:00Z</updated>
  </entry>
  <entry>
    <title>Comments only</title>
    <link rel="replies" href="https://ledger.example.com/stories/pier#comments"/>
    <id>urn:uuid:6a1c0a4e-0000-4000-8000-000000000003</id>
    <updated>2023-05-01T12:00:00Z</updated>
  </entry>
</feed>`;

const RDF = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://ledger.example.com/rss">
    <title>Riverton Ledger (RSS 1.0)</title>
    <link>https://ledger.example.com/</link>
  </channel>
  <item rdf:about="https://ledger.example.com/2023/03/school-board">
    <title>School board names new superintendent</title>
    <link>https://ledger.example.com/2023/03/school-board</link>
    <dc:date>2023-03-28</dc:date>
  </item>
</rdf:RDF>`;

/** The failure message, checked to be one plain sentence. */
async function failure(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  const message = (error as UserError).message;
  expect(message).not.toMatch(/\n/);
  expect(message).toMatch(/\.$/);
  expect(message).not.toMatch(/\.\s+[A-Z]|\bat .+:\d+:\d+/);
  return message;
}

describe('parseFeed', () => {
  it('reads RSS 2.0: relative links resolved, duplicates and link-less items dropped, dates as written', async () => {
    const feed = await parseFeed(RSS2, 'https://ledger.example.com/feeds/local.xml');
    expect(feed).toEqual({
      title: 'The Riverton Ledger — Local News',
      items: [
        { title: 'Council approves protected bike lanes on Harbor Avenue', link: 'https://ledger.example.com/2023/04/bike-lanes', published: '2023-04-11' },
        { title: 'Library extends weekend hours', link: 'https://ledger.example.com/2023/04/library-hours', published: '2023-04-10' },
        { title: 'Ferry timetable changes for summer', link: 'https://ledger.example.com/2023/04/ferry' },
      ],
    });
  });

  it('skips relative links when there is no base URL', async () => {
    const feed = await parseFeed(RSS2);
    expect(feed.items.map((item) => item.link)).toEqual(['https://ledger.example.com/2023/04/bike-lanes', 'https://ledger.example.com/2023/04/ferry']);
  });

  it('reads Atom, preferring the text/html alternate link', async () => {
    const feed = await parseFeed(ATOM, 'https://ledger.example.com/harbor.atom');
    expect(feed).toEqual({
      title: 'Riverton Ledger: Harbor',
      items: [
        { title: 'Harbor dredging starts Monday', link: 'https://ledger.example.com/stories/dredging', published: '2023-05-02' },
        { title: 'Fish market & pier reopen — at last', link: 'https://ledger.example.com/stories/pier', published: '2023-05-01' },
      ],
    });
  });

  it('reads RSS 1.0 (RDF)', async () => {
    expect(await parseFeed(RDF)).toEqual({
      title: 'Riverton Ledger (RSS 1.0)',
      items: [{ title: 'School board names new superintendent', link: 'https://ledger.example.com/2023/03/school-board', published: '2023-03-28' }],
    });
  });

  it.each([
    ['an HTML page', '<!doctype html><html><head><title>The Riverton Ledger</title></head><body><p>Hello</p></body></html>'],
    ['plain text', 'The Riverton Ledger is published every Tuesday.'],
    ['other XML', '<?xml version="1.0"?><catalog><book>Tide tables</book></catalog>'],
    ['nothing', ''],
  ])('rejects %s with one sentence', async (_, text) => {
    expect(await failure(parseFeed(text))).toBe('The text is not an RSS or Atom feed; give the address of the feed itself.');
  });

  it('refuses an Atom feed whose date rss-parser cannot read, with one sentence', async () => {
    const atom = ATOM.replace('2023-05-02T23:15:00-05:00', 'last Tuesday');
    expect(await failure(parseFeed(atom))).toBe('The feed has an entry with a date that cannot be read, so it was not imported.');
  });
});

describe('a feed fetched and parsed', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((_, response) => response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(RSS2));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('resolves relative links against the final feed URL', async () => {
    const document = await fetchDocument(`${base}/feeds/local.xml`, { allowPrivate: true, accept: 'feed' });
    const feed = await parseFeed(document.text, document.url);
    expect(feed.items[1]?.link).toBe(`${base}/2023/04/library-hours`);
  });
});

// ---- feed runs: what .feed-links remembers (two page servers on 127.0.0.1, two ports) ----

/** An article page with no link of its own: its story's link is the address it was fetched from. */
function articlePage(town: string): string {
  const paragraphs = [
    `The ${town} school board voted on Tuesday to keep the old brick schoolhouse on Mill Street open for another year.`,
    `Board members said the ${town} building still needs a new roof, which the district estimates will cost about $180,000.`,
    `Parents who packed the meeting room in ${town} cheered when the vote was read out, and several thanked the board by name.`,
    `The ${town} superintendent said a study of the building's heating system will be ready before the spring budget hearings.`,
  ];
  return `<!doctype html><html><head><title>${town} keeps its schoolhouse open</title><meta name="author" content="Ada Lark"></head><body><article><h1>${town} keeps its schoolhouse open</h1>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</article></body></html>`;
}

/** A feed of one item, /school.html on the same server, dated. */
const schoolFeed = (base: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Schools</title><link>${base}/</link><description>Schools</description><item><title>School stays open</title><link>${base}/school.html</link><pubDate>Tue, 11 Jun 2024 09:30:00 -0400</pubDate></item></channel></rss>`;

describe('addFeed and corpus/.feed-links', () => {
  let north: PageServer;
  let south: PageServer;
  /** A page per server that fails with 404 until this is set. */
  let deadLinkHealed = false;
  const serve = (town: string) =>
    startPageServer((url, response, request) => {
      const base = `http://${request.headers.host}`;
      if (url.pathname === '/school.html') return void response.writeHead(200, { 'content-type': 'text/html' }).end(articlePage(town)), true;
      if (url.pathname === '/school.rss') return void response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(schoolFeed(base)), true;
      if (url.pathname === '/dead.rss') return void response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(schoolFeed(base).replace('/school.html', '/dead.html')), true;
      if (url.pathname === '/dead.html' && deadLinkHealed) return void response.writeHead(200, { 'content-type': 'text/html' }).end(articlePage(`${town} again`)), true;
      return false;
    });
  beforeAll(async () => {
    [north, south] = await Promise.all([serve('Northbrook'), serve('Southwick')]);
  });
  afterAll(async () => {
    await Promise.all([north.close(), south.close()]);
  });
  const settings = { allowPrivate: true };
  const emptyCorpus = (): CorpusState => ({ dir: path.join(tempDir(), 'corpus'), stories: [] });
  const feedLinks = (corpus: CorpusState) => readFileSync(path.join(corpus.dir, FEED_LINKS_FILE), 'utf8').split('\n').filter(Boolean);

  it('keeps scheme, host, port and path: two feeds on two ports of one host both go in, and neither is fetched again', async () => {
    const corpus = emptyCorpus();
    const first = await addFeed(`${north.base}/school.rss`, corpus, settings);
    const second = await addFeed(`${south.base}/school.rss`, corpus, settings);
    expect([first, second].map((report) => report.results.map((result) => result.status))).toEqual([['added'], ['added']]);
    expect(corpus.stories.map((story) => story.url).sort()).toEqual([`${north.base}/school.html`, `${south.base}/school.html`].sort());
    expect(feedLinks(corpus)).toEqual([`${north.base}/school.html`, `${south.base}/school.html`]);

    const fetched = north.hitsOf('/school.html') + south.hitsOf('/school.html');
    const again = await addFeed(`${south.base}/school.rss`, { dir: corpus.dir, stories: [] }, settings); // by .feed-links alone
    expect(again).toMatchObject({ known: 1, results: [] });
    expect(north.hitsOf('/school.html') + south.hitsOf('/school.html')).toBe(fetched);
  });

  it('an item whose article is already a story (added by its address, not from the feed) is known: not fetched, not added', async () => {
    const corpus = emptyCorpus();
    const first = await addFeed(`${north.base}/school.rss`, corpus, settings);
    expect(first.results.map((result) => result.status)).toEqual(['added']);
    // Forget the feed's own record: only the corpus's story, with the article's address, remains.
    writeFileSync(path.join(corpus.dir, FEED_LINKS_FILE), '');
    const fetched = north.hitsOf('/school.html');
    const again = await addFeed(`${north.base}/school.rss`, corpus, settings);
    expect(again).toMatchObject({ known: 1, results: [] });
    expect(north.hitsOf('/school.html')).toBe(fetched);
    expect(corpus.stories).toHaveLength(1);
  });

  it('still understands an entry written before links kept scheme and port: it matches what it matched before', async () => {
    const corpus = emptyCorpus();
    mkdirSync(corpus.dir, { recursive: true });
    // What earlier versions wrote for http://127.0.0.1:<port>/school.html: no scheme, no port.
    writeFileSync(path.join(corpus.dir, FEED_LINKS_FILE), '127.0.0.1/school.html\n');
    const fetched = north.hitsOf('/school.html') + south.hitsOf('/school.html');
    for (const server of [north, south]) expect(await addFeed(`${server.base}/school.rss`, corpus, settings)).toMatchObject({ known: 1, results: [] });
    expect(north.hitsOf('/school.html') + south.hitsOf('/school.html')).toBe(fetched);
    // Another path on the same host is not matched by it.
    const dead = await addFeed(`${north.base}/dead.rss`, corpus, settings);
    expect(dead.results.map((result) => result.status)).toEqual(['failed']);
  });

  it('remembers a failed item: the first failure is new, the next is known-bad, and once its page works it goes in', async () => {
    const corpus = emptyCorpus();
    deadLinkHealed = false;
    const first = await addFeed(`${north.base}/dead.rss`, corpus, settings);
    expect(first.results.map((result) => result.status)).toEqual(['failed']);
    expect(first.failedBefore).toEqual(new Set());
    expect(feedLinks(corpus)).toEqual([`failed ${north.base}/dead.html`]);

    const second = await addFeed(`${north.base}/dead.rss`, corpus, settings);
    expect(second.results.map((result) => result.status)).toEqual(['failed']); // tried again
    expect(second.failedBefore).toEqual(new Set([`${north.base}/dead.html`]));
    // The same path on the other port is another link: its failure is new.
    expect((await addFeed(`${south.base}/dead.rss`, corpus, settings)).failedBefore).toEqual(new Set());
    expect(feedLinks(corpus)).toEqual([`failed ${north.base}/dead.html`, `failed ${south.base}/dead.html`]);

    deadLinkHealed = true;
    const healed = await addFeed(`${north.base}/dead.rss`, corpus, settings);
    expect(healed.results.map((result) => result.status)).toEqual(['added']);
    expect(feedLinks(corpus).at(-1)).toBe(`${north.base}/dead.html`);
    expect(await addFeed(`${north.base}/dead.rss`, corpus, settings)).toMatchObject({ known: 1, results: [] });
  });

  it('a feed that cannot be read is a FeedUnreadableError with one sentence, and nothing is remembered', async () => {
    const corpus = emptyCorpus();
    const error = await addFeed(`${north.base}/no-such-feed.rss`, corpus, settings).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedUnreadableError);
    expect(await failure(Promise.reject(error))).toMatch(/404/);
    expect(existsSync(path.join(corpus.dir, FEED_LINKS_FILE))).toBe(false);
  });
});

describe('feedLinkKey', () => {
  it('keeps scheme, host, port and path; drops what normaliseLink drops', () => {
    expect(feedLinkKey('http://127.0.0.1:8080/school.html')).toBe('http://127.0.0.1:8080/school.html');
    expect(feedLinkKey('https://www.Ledger.example:443/News/Story/?utm_source=rss#top')).toBe('https://ledger.example/news/story');
    expect(feedLinkKey('http://127.0.0.1:8080/school.html')).not.toBe(feedLinkKey('http://127.0.0.1:8081/school.html'));
    expect(feedLinkKey('http://ledger.example/a')).not.toBe(feedLinkKey('https://ledger.example/a'));
  });
});
