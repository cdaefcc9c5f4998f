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
  /** Short lines left out as furniture (bylines, datelines): the attribution step may read a date there. */
  furniture: string[];
}

/** A page that is not an article, with one sentence saying why. */
export class NotAnArticleError extends Error {
  override name = 'NotAnArticleError';
}

/** Fewer words than this in the article text and the page is a stub, a wall or a list, not an article. */
export const MIN_ARTICLE_WORDS = 40;
/** A page marked as paywalled with fewer words than this shows a teaser, not the article. */
export const MIN_PAYWALLED_WORDS = 200;

// Elements whose text is never the article's: captions, credits, furniture, forms.
const NEVER_TEXT = ['figcaption', 'nav', 'aside', 'footer', 'form', 'button', 'select', 'textarea', 'script', 'style', 'noscript', 'template', 'svg', 'iframe'];

// Class or id words of page furniture that Readability keeps inside an article body.
const FURNITURE =
  /(?:^|[\s_-])(?:share|sharing|social|newsletter|signup|sign-up|subscribe|subscription|related|recirc|read-?more|more-stories|promo|advert|advertisement|ad-?slot|ad-?unit|ad-?container|dfp|outbrain|taboola|comments?|donate|donation|support-?us|membership|byline|meta|info|dates?|signature|views|error|tweet|instagram-media|tiktok-embed|fb-post|social-embed|author-?bio|bio|credit|credits|caption|photo-?credit|image-?credit|timestamp|dateline-only|tags|tag-?list|breadcrumbs?|paywall|inline-?newsletter|toolbar|print)(?:$|[\s_-])/i;

const BLOCKS = new Set([
  'p', 'div', 'section', 'article', 'main', 'blockquote', 'ul', 'ol', 'li', 'dl', 'dd', 'dt', 'table', 'tbody', 'thead', 'tr', 'td', 'th',
  'pre', 'figure', 'header', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'center', 'details', 'summary', 'address',
]);
const BLOCK_SELECTOR = [...BLOCKS].join(',');
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'summary', 'dt']);

/**
 * Extracts an article's paragraphs from a parsed page. Readability picks the article; captions,
 * credits and page furniture are pruned and every remaining text block becomes a paragraph.
 * When Readability keeps too little (it gives up on short articles, or keeps one part of a
 * split body), the densest block of paragraphs on a fresh copy of the page is used instead, if
 * it holds clearly more of the same article. Throws NotAnArticleError for a page with no
 * article (an index page, a wall, a stub). Readability changes `document`.
 */
export function extractArticle(document: Document, options: { freshCopy?: () => Document; paywalled?: boolean } = {}): ExtractedArticle {
  const { freshCopy } = options;
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
  let extracted = result?.content ? paragraphsOf(result.content) : { paragraphs: [], headlineLinks: 0, furniture: [] };
  const fallbackRoot = freshCopy ? densestBlock(freshCopy()) : undefined;
  if (fallbackRoot) {
    const fallback = paragraphsOf(fallbackRoot);
    const keptWords = wordCount(extracted.paragraphs);
    const sameArticle = extracted.paragraphs.length === 0 || fallback.paragraphs.includes(extracted.paragraphs[0]!);
    if (sameArticle && (keptWords < MIN_ARTICLE_WORDS || wordCount(fallback.paragraphs) >= 2 * keptWords)) extracted = fallback;
  }
  assertArticle(extracted.paragraphs, extracted.headlineLinks, options.paywalled ?? false);
  return { paragraphs: extracted.paragraphs, readability, furniture: extracted.furniture };
}

/**
 * The page's <body>. linkedom's `document.body` can name an empty element when stray markup
 * stands before <head> (a saved Yahoo page has a <div> there), so the element is looked up.
 */
export function bodyOf(document: Document): Element | undefined {
  return document.querySelector('body') ?? document.body ?? undefined;
}

/** The element whose own paragraphs hold the most text that is not links. */
function densestBlock(document: Document): Element | undefined {
  const body = bodyOf(document);
  if (!body) return undefined;
  for (const element of [...body.querySelectorAll(`${NEVER_TEXT.join(',')}, header, [hidden], [aria-hidden="true"]`)]) element.remove();
  let best: Element | undefined;
  let bestScore = 0;
  for (const element of body.querySelectorAll('*')) {
    let score = 0;
    for (const child of element.children) {
      if (child.tagName.toLowerCase() !== 'p') continue;
      const text = child.textContent ?? '';
      const linked = [...child.querySelectorAll('a')].reduce((sum, link) => sum + (link.textContent?.length ?? 0), 0);
      if (linked < 0.5 * text.length) score += text.trim().length;
    }
    if (score > bestScore) {
      best = element;
      bestScore = score;
    }
  }
  return best;
}

function wordCount(paragraphs: readonly string[]): number {
  return paragraphs.reduce((sum, text) => sum + text.split(' ').length, 0);
}

/**
 * The text blocks under `root`, furniture pruned, boilerplate lines dropped; and how many
 * headlines linking elsewhere stood among them (an index page is mostly those).
 */
