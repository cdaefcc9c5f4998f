import { parseHTML } from 'linkedom';
import { UserError } from '../errors.js';
import { attribute, type Attribution, type AttributionOverrides } from './attribute.js';
import { extractArticle, NotAnArticleError } from './extract.js';
import { declaredLanguage, readPageMetadata } from './metadata.js';
import { primaryLanguage } from '../shared/language.js';
import { asShownOnPage, pageBlocks } from './verbatim.js';

/** An article read from a page: its paragraphs and its attribution (fields the page lacks are missing). */
export interface ImportedArticle {
  attribution: Attribution;
  paragraphs: string[];
  lang?: string;
  /** The language the page declares for the article (schema.org inLanguage, og:locale, <html lang>), a primary subtag. */
  language?: string;
}

export interface PageOptions {
  /** Where the page came from (the final URL after redirects), when it came from the web. */
  pageUrl?: string;
  overrides?: AttributionOverrides;
  /** The source as the person gave it: when given, a page with no article is a UserError naming it. */
  source?: string;
}

/**
 * Reads an article from an HTML page: the metadata first (Readability changes the document),
 * then the text, checked word for word against the blocks the page shows, then the attribution.
 * Throws NotAnArticleError for a page with no article (a UserError when `source` is given).
 */
export function importPage(html: string, options: PageOptions = {}): ImportedArticle {
  const parse = () => (parseHTML(html) as unknown as { document: Document }).document;
  const document = parse();
  const metadata = readPageMetadata(document);
  let extracted;
  try {
    extracted = extractArticle(document, { freshCopy: parse, paywalled: metadata.paywalled });
  } catch (error) {
    if (error instanceof NotAnArticleError && options.source) throw new UserError(`${options.source} is not an article: ${error.message}.`);
    throw error;
  }
  const { paragraphs } = asShownOnPage(extracted.paragraphs, pageBlocks(parse()));
  const attribution = attribute(
    { metadata, readability: extracted.readability, leadParagraphs: paragraphs, furniture: extracted.furniture, pageUrl: options.pageUrl },
    options.overrides,
  );
  const language = declaredLanguage(metadata) ?? primaryLanguage(extracted.readability.lang);
  return { attribution, paragraphs: withoutAuthorBio(paragraphs, attribution.authors), lang: metadata.lang ?? extracted.readability.lang, ...(language ? { language } : {}) };
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
