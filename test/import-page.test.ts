import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stripSuffix } from '../src/import/attribute.js';
import { isBoilerplateBlock, type TextBlock } from '../src/import/boilerplate.js';
import { bylineNames } from '../src/import/byline.js';
import { dateFromUrl, parseDate } from '../src/import/dates.js';
import { scoreAttribution, scoreText, type ExpectedPage } from '../src/import/evaluation.js';
import { NotAnArticleError } from '../src/import/extract.js';
import { decodeDocument } from '../src/import/fetch.js';
import { importPage } from '../src/import/page.js';
import { PROJECT_ROOT } from './helpers/corpus.js';

const PAGES = path.join(PROJECT_ROOT, 'test/fixtures/pages');
const expected: ExpectedPage[] = readFileSync(path.join(PAGES, 'pages.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as ExpectedPage);
const page = (name: string) => decodeDocument(readFileSync(path.join(PAGES, `${name}.html`)));

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
  ])('drops "%s"', (text) => {
    expect(isBoilerplateBlock(block(text))).toBe(true);
  });

  it('drops a lone link, a bold subheading and a caption after an image, but not sentences that only look similar', () => {
    expect(isBoilerplateBlock(block('Council approves the budget for next year', { linkDensity: 1 }))).toBe(true);
    expect(isBoilerplateBlock(block('Back on the schooner', { strongShare: 1 }))).toBe(true);
    expect(isBoilerplateBlock(block('A fisherman hauls a halibut aboard in Sitka.', { withMedia: true, emphasisShare: 1 }))).toBe(true);
    expect(isBoilerplateBlock(block('He declined to comment.'))).toBe(false);
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

describe('held-out pages (written without looking at the extractor)', () => {
  it('keeps every expected paragraph and little else, and refuses none', async () => {
    const { readExpectedPages, importReport } = await import('../src/import/evaluation.js');
    const file = path.join(PROJECT_ROOT, 'test/fixtures/pages-holdout/pages.jsonl');
    const report = importReport(file, await readExpectedPages(file));
    expect(report.pages.filter((p) => p.refused)).toEqual([]);
    expect(report.mean.recall).toBe(1);
    expect(report.mean.f1).toBeGreaterThanOrEqual(0.97);
    expect(report.allFourRight).toBeGreaterThanOrEqual(0.8);
  });
});
