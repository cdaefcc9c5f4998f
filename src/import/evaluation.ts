import { normaliseLink } from '../corpus/index.js';
import { foldForComparison } from '../fold.js';
import type { Attribution } from './attribute.js';

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
