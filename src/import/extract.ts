import { Readability } from '@mozilla/readability';
import { isBoilerplateBlock, type TextBlock } from './boilerplate.js';
import { normaliseText } from './text.js';

/** What Readability itself found beside the text; the attribution step uses it last. */
export interface ReadabilityFacts {
  title?: string;
  byline?: string;
  siteName?: string;
  publishedTime?: string;
  lang?: string;
}

export interface ExtractedArticle {
  /** The article's own paragraphs, in order, as a reader sees them. */
  paragraphs: string[];
  readability: ReadabilityFacts;
}

/** A page that is not an article, with one sentence saying why. */
export class NotAnArticleError extends Error {
  override name = 'NotAnArticleError';
}

/** Fewer words than this in the article text and the page is a stub, a wall or a list, not an article. */
export const MIN_ARTICLE_WORDS = 80;

// Elements whose text is never the article's: captions, credits, furniture, forms.
const NEVER_TEXT = ['figcaption', 'nav', 'aside', 'footer', 'form', 'button', 'select', 'textarea', 'script', 'style', 'noscript', 'template', 'svg', 'iframe'];

// Class or id words of page furniture that Readability keeps inside an article body.
const FURNITURE =
  /(?:^|[\s_-])(?:share|sharing|social|newsletter|signup|sign-up|subscribe|subscription|related|recirc|read-?more|more-stories|promo|advert|advertisement|ad-?slot|ad-?unit|ad-?container|dfp|outbrain|taboola|comments?|byline|author-?bio|bio|credit|credits|caption|photo-?credit|image-?credit|timestamp|dateline-only|tags|tag-?list|breadcrumbs?|paywall|inline-?newsletter|toolbar|print)(?:$|[\s_-])/i;

const BLOCKS = new Set([
  'p', 'div', 'section', 'article', 'main', 'blockquote', 'ul', 'ol', 'li', 'dl', 'dd', 'dt', 'table', 'tbody', 'thead', 'tr', 'td', 'th',
  'pre', 'figure', 'header', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'center', 'details', 'summary', 'address',
]);
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'summary', 'dt']);

/**
 * Extracts an article's paragraphs from a parsed page (Readability changes the document): Readability picks the article, then captions,
 * credits and page furniture are pruned and every remaining text block becomes a paragraph.
 * Throws NotAnArticleError for a page with no article (an index page, a wall, a stub).
 */
export function extractArticle(document: Document, pageUrl?: string): ExtractedArticle {
  // Readability rewrites relative links with the document's base; linkedom has none.
  if (pageUrl && !document.querySelector('base')) {
    const base = document.createElement('base');
    base.setAttribute('href', pageUrl);
    document.head?.appendChild(base);
  }
  const result = new Readability<Element>(document, {
    keepClasses: true,
    serializer: (node) => node as Element,
  }).parse();
  const readability: ReadabilityFacts = {
    title: clean(result?.title),
    byline: clean(result?.byline),
    siteName: clean(result?.siteName),
    publishedTime: clean(result?.publishedTime),
    lang: clean(result?.lang),
  };
  const paragraphs = result?.content ? paragraphsOf(result.content) : [];
  assertArticle(paragraphs);
  return { paragraphs, readability };
}

/** The text blocks under `root`, furniture pruned, boilerplate lines dropped. */
export function paragraphsOf(root: Element): string[] {
  for (const element of [...root.querySelectorAll(NEVER_TEXT.join(','))]) element.remove();
  for (const element of [...root.querySelectorAll('[class],[id]')]) {
    if (element === root || !element.isConnected) continue;
    const names = `${element.getAttribute('class') ?? ''} ${element.getAttribute('id') ?? ''}`;
    if (FURNITURE.test(names) && !holdsMostOf(element, root)) element.remove();
  }
  const blocks: TextBlock[] = [];
  collectBlocks(root, blocks);
  return blocks.filter((block) => !isBoilerplateBlock(block)).map((block) => block.text);
}

