import { parseHTML } from 'linkedom';
import { attribute, type Attribution, type AttributionOverrides } from './attribute.js';
import { extractArticle } from './extract.js';
import { readPageMetadata } from './metadata.js';

/** An article read from a page: its paragraphs and its attribution (fields the page lacks are missing). */
export interface ImportedArticle {
  attribution: Attribution;
  paragraphs: string[];
  lang?: string;
}

/**
 * Reads an article from an HTML page: the metadata first (Readability changes the document),
 * then the text, then the attribution. Throws NotAnArticleError for a page with no article.
 */
export function importPage(html: string, options: { pageUrl?: string; overrides?: AttributionOverrides } = {}): ImportedArticle {
  const { document } = parseHTML(html) as unknown as { document: Document };
  const metadata = readPageMetadata(document);
  const { paragraphs, readability, furniture } = extractArticle(document, {
    freshCopy: () => (parseHTML(html) as unknown as { document: Document }).document,
    paywalled: metadata.paywalled,
  });
  const attribution = attribute({ metadata, readability, leadParagraphs: paragraphs, furniture, pageUrl: options.pageUrl }, options.overrides);
  return { attribution, paragraphs: withoutAuthorBio(paragraphs, attribution.authors), lang: metadata.lang ?? readability.lang };
}

/** Drops the closing author bio ("Corey Kilgannon is a Metro reporter …"): it is about the writer, not the story. */
function withoutAuthorBio(paragraphs: string[], authors: readonly string[]): string[] {
  if (authors.length === 0) return paragraphs;
  const bio = new RegExp(`^(?:about the authors?:?\\s*)?(?:${authors.map(escapeRegExp).join('|')})\\s+(?:is|was|has|writes|covers|reports|joined|edits|can be reached)\\b`, 'i');
  let end = paragraphs.length;
  // Only at the end, and at most two paragraphs: a name opening a paragraph mid-story is reporting.
  while (end > Math.max(1, paragraphs.length - 2) && bio.test(paragraphs[end - 1]!)) end--;
  return end === paragraphs.length ? paragraphs : paragraphs.slice(0, end);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
