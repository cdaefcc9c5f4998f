import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseHTML } from 'linkedom';
import { normaliseLink } from '../corpus/index.js';
import { UserError, describeError } from '../errors.js';
import { foldForComparison } from '../fold.js';
import type { Attribution } from './attribute.js';
import { decodeDocument } from './fetch.js';
import { importPage } from './page.js';
import { normaliseText } from './text.js';

/** One line of a pages file (the format of shared/eval/news-dev/pages.jsonl). */
export interface ExpectedPage {
  page: string;
  titles: string[];
  authorSurnames: string[];
  outlets: string[];
  published: string | null;
  url: string;
  paragraphs: string[];
}

export interface TextScore {
  precision: number;
  recall: number;
  f1: number;
}

export interface AttributionScore {
  title: boolean;
  outlet: boolean;
  authors: boolean;
  published: boolean;
  url: boolean;
}

/** Lower-case words (letters and digits), the unit of the shingles. */
function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Word 4-gram shingles with their counts; a text shorter than four words is one shingle. */
function shingles(text: string): Map<string, number> {
  const tokens = words(text);
  const counts = new Map<string, number>();
  if (tokens.length > 0 && tokens.length < 4) counts.set(tokens.join(' '), 1);
  for (let i = 0; i + 4 <= tokens.length; i++) {
    const key = tokens.slice(i, i + 4).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Precision and recall of the extracted text's word 4-gram shingles against the expected text. */
export function scoreText(extracted: readonly string[], expected: readonly string[]): TextScore {
  const got = shingles(extracted.join('\n'));
  const want = shingles(expected.join('\n'));
  let shared = 0;
  let gotTotal = 0;
  let wantTotal = 0;
  for (const [key, count] of got) {
    gotTotal += count;
    shared += Math.min(count, want.get(key) ?? 0);
  }
  for (const count of want.values()) wantTotal += count;
  const precision = gotTotal ? shared / gotTotal : 0;
  const recall = wantTotal ? shared / wantTotal : 0;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
}


/** Whether each attribution field is right; authors must name exactly the expected people. */
export function scoreAttribution(attribution: Attribution | undefined, expected: ExpectedPage): AttributionScore {
  if (!attribution) return { title: false, outlet: false, authors: false, published: false, url: false };
  const authors = attribution.authors.map(foldForComparison);
  const surnames = expected.authorSurnames.map(foldForComparison);
  const everyExpected = surnames.every((surname) => authors.some((author) => author === surname || author.endsWith(` ${surname}`)));
  return {
    title: expected.titles.some((title) => foldForComparison(title) === foldForComparison(attribution.title ?? '')),
    outlet: expected.outlets.some((outlet) => foldForComparison(outlet) === foldForComparison(attribution.outlet ?? '')),
    authors: everyExpected && authors.length === surnames.length,
    published: (attribution.published ?? null) === expected.published,
    url: !!attribution.url && normaliseLink(attribution.url) === normaliseLink(expected.url),
  };
}

// Phrasing content: text inside these flows on in the same line. Every other element starts a
// new one. Kept apart from the extractor's own block rules on purpose, so it checks them.
const PHRASING = new Set(
  'a abbr acronym b bdi bdo big cite code data del dfn em font i img ins kbd label mark nobr q rp rt ruby s samp small span strike strong sub sup time tt u var wbr'.split(' '),
);
const INVISIBLE = new Set(['script', 'style', 'noscript', 'template', 'head', 'title']);
const BREAK = '\u2029';

/**
 * The texts a page shows as units a reader would call a paragraph: each line of visible text
 * between elements that are not phrasing content, and each part of one between two line breaks
 * in a row (a single <br> joins with a space, as the extractor reads it).
 */
export function shownTexts(html: string): Set<string> {
  const { document } = parseHTML(html) as unknown as { document: Document };
  const lines: string[] = [''];
  const walk = (node: Node): void => {
    for (const child of [...node.childNodes]) {
      if (child.nodeType === 3) {
        lines[lines.length - 1] += child.textContent ?? '';
        continue;
      }
      if (child.nodeType !== 1) continue;
      const element = child as Element;
      const tag = element.tagName.toLowerCase();
      if (INVISIBLE.has(tag) || element.hasAttribute('hidden')) continue;
      if (tag === 'br') {
        lines[lines.length - 1] += BREAK;
        continue;
      }
      const phrasing = PHRASING.has(tag);
      if (!phrasing) lines.push('');
      walk(element);
      if (!phrasing) lines.push('');
    }
  };
  const body = document.querySelector('body');
  if (body) walk(body);
  const shown = new Set<string>();
  for (const line of lines) {
    shown.add(normaliseText(line.replaceAll(BREAK, ' ')));
    for (const part of line.split(/\u2029\s*\u2029/)) shown.add(normaliseText(part.replaceAll(BREAK, ' ')));
  }
  shown.delete('');
  return shown;
}

/** How many of the paragraphs are, each whole, a text the page shows: a quote with a word missing is not. */
export function countShown(paragraphs: readonly string[], html: string): number {
  const shown = shownTexts(html);
  return paragraphs.filter((paragraph) => shown.has(paragraph)).length;
}

const FIELDS = ['title', 'outlet', 'authors', 'published', 'url'] as const;

export interface PageReport extends TextScore {
  page: string;
  attribution: AttributionScore;
  /** Paragraphs taken, and how many of them are text the page shows, word for word. */
  paragraphs: number;
  shown: number;
  /** Why the page was refused, when it was (its text then scores 0). */
  refused?: string;
  ms: number;
}

export interface ImportReport {
  file: string;
  pages: PageReport[];
  mean: TextScore;
  /** Share of pages with each field right. */
  fields: Record<(typeof FIELDS)[number], number>;
  /** Share of pages with headline, outlet, authors and date all right. */
  allFourRight: number;
  /** Share of all paragraphs taken that are text the page shows (1 when none were taken). */
  shownShare: number;
}

/** Reads a pages file; each page's HTML is `pages/<page>.html` beside it (or `<page>.html`). */
export async function readExpectedPages(file: string): Promise<Array<ExpectedPage & { html: string }>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UserError(`Cannot read the pages file ${file}: check the path.`);
  }
  const dir = path.dirname(file);
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  return Promise.all(
    lines.map(async (line, i) => {
      let page: ExpectedPage;
      try {
        page = JSON.parse(line) as ExpectedPage;
      } catch {
        throw new UserError(`${file} line ${i + 1} is not JSON.`);
      }
      if (typeof page.page !== 'string' || !Array.isArray(page.paragraphs)) throw new UserError(`${file} line ${i + 1} needs "page" and "paragraphs".`);
      const nested = path.join(dir, 'pages', `${page.page}.html`);
      const htmlFile = existsSync(nested) ? nested : path.join(dir, `${page.page}.html`);
      return { ...page, html: decodeDocument(await readFile(htmlFile)) };
    }),
  );
}