/** An element holding most of the article's text is the article, whatever its class says. */
function holdsMostOf(element: Element, root: Element): boolean {
  return (element.textContent?.length ?? 0) > 0.5 * (root.textContent?.length ?? 0);
}

/** A run of inline content being gathered into a block. */
class InlineRun {
  raw = '';
  linked = 0;
  emphasised = 0;
  strong = 0;
  media = false;
  inList = false;

  add(text: string, style: { link?: boolean; emphasis?: boolean; strong?: boolean } = {}): void {
    this.raw += text;
    const visible = text.replace(/\s+/g, '').length;
    if (style.link) this.linked += visible;
    if (style.emphasis) this.emphasised += visible;
    if (style.strong) this.strong += visible;
  }

  toBlock(): TextBlock | undefined {
    const text = normaliseText(this.raw);
    if (!text) return undefined;
    const visible = Math.max(1, text.replace(/\s+/g, '').length);
    return {
      text,
      linkDensity: Math.min(1, this.linked / visible),
      emphasisShare: Math.min(1, this.emphasised / visible),
      strongShare: Math.min(1, this.strong / visible),
      withMedia: this.media,
      inList: this.inList,
    };
  }
}

/**
 * Walks the tree; a run of inline content (text, links, emphasis) between block boundaries is
 * one block. Headings are skipped: a subheading is not a paragraph to quote.
 */
function collectBlocks(element: Element, out: TextBlock[], inList = false): void {
  let run = new InlineRun();
  const flush = () => {
    run.inList = inList;
    const block = run.toBlock();
    if (block) out.push(block);
    run = new InlineRun();
  };
  for (const child of [...element.childNodes]) {
    if (child.nodeType === 3) {
      run.add(child.textContent ?? '');
      continue;
    }
    if (child.nodeType !== 1) continue;
    const tag = (child as Element).tagName.toLowerCase();
    if (tag === 'br') {
      // Two line breaks in a row separate paragraphs on sites that write them that way.
      if (/\u2029\s*$/.test(run.raw)) {
        run.raw = run.raw.replace(/\u2029\s*$/, '');
        flush();
      } else run.add('\u2029');
      continue;
    }
    if (!BLOCKS.has(tag)) {
      addInline(child as Element, run, {});
      continue;
    }
    flush();
    if (HEADINGS.has(tag)) continue;
    collectBlocks(child as Element, out, inList || tag === 'li');
  }
  flush();
}

const MEDIA = new Set(['img', 'picture', 'video', 'audio', 'object', 'embed', 'canvas']);

/** Adds an inline element's text to the run, noting links, emphasis and media for the boilerplate rules. */
function addInline(element: Element, run: InlineRun, style: { link?: boolean; emphasis?: boolean; strong?: boolean }): void {
  const tag = element.tagName.toLowerCase();
  if (MEDIA.has(tag)) run.media = true;
  const inner = {
    link: style.link || tag === 'a',
    emphasis: style.emphasis || tag === 'em' || tag === 'i',
    strong: style.strong || tag === 'strong' || tag === 'b',
  };
  for (const child of [...element.childNodes]) {
    if (child.nodeType === 3) run.add(child.textContent ?? '', inner);
    else if (child.nodeType === 1) addInline(child as Element, run, inner);
  }
}

function assertArticle(paragraphs: readonly string[]): void {
  const words = paragraphs.join(' ').split(/\s+/).filter(Boolean).length;
  // Scripts without spaces (Chinese, Japanese, Thai) count characters instead of words.
  const characters = paragraphs.join('').length;
  if (paragraphs.length === 0 || (words < MIN_ARTICLE_WORDS && characters < MIN_ARTICLE_WORDS * 4)) {
    throw new NotAnArticleError(
      paragraphs.length === 0
        ? 'the page has no article text (it looks like an index page, a login page or an empty shell)'
        : `the page has only ${words} ${words === 1 ? 'word' : 'words'} of article text (a paywall, a login wall or a teaser, not a whole article)`,
    );
  }
}

function clean(value: string | null | undefined): string | undefined {
  const text = value ? normaliseText(value) : '';
  return text || undefined;
}