export function paragraphsOf(root: Element): { paragraphs: string[]; headlineLinks: number; furniture: string[] } {
  for (const element of [...root.querySelectorAll(NEVER_TEXT.join(','))]) element.remove();
  // Furniture is pruned by whole blocks only. An inline element (a name marked up as
  // `<span class="meta-org">`, a link classed `related-entity`) keeps its words inside a kept
  // paragraph; a run made of nothing but inline furniture is dropped as a block below.
  const inlineFurniture = new Set<Element>();
  for (const element of [...root.querySelectorAll('[class],[id]')]) {
    // Not isConnected: Readability's article root is detached from the document.
    if (element === root || !root.contains(element)) continue;
    const names = `${element.getAttribute('class') ?? ''} ${element.getAttribute('id') ?? ''}`;
    if (!FURNITURE.test(names) || holdsMostOf(element, root)) continue;
    if (isInline(element)) inlineFurniture.add(element);
    else element.remove();
  }
  const headlineLinks = [...root.querySelectorAll('h1 a, h2 a, h3 a, h4 a, h5 a, h6 a')].length;
  const blocks: TextBlock[] = [];
  collectBlocks(root, blocks, { inlineFurniture });
  const kept = blocks.filter((block) => !isBoilerplateBlock(block));
  const linkBlocks = blocks.filter((block) => block.linkDensity > 0.8 && block.text.split(' ').length >= 4).length;
  const furniture = blocks.filter((block) => block.text.length < 160 && !kept.includes(block)).map((block) => block.text);
  return { paragraphs: kept.map((block) => block.text), headlineLinks: headlineLinks + linkBlocks, furniture };
}

/** Phrasing content: not a block, and holding no block (a `<span>` around paragraphs is a container). */
function isInline(element: Element): boolean {
  return !BLOCKS.has(element.tagName.toLowerCase()) && !element.querySelector(BLOCK_SELECTOR);
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
  /** Visible characters that are not inside inline furniture. */
  content = 0;
  media = false;
  inList = false;

  add(text: string, style: InlineStyle = {}): void {
    this.raw += text;
    const visible = text.replace(/\s+/g, '').length;
    if (style.link) this.linked += visible;
    if (style.emphasis) this.emphasised += visible;
    if (style.strong) this.strong += visible;
    if (!style.furniture) this.content += visible;
  }

  toBlock(): TextBlock | undefined {
    const text = normaliseText(this.raw);
    // A run of nothing but inline furniture ("Share", a lone related link) is furniture as a whole.
    if (!text || this.content === 0) return undefined;
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

interface InlineStyle {
  link?: boolean;
  emphasis?: boolean;
  strong?: boolean;
  furniture?: boolean;
}

interface CollectOptions {
  /** Inline elements whose class names furniture: their text counts only beside other text. */
  inlineFurniture?: ReadonlySet<Element>;
  /** Keep headings as blocks (the page's own text, for checking quotes); the article skips them. */
  headings?: boolean;
}

/**
 * Walks the tree; a run of inline content (text, links, emphasis) between block boundaries is
 * one block. Headings are skipped unless asked for: a subheading is not a paragraph to quote.
 */
export function collectBlocks(element: Element, out: TextBlock[], options: CollectOptions = {}, inList = false): void {
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
    // An inline wrapper around blocks (<font> or <span> around paragraphs, on old sites) is a container.
    if (isInline(child as Element)) {
      addInline(child as Element, run, {}, options.inlineFurniture);
      continue;
    }
    flush();
    if (HEADINGS.has(tag) && !options.headings) continue;
    collectBlocks(child as Element, out, options, inList || tag === 'li');
  }
  flush();
}

const MEDIA = new Set(['img', 'picture', 'video', 'audio', 'object', 'embed', 'canvas']);

/** Adds an inline element's text to the run, noting links, emphasis and media for the boilerplate rules. */
function addInline(element: Element, run: InlineRun, style: InlineStyle, furniture: ReadonlySet<Element> | undefined): void {
  const tag = element.tagName.toLowerCase();
  if (MEDIA.has(tag)) run.media = true;
  const inner: InlineStyle = {
    link: style.link || tag === 'a',
    emphasis: style.emphasis || tag === 'em' || tag === 'i',
    strong: style.strong || tag === 'strong' || tag === 'b',
    furniture: style.furniture || (furniture?.has(element) ?? false),
  };
  for (const child of [...element.childNodes]) {
    if (child.nodeType === 3) run.add(child.textContent ?? '', inner);
    else if (child.nodeType === 1) addInline(child as Element, run, inner, furniture);
  }
}

function assertArticle(paragraphs: readonly string[], headlineLinks: number, paywalled: boolean): void {
  const words = wordCount(paragraphs);
  if (paywalled && words < MIN_PAYWALLED_WORDS && paragraphs.join('').length < MIN_PAYWALLED_WORDS * 6) {
    throw new NotAnArticleError(`the page shows only ${words} words before a paywall (a subscriber's saved page or the article's own text is needed)`);
  }
  // A section front: a headline link per teaser, teasers a line or two long.
  if (headlineLinks >= 5 && headlineLinks >= 0.75 * paragraphs.length && words / Math.max(1, paragraphs.length) < 30) {
    throw new NotAnArticleError(`the page is a list of ${headlineLinks} headlines (an index or section page), not one article`);
  }
  // Scripts written without spaces (Chinese, Japanese, Thai) count four characters as a word.
  const characters = paragraphs.join('').length;
  const spaceless = characters > 12 * words;
  if (paragraphs.length === 0 || (spaceless ? characters < MIN_ARTICLE_WORDS * 4 : words < MIN_ARTICLE_WORDS)) {
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