/** Imports every page and scores its text (word 4-gram shingles, text the page shows) and attribution against the expected values. */
export function importReport(file: string, pages: ReadonlyArray<ExpectedPage & { html: string }>): ImportReport {
  const reports: PageReport[] = pages.map((page) => {
    const started = performance.now();
    try {
      const article = importPage(page.html);
      return {
        page: page.page,
        ...scoreText(article.paragraphs, page.paragraphs),
        attribution: scoreAttribution(article.attribution, page),
        paragraphs: article.paragraphs.length,
        shown: countShown(article.paragraphs, page.html),
        ms: performance.now() - started,
      };
    } catch (error) {
      const refused = { precision: 0, recall: 0, f1: 0, paragraphs: 0, shown: 0 };
      return { page: page.page, ...refused, attribution: scoreAttribution(undefined, page), refused: describeError(error), ms: performance.now() - started };
    }
  });
  const mean = (pick: (report: PageReport) => number) => reports.reduce((sum, report) => sum + pick(report), 0) / Math.max(1, reports.length);
  const taken = reports.reduce((sum, report) => sum + report.paragraphs, 0);
  return {
    file,
    pages: reports,
    mean: { precision: mean((r) => r.precision), recall: mean((r) => r.recall), f1: mean((r) => r.f1) },
    fields: Object.fromEntries(FIELDS.map((field) => [field, mean((r) => (r.attribution[field] ? 1 : 0))])) as ImportReport['fields'],
    allFourRight: mean((r) => (r.attribution.title && r.attribution.outlet && r.attribution.authors && r.attribution.published ? 1 : 0)),
    shownShare: taken ? reports.reduce((sum, report) => sum + report.shown, 0) / taken : 1,
  };
}

/** The report as a Markdown table, a row a page and a total. */
export function formatImportReport(report: ImportReport): string {
  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  const rows = report.pages.map(
    (r) =>
      `| ${r.page} | ${r.precision.toFixed(3)} | ${r.recall.toFixed(3)} | ${r.f1.toFixed(3)} | ${r.shown} of ${r.paragraphs} | ${FIELDS.map((field) => mark(r.attribution[field])).join(' | ')} | ${r.refused ? `refused: ${r.refused}` : `${r.ms.toFixed(0)} ms`} |`,
  );
  const share = (value: number) => `${(100 * value).toFixed(0)} %`;
  const shown = report.pages.reduce((sum, r) => sum + r.shown, 0);
  const taken = report.pages.reduce((sum, r) => sum + r.paragraphs, 0);
  return [
    `${report.file}: ${report.pages.length} pages`,
    '',
    '| page | precision | recall | F1 | page text | headline | outlet | authors | date | link | |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    `| **mean** | ${report.mean.precision.toFixed(3)} | ${report.mean.recall.toFixed(3)} | ${report.mean.f1.toFixed(3)} | ${share(report.shownShare)} | ${FIELDS.map((field) => share(report.fields[field])).join(' | ')} | |`,
    '',
    `Headline, outlet, authors and date all right: ${share(report.allFourRight)} of pages.`,
    `Paragraphs that are text the page shows, word for word: ${shown} of ${taken} (${(100 * report.shownShare).toFixed(1)} %).`,
  ].join('\n');
}
