// The fixture pages we wrote (test/fixtures/pages) and what a good import takes from each.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ExpectedPage } from '../../src/import/evaluation.js';
import { PAGES } from './page-server.js';

const EXPECTED = new Map<string, ExpectedPage>(
  readFileSync(path.join(PAGES, 'pages.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as ExpectedPage)
    .map((page) => [page.page, page]),
);

/** The expected values of one fixture page (its line in pages.jsonl). */
export function expectedPage(page: string): ExpectedPage {
  const found = EXPECTED.get(page);
  if (!found) throw new Error(`no ${page} in pages.jsonl`);
  return found;
}
