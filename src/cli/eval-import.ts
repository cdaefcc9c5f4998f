import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError, describeError } from '../errors.js';
import { scoreAttribution, scoreText, type AttributionScore, type ExpectedPage, type TextScore } from '../import/evaluation.js';
import { decodeDocument } from '../import/fetch.js';
import { importPage } from '../import/page.js';

const FIELDS = ['title', 'outlet', 'authors', 'published', 'url'] as const;

export interface PageReport extends TextScore {
  page: string;
  attribution: AttributionScore;
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

/** Imports every page and scores its text (word 4-gram shingles) and attribution against the expected values. */
export function importReport(file: string, pages: ReadonlyArray<ExpectedPage & { html: string }>): ImportReport {
  const reports: PageReport[] = pages.map((page) => {
    const started = performance.now();
    try {
      const article = importPage(page.html);
      return { page: page.page, ...scoreText(article.paragraphs, page.paragraphs), attribution: scoreAttribution(article.attribution, page), ms: performance.now() - started };
    } catch (error) {
      return { page: page.page, precision: 0, recall: 0, f1: 0, attribution: scoreAttribution(undefined, page), refused: describeError(error), ms: performance.now() - started };
    }
  });
  const mean = (pick: (report: PageReport) => number) => reports.reduce((sum, report) => sum + pick(report), 0) / Math.max(1, reports.length);
  return {
    file,
    pages: reports,
    mean: { precision: mean((r) => r.precision), recall: mean((r) => r.recall), f1: mean((r) => r.f1) },
    fields: Object.fromEntries(FIELDS.map((field) => [field, mean((r) => (r.attribution[field] ? 1 : 0))])) as ImportReport['fields'],
    allFourRight: mean((r) => (r.attribution.title && r.attribution.outlet && r.attribution.authors && r.attribution.published ? 1 : 0)),
  };
}

/** The report as a Markdown table, a row a page and a total. */
export function formatImportReport(report: ImportReport): string {
  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  const rows = report.pages.map(
    (r) =>
      `| ${r.page} | ${r.precision.toFixed(3)} | ${r.recall.toFixed(3)} | ${r.f1.toFixed(3)} | ${FIELDS.map((field) => mark(r.attribution[field])).join(' | ')} | ${r.refused ? `refused: ${r.refused}` : `${r.ms.toFixed(0)} ms`} |`,
  );
  const share = (value: number) => `${(100 * value).toFixed(0)} %`;
  return [
    `${report.file}: ${report.pages.length} pages`,
    '',
    '| page | precision | recall | F1 | headline | outlet | authors | date | link | |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    `| **mean** | ${report.mean.precision.toFixed(3)} | ${report.mean.recall.toFixed(3)} | ${report.mean.f1.toFixed(3)} | ${FIELDS.map((field) => share(report.fields[field])).join(' | ')} | |`,
    '',
    `Headline, outlet, authors and date all right: ${share(report.allFourRight)} of pages.`,
  ].join('\n');
}
