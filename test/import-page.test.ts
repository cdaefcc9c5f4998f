import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stripSuffix } from '../src/import/attribute.js';
import { isBoilerplateBlock, type TextBlock } from '../src/import/boilerplate.js';
import { bylineNames } from '../src/import/byline.js';
import { dateFromUrl, parseDate } from '../src/import/dates.js';
import { countShown, importReport, readExpectedPages, scoreAttribution, scoreText, type ExpectedPage } from '../src/import/evaluation.js';
import { NotAnArticleError, paragraphsOf } from '../src/import/extract.js';
import { asShownOnPage } from '../src/import/verbatim.js';
import { parseHTML } from 'linkedom';
import { decodeDocument } from '../src/import/fetch.js';
import { importPage } from '../src/import/page.js';
import { normaliseText } from '../src/import/text.js';
import { PROJECT_ROOT } from './helpers/corpus.js';

const PAGES = path.join(PROJECT_ROOT, 'test/fixtures/pages');
const expected: ExpectedPage[] = readFileSync(path.join(PAGES, 'pages.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as ExpectedPage);
const page = (name: string) => decodeDocument(readFileSync(path.join(PAGES, `${name}.html`)));
/** `npm run eval -- --import <file>`'s report. */
const importReportOf = async (file: string) => importReport(file, await readExpectedPages(file));

describe('importPage on pages in the shapes news sites use', () => {
  it.each(expected.map((item) => [item.page, item] as const))('%s: the article paragraphs, exactly, and the attribution', (name, want) => {
    const article = importPage(page(name));
    expect(article.paragraphs).toEqual(want.paragraphs);
    const score = scoreAttribution(article.attribution, want);
    expect(score).toEqual({ title: true, outlet: true, authors: true, published: true, url: true });
    expect(article.attribution.title).toBe(want.titles[0]);
  });

  it.each([
    ['paywall-stub', /only \d+ words before a paywall/],
    ['login-wall', /only \d+ words of article text/],
    ['index-page', /list of \d+ headlines/],
  ])('refuses %s as not an article, in one sentence', (name, reason) => {
    const read = () => importPage(page(name));
    expect(read).toThrow(NotAnArticleError);
    expect(read).toThrow(reason);
    try {
      read();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('takes a short article whole, and a long one that a paywall script marks but does not hide', () => {
    const brief = [
      'A water main broke under Front Street early Tuesday, flooding two basements and closing the road between Third and Fifth avenues.',
      'Crews expected to finish repairs by evening, the water department said. Residents nearby may see cloudy water for a day.',
    ];
    const html = (paragraphs: string[], paywall: string) => `<html><head><meta property="og:title" content="Main break closes Front Street">
      <link rel="canonical" href="https://ledger.example/main-break"><meta property="article:published_time" content="2024-02-06"></head>
      <body><article>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</article>${paywall}</body></html>`;
    expect(importPage(html(brief, '')).paragraphs).toEqual(brief);
    const markup = '<div class="paywall-overlay" hidden></div>';
    expect(() => importPage(html(brief, markup))).toThrow(/before a paywall/);
    const long = Array.from({ length: 8 }, (_, i) => `${brief[i % 2]} Paragraph ${i + 1} goes on with more detail about the repairs.`);
    expect(importPage(html(long, markup)).paragraphs).toEqual(long);
  });

  it('lets the person importing override every field the page gives', () => {
    const overrides = { title: 'Own headline', outlet: 'Own Outlet', authors: ['Ann Other'], published: '2020-01-02', url: 'https://own.example/story' };
    expect(importPage(page('jsonld-only'), { overrides }).attribution).toEqual(overrides);
  });

  it('takes the page address as the link and the outlet from its host when the page names neither', () => {
    const html = `<html><head><title>Harbor bridge reopens after repairs</title></head><body><article><h1>Harbor bridge reopens after repairs</h1>
      ${'<p>The Harbor Street bridge reopened to traffic on Monday after eight months of repairs to its deck and railings, city engineers said.</p>'.repeat(6)}
      </article></body></html>`;
    const article = importPage(html, { pageUrl: 'https://www.harborcourier.example/local/bridge-reopens' });
    expect(article.attribution.url).toBe('https://www.harborcourier.example/local/bridge-reopens');
    expect(article.attribution.outlet).toBe('harborcourier.example');
    expect(article.attribution.title).toBe('Harbor bridge reopens after repairs');
  });

  it('drops a closing author bio but keeps a paragraph that opens with the author’s name mid-story', () => {
    const body = [
      'The county opened its new recycling centre on Friday, three months late and a little over budget, officials said.',
      'Dana Whitfield is one of the residents who pushed for the centre, and she was the first in line on opening day to drop off a load of cardboard.',
      'The centre will be open six days a week and accepts glass, metals, paper and most plastics, the county said in a statement.',
      'Officials expect it to handle about 40 tonnes of material a week once the curbside programme is expanded next spring.',
      'Dana Whitfield is a reporter for The Test Gazette who covers county government.',
    ];
    const html = `<html><head><meta name="author" content="Dana Whitfield"><meta property="og:title" content="Recycling centre opens">
      <link rel="canonical" href="https://gazette.example/recycling"><meta property="article:published_time" content="2022-05-06"></head>
      <body><article>${body.map((p) => `<p>${p}</p>`).join('')}</article></body></html>`;
    expect(importPage(html).paragraphs).toEqual(body.slice(0, 4));
  });
});

describe('every quoted word is the page’s, under the article’s own byline and date', () => {
  // A page of an invented paper, built from parts, so each test changes one thing.
  const story = [
    'The <span class="meta-org">Harbor Port Authority</span>’s $4.8 billion sale to <a class="related-entity" href="/topics/gullwing">Gullwing Logistics</a> is a complicated beast, and the board has until June to approve it.',
    '<span class="sidebar-name">Mara Quill</span>, who chairs the board, said the vote would be public. “We will take the time this deserves,” <span class="share-quote">she said</span>.',
    'Dockworkers’ unions asked for a hearing in every ward before the vote, citing the loss of 300 jobs promised under the <abbr class="info">HPA</abbr>’s 2019 plan.',
    'Under the terms, Gullwing would run the container terminals for 40 years and pay the city a share of its revenue each quarter, the authority said.',
    'Opponents on the council said the price was too low for the busiest terminal on the coast and that the sale had been rushed through committee.',
  ];
  const shown = [
    'The Harbor Port Authority’s $4.8 billion sale to Gullwing Logistics is a complicated beast, and the board has until June to approve it.',
    'Mara Quill, who chairs the board, said the vote would be public. “We will take the time this deserves,” she said.',
    'Dockworkers’ unions asked for a hearing in every ward before the vote, citing the loss of 300 jobs promised under the HPA’s 2019 plan.',
    'Under the terms, Gullwing would run the container terminals for 40 years and pay the city a share of its revenue each quarter, the authority said.',
    'Opponents on the council said the price was too low for the busiest terminal on the coast and that the sale had been rushed through committee.',
  ];
  const html = (parts: { head?: string; header?: string; widgets?: string; body?: string[] } = {}) => `<!doctype html><html><head>
      <title>Port sale heads to a vote | The Gull Island Gazette</title>
      <meta property="og:title" content="Port sale heads to a vote"><link rel="canonical" href="https://gazette.example/2024/05/07/port-sale">
      ${parts.head ?? ''}</head><body>
      <nav><a href="/">Home</a> <a href="/news">News</a></nav>
      <main><article><header><h1>Port sale heads to a vote</h1>${parts.header ?? ''}</header>
      ${(parts.body ?? story).map((p) => `<p>${p}</p>`).join('\n')}
      </article>${parts.widgets ?? ''}</main><footer><p>© The Gull Island Gazette</p></footer></body></html>`;

  it('keeps names marked up inline whatever their class says, also where Readability drops the element itself', () => {
    expect(importPage(html()).paragraphs).toEqual(shown);
  });

  it('adds a page that gives no date anywhere without one', () => {
    const article = importPage(html().replace('/2024/05/07', ''));
    expect(article.attribution.published).toBeUndefined();
  });

  it('takes the main article’s datePublished, never its dateCreated or dateModified, nor a sidebar’s <time>', () => {
    const jsonLd = (article: object) => `<script type="application/ld+json">${JSON.stringify(article)}</script>`;
    const graph = jsonLd({
      '@context': 'https://schema.org',
      '@graph': [
        { '@type': 'NewsArticle', headline: 'Ferry fares rise', url: 'https://gazette.example/2024/04/01/ferry-fares', datePublished: '2024-04-01T08:00:00-07:00' },
        { '@type': 'NewsArticle', headline: 'Port sale heads to a vote', url: 'https://gazette.example/2024/05/07/port-sale', dateCreated: '2024-05-06T22:10:00-07:00', datePublished: '2024-05-07T06:00:00-07:00', dateModified: '2024-05-08T09:00:00-07:00' },
      ],
    });
    const sidebar = '<aside class="most-read"><ol><li><a href="/x">Ferry fares rise</a> <time datetime="2024-04-01">April 1</time></li></ol></aside>';
    const undatedUrl = (page: string) => page.replaceAll('/2024/05/07', '');
    expect(importPage(undatedUrl(html({ head: graph, widgets: sidebar }))).attribution.published).toBe('2024-05-07');
    // With no metadata at all, the article header's <time> gives the date, not the sidebar's that comes first.
    const sidebarFirst = html({ header: '<time datetime="2024-05-07T06:00:00-07:00">May 7, 2024</time>', widgets: sidebar }).replace('<main>', `<main>${sidebar}`);
    expect(importPage(undatedUrl(sidebarFirst)).attribution.published).toBe('2024-05-07');
    // Nor today's date in the masthead above the article.
    const masthead = html({ header: '<time datetime="2024-05-07T06:00:00-07:00">May 7, 2024</time>' }).replace('<main>', '<header class="masthead"><time datetime="2024-06-01">Saturday, June 1, 2024</time></header><main>');
    expect(importPage(undatedUrl(masthead)).attribution.published).toBe('2024-05-07');
    // And a page whose only <time> is a sidebar's has no date of its own.
    expect(importPage(undatedUrl(html({ widgets: sidebar }))).attribution.published).toBeUndefined();
  });

  it('never credits a related list’s, a sidebar’s or a comment’s names, nor contributors and photographers', () => {
    const related = '<div class="related-stories"><h2>Related</h2><ul><li><a href="/a">Ferry fares rise</a><span class="byline">By Otto Brandvold</span></li></ul></div>';
    const aside = '<aside><div class="author">Priya Castellanos</div><p class="byline">By Priya Castellanos</p></aside>';
    const comments = '<section id="comments"><div class="comment"><span class="author">Lena Hartwick</span><p>Great reporting!</p></div></section>';
    expect(importPage(html({ widgets: related })).attribution.authors).toEqual([]);
    expect(importPage(html({ widgets: aside + comments })).attribution.authors).toEqual([]);
    const header = '<p class="byline">By Wren Adeyemi</p><p class="photo-credit byline">Photographs by Jonas Petrakis</p>';
    const credit = story.concat('<span class="byline">Tamsin Oduya contributed to this report.</span>');
    expect(importPage(html({ header, widgets: related, body: credit })).attribution.authors).toEqual(['Wren Adeyemi']);
  });
});

describe('pruning by whole blocks, and the check against the page', () => {
  const root = (html: string) => (parseHTML(`<html><body><div id="story">${html}</div></body></html>`) as unknown as { document: Document }).document.querySelector('#story')!;

  it('prunes furniture blocks but keeps inline furniture-classed elements’ words inside a kept paragraph', () => {
    const paragraphs = paragraphsOf(
      root(`<p>The sale to <span class="meta-org">Gullwing Logistics</span> closes on <time class="timestamp">Friday</time>, <a class="related-link" href="/x">the board</a> said.</p>
        <div class="share-tools"><p>Share this story with a friend who follows the port.</p></div>
        <span class="share-label">Share</span>`),
    ).paragraphs;
    expect(paragraphs).toEqual(['The sale to Gullwing Logistics closes on Friday, the board said.']);
  });

  it('gives back the page’s whole block for a paragraph that lost inline words, and drops one the page never shows', () => {
    const blocks = ['Port sale heads to a vote', 'The Harbor Port Authority’s sale to Gullwing Logistics is a complicated beast.', 'Mara Quill (HPA) chairs the board.'];
    const result = asShownOnPage(['’s sale to is a complicated beast.', 'Mara Quill () chairs the board.', 'A sentence the page never had in it at all.'], blocks);
    expect(result).toEqual({ paragraphs: [blocks[1], blocks[2]], restored: 2, dropped: 1 });
    expect(asShownOnPage([blocks[1]!], blocks)).toEqual({ paragraphs: [blocks[1]], restored: 0, dropped: 0 });
  });
});

describe('boilerplate rules', () => {
  const block = (text: string, extra: Partial<TextBlock> = {}): TextBlock => ({ text, linkDensity: 0, emphasisShare: 0, strongShare: 0, withMedia: false, inList: false, ...extra });

  it.each([
    'Advertisement',
    'Read more: Council approves the budget',
    'Related: Five things to know about the levy',
    'Photo: Jane Smith / Riverton Ledger',
    '© 2024 The Riverton Ledger',
    'Share on Facebook',
    'Get the morning briefing in your inbox every weekday.',
    'Home | News | Sports | Weather',
    'Updated 3:42 p.m.',
    'A version of this article appears in print on Page A22.',
    '.',
    '* * *',
    '—',
  ])('drops "%s"', (text) => {
    expect(isBoilerplateBlock(block(text))).toBe(true);
  });

  it('drops a lone link, a bold subheading and a caption after an image, but not sentences that only look similar', () => {
    expect(isBoilerplateBlock(block('Council approves the budget for next year', { linkDensity: 1 }))).toBe(true);
    expect(isBoilerplateBlock(block('Back on the schooner', { strongShare: 1 }))).toBe(true);
    expect(isBoilerplateBlock(block('A fisherman hauls a halibut aboard in Sitka.', { withMedia: true, emphasisShare: 1 }))).toBe(true);
    expect(isBoilerplateBlock(block('He declined to comment.'))).toBe(false);
    expect(isBoilerplateBlock(block('Yes.'))).toBe(false);
    expect(isBoilerplateBlock(block('1.'))).toBe(false);
    expect(isBoilerplateBlock(block('Read the full report, the mayor said, before you judge the plan.'))).toBe(false);
    expect(isBoilerplateBlock(block('Photographers were kept behind a rope line as the mayor spoke.'))).toBe(false);
    expect(isBoilerplateBlock(block('The report, which the council released on its website, runs to 212 pages.', { linkDensity: 0.3 }))).toBe(false);
  });
});

describe('bylines', () => {
  it.each([
    ['By Greg Miller and Greg Jaffe', ['Greg Miller', 'Greg Jaffe']],
    ['By Hannah Whitcombe, Luis Ferreira and Grace Okafor', ['Hannah Whitcombe', 'Luis Ferreira', 'Grace Okafor']],
    ['By Brenda Goodman, MA WebMD Health News', ['Brenda Goodman']],
    ['Ben Silverman, Games Editor, Yahoo Finance', ['Ben Silverman']],
    ['By GILLIAN MOHNEY March 11, 2015 3:46 PM', ['Gillian Mohney']],
    ['by Lucas Nolan22 Dec 2016651', ['Lucas Nolan']],
    ['Mark Di Stefano', ['Mark Di Stefano']],
    ['Von Jonas Albrecht und Miriam Koch', ['Jonas Albrecht', 'Miriam Koch']],
    ['TMZ Staff', []],
    ['By Staff and wire reports', []],
    ['https://www.facebook.com/someone', []],
  ])('%s', (text, names) => {
    expect(bylineNames(text)).toEqual(names);
  });
});

describe('dates', () => {
  it.each([
    ['2017-05-15T22:30:00-04:00', '2017-05-15'],
    ['2019-04-28 06:01:07', '2019-04-28'],
    ['Tue, 05 Mar 2024 14:20:00 GMT', '2024-03-05'],
    ['Feb. 23, 2015 -- Babies who eat peanuts', '2015-02-23'],
    ['posted on April 21, 2015, at 11:29 a.m.', '2015-04-21'],
    ['Published Thursday 27 July 2017', '2017-07-27'],
    ['12 mars 2024', '2024-03-12'],
    ['5. Februar 2024', '2024-02-05'],
    ['05.02.2024', '2024-02-05'],
    ['2/26/2015 7:11 AM PST', '2015-02-26'],
    ['20190221', '2019-02-21'],
    ['1:39 PM ET', undefined],
    ['2023-02-30', undefined],
  ])('%s → %s', (text, date) => {
    expect(parseDate(text)).toBe(date);
  });

  it('reads a date from a URL path', () => {
    expect(dateFromUrl('http://www.tmz.com/2015/02/26/lupita-dress/')).toBe('2015-02-26');
    expect(dateFromUrl('https://example.com/news/20150220/peanut-allergy')).toBe('2015-02-20');
    expect(dateFromUrl('https://example.com/news/story-12345')).toBeUndefined();
  });
});

describe('headline suffixes', () => {
  it('drops the outlet after a separator and keeps a headline that merely has a dash', () => {
    expect(stripSuffix('Trump Supporters? - Breitbart', 'Breitbart')).toBe('Trump Supporters?');
    expect(stripSuffix('Alaskan halibut | The Seattle Times', 'The Seattle Times')).toBe('Alaskan halibut');
    expect(stripSuffix('Ferry adds sailings - Harbor City Courier', undefined)).toBe('Ferry adds sailings');
    expect(stripSuffix('Council votes 5-2 to buy cannery', 'The Riverton Ledger')).toBe('Council votes 5-2 to buy cannery');
    expect(stripSuffix('Why the river rose - and what comes next for the town.', 'The Riverton Ledger')).toBe('Why the river rose - and what comes next for the town.');
  });
});

describe('import scores', () => {
  it('scores text by word 4-gram shingles: extra text lowers precision, missing text lowers recall', () => {
    const gold = ['one two three four five six seven eight', 'nine ten eleven twelve thirteen'];
    expect(scoreText(gold, gold)).toEqual({ precision: 1, recall: 1, f1: 1 });
    const extra = scoreText([...gold, 'advertisement share this story now'], gold);
    expect(extra.recall).toBe(1);
    expect(extra.precision).toBeLessThan(1);
    const missing = scoreText(gold.slice(0, 1), gold);
    expect(missing.precision).toBe(1);
    expect(missing.recall).toBeLessThan(1);
    expect(scoreText([], gold).f1).toBe(0);
  });
});

describe('every paragraph taken is text the page shows, word for word', () => {
  const sets = ['test/fixtures/pages/pages.jsonl', 'test/fixtures/pages-holdout/pages.jsonl', 'test/fixtures/pages-unseen/pages.jsonl'].map((file) => path.join(PROJECT_ROOT, file));
  const newsDev = path.join(PROJECT_ROOT, '../shared/eval/news-dev/pages.jsonl');

  it.each(sets)('%s', async (file) => {
    const report = await importReportOf(file);
    expect(report.pages.filter((p) => p.shown < p.paragraphs).map((p) => p.page)).toEqual([]);
    expect(report.shownShare).toBe(1);
  });

  it.skipIf(!existsSync(newsDev))('the team’s real saved pages (../shared/eval/news-dev, when beside the project)', async () => {
    const report = await importReportOf(newsDev);
    expect(report.pages.filter((p) => p.shown < p.paragraphs).map((p) => p.page)).toEqual([]);
    expect(report.pages.filter((p) => p.refused)).toEqual([]);
    expect(report.allFourRight).toBe(1);
  });

  // The check must not lean on the normalisation it checks: what "shown" means is written here
  // literally, and a paragraph off by a letter's case, a mark, a digit or an accent is not shown.
  it('normaliseText only joins white space and drops invisible characters: every letter, mark and digit stays as it was', () => {
    expect(normaliseText('  The\u00a0Harbor   Port\n\tAuthority\u200b’s  sale ')).toBe('The Harbor Port Authority’s sale');
    expect(normaliseText('co\u00adoperation\ufeff, 4.2 million — “Ça va?” 東京の港')).toBe('cooperation, 4.2 million — “Ça va?” 東京の港');
    expect(normaliseText('ALL CAPS, (brackets) & ‘quotes’: 1,000!')).toBe('ALL CAPS, (brackets) & ‘quotes’: 1,000!');
  });

  it('counts a paragraph that differs from the page by case, punctuation, a digit or an accent as not shown', () => {
    const html = '<html><body><p>Café owners said the plan would cost €4.2 million, not €3 million.</p></body></html>';
    expect(countShown(['Café owners said the plan would cost €4.2 million, not €3 million.'], html)).toBe(1);
    const offByOne = [
      'café owners said the plan would cost €4.2 million, not €3 million.',
      'Café owners said the plan would cost €4.2 million not €3 million.',
      'Café owners said the plan would cost €4.3 million, not €3 million.',
      'Cafe owners said the plan would cost €4.2 million, not €3 million.',
      'Café owners said the plan would cost €4.2 million, not €3 million',
    ];
    expect(countShown(offByOne, html)).toBe(0);
  });

  it('counts a paragraph with a word missing as not shown', async () => {
    const html = '<html><body><p>The <span class="org">Harbor Port Authority</span>’s sale<br>is a complicated beast.</p><p>One.<br><br>Two parts here.</p></body></html>';
    expect(countShown(['The Harbor Port Authority’s sale is a complicated beast.', 'One.', 'Two parts here.'], html)).toBe(3);
    expect(countShown(['The ’s sale is a complicated beast.', 'The Harbor Port Authority’s sale', 'One. Two'], html)).toBe(0);
  });
});

describe('held-out pages written without looking at the extractor (pages-unseen: never tuned on)', () => {
  it('takes the text and the attribution', async () => {
    const file = path.join(PROJECT_ROOT, 'test/fixtures/pages-unseen/pages.jsonl');
    const report = await importReportOf(file);
    expect(report.pages.filter((p) => p.refused)).toEqual([]);
    expect(report.mean.f1).toBeGreaterThanOrEqual(0.96);
    expect(report.fields.published).toBe(1);
    expect(report.allFourRight).toBeGreaterThanOrEqual(0.9);
  });
});

describe('held-out pages (written without looking at the extractor)', () => {
  it('keeps every expected paragraph and little else, and refuses none', async () => {
    const file = path.join(PROJECT_ROOT, 'test/fixtures/pages-holdout/pages.jsonl');
    const report = await importReportOf(file);
    expect(report.pages.filter((p) => p.refused)).toEqual([]);
    expect(report.mean.recall).toBe(1);
    expect(report.mean.f1).toBeGreaterThanOrEqual(0.97);
    expect(report.allFourRight).toBeGreaterThanOrEqual(0.8);
  });
});

describe('seen on real pages', () => {
  it('keeps a byline of a link marked rel=author inside span.byline, with initials in brackets (Salon’s shape)', () => {
    const html = readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/pages/byline-span-author-link.html'), 'utf8');
    expect(importPage(html).attribution.authors).toEqual(['Marguerite (M.T.) Quill']);
    expect(bylineNames('Richard (R.J.) Eskow')).toEqual(['Richard (R.J.) Eskow']);
    // Brackets are not a licence for anything: a bracketed word must still start a name-like run.
    expect(bylineNames('(Staff) reports')).toEqual([]);
  });

  describe('the outlet of a page with no name of its own', () => {
    // No og:site_name, no publisher, no title suffix: only the address can name the outlet.
    const page = (extra = '') =>
      `<!doctype html><html><head><meta charset="utf-8"><title>Ferry fares stay put</title>${extra}</head><body><article><h1>Ferry fares stay put</h1>` +
      '<p>The harbour board voted on Tuesday to keep ferry fares at their current level through the end of the winter season, the chair said.</p>' +
      '<p>A freeze costs the board about $410,000 over the winter, according to a staff memo circulated to members of the board last week.</p>' +
      '<p>Riders had asked the board to delay the planned increase, saying it would fall hardest on people who work the night shift.</p></article></body></html>';

    it.each([
      ['http://127.0.0.1:8765/story.html', '127.0.0.1'],
      ['http://10.1.2.3/story.html', '10.1.2.3'],
      ['http://[::1]:8080/story.html', '[::1]'],
      ['http://localhost:3000/story.html', 'localhost'],
      ['http://newsroom/story.html', 'newsroom'],
    ])('%s → %s, the host as written (never its last labels)', (pageUrl, outlet) => {
      expect(importPage(page(), { pageUrl }).attribution.outlet).toBe(outlet);
    });

    it('a page that names itself keeps that name, whatever its address', () => {
      expect(importPage(page('<meta property="og:site_name" content="Harbor Courier">'), { pageUrl: 'http://127.0.0.1:8765/story.html' }).attribution.outlet).toBe('Harbor Courier');
    });
  });
});
