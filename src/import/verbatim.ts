import type { TextBlock } from './boilerplate.js';
import { bodyOf, collectBlocks } from './extract.js';

/**
 * The words a page shows, block by block: every run of visible text between block boundaries,
 * headings included, nothing pruned. What a quote is checked against.
 */
export function pageBlocks(document: Document): string[] {
  const body = bodyOf(document);
  if (!body) return [];
  for (const element of [...body.querySelectorAll('script, style, noscript, template, [hidden]')]) element.remove();
  const blocks: TextBlock[] = [];
  collectBlocks(body, blocks, { headings: true });
  return blocks.map((block) => block.text);
}

/** At least this share of a block's words must be in a paragraph for the paragraph to stand for the block. */
const MIN_KEPT_SHARE = 0.5;

/**
 * Each paragraph exactly as the page shows it. A paragraph that is a block of the page is kept;
 * one that lost words to the extraction (Readability drops inline elements whose class reads
 * like a sidebar or a share button, even mid-sentence) becomes the page's whole block again;
 * one that matches no block is dropped, because a quote must be words the outlet published.
 */
export function asShownOnPage(paragraphs: readonly string[], blocks: readonly string[]): { paragraphs: string[]; restored: number; dropped: number } {
  const whole = new Set(blocks);
  const tokenised = blocks.map((block) => block.split(' '));
  const out: string[] = [];
  let restored = 0;
  let dropped = 0;
  for (const paragraph of paragraphs) {
    if (whole.has(paragraph)) {
      out.push(paragraph);
      continue;
    }
    const block = closestBlock(paragraph.split(' '), tokenised);
    if (block === undefined) {
      dropped++;
      continue;
    }
    const text = blocks[block]!;
    // Two pieces of one block (the extraction split it) stand for the block once.
    if (out.at(-1) !== text) out.push(text);
    restored++;
  }
  return { paragraphs: out, restored, dropped };
}

/** The block that the paragraph's words come from, in order, with the fewest words left out. */
function closestBlock(words: readonly string[], blocks: ReadonlyArray<readonly string[]>): number | undefined {
  let best: number | undefined;
  let fewest = Number.POSITIVE_INFINITY;
  const anchor = words.reduce((longest, word) => (word.length > longest.length ? word : longest), '');
  blocks.forEach((block, index) => {
    if (block.length < words.length || words.length < MIN_KEPT_SHARE * block.length) return;
    if (!block.some((word) => word.includes(anchor))) return;
    const left = wordsLeftOut(words, block);
    if (left !== undefined && left < fewest) {
      best = index;
      fewest = left;
    }
  });
  return best;
}

/**
 * How many of the block's words the paragraph leaves out, when the paragraph is the block with
 * some inline elements taken away (a word may lose a part: "Acme’s" → "’s"); undefined when not.
 */
export function wordsLeftOut(words: readonly string[], block: readonly string[]): number | undefined {
  let i = 0;
  let left = 0;
  for (const word of block) {
    if (i < words.length && (words[i] === word || isWordWithPartRemoved(words[i]!, word))) i++;
    else left++;
  }
  return i === words.length ? left : undefined;
}

/** `part` is `word` with one contiguous piece taken out: "’s" of "Acme’s", "()" of "(Acme)". */
function isWordWithPartRemoved(part: string, word: string): boolean {
  if (part.length === 0 || part.length >= word.length) return false;
  for (let split = 0; split <= part.length; split++) {
    if (word.startsWith(part.slice(0, split)) && word.endsWith(part.slice(split))) return true;
  }
  return false;
}
