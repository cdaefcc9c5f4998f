import { normaliseLink } from '../corpus/index.js';
import { decodeEntities, normaliseText } from './text.js';
import { primaryLanguage } from '../shared/language.js';

/**
 * What a page says about itself, gathered before Readability rewrites the document: plain
 * strings, each list in the order the attribution step trusts them.
 */
export interface PageMetadata {
  jsonLd: {
    headline?: string;
    authors: string[];
    published?: string;
    publisher?: string;
    url?: string;
    accessibleForFree?: boolean;
    /** schema.org inLanguage: the article's language as a tag ("de-DE") or a Language's name/alternateName. */
    inLanguage?: string;
  };
  /** og:*, article:*, twitter:* and other <meta> tags by lower-cased name or property. */
  meta: Record<string, string[]>;
  canonical?: string;
  /** rel=alternate page links (mobile and AMP copies): a hint at the site when nothing else names it. */
  alternates: string[];
  /** The page's <title>. */
  title?: string;
  /** Visible <h1> texts. */
  headings: string[];
  /** Short texts set apart as titles on the page (headings, bold, title and headline classes). */
  prominent: string[];
  /** Text of elements marked as bylines (class, rel=author, itemprop=author) in the article, not in its page's widgets. */
  bylines: string[];
  /** Byline texts of other stories: in related, most-read, sidebar and comment widgets. Never the article's. */
  otherBylines: string[];
  /** datetime attributes and texts of the article's <time> elements, in page order (the article header's first). */
  times: string[];
  /** Short visible texts of elements marked as dates, datelines or bylines ("Posted on April 21, 2015"). */
  dateTexts: string[];
  /** The page says it is behind a paywall (schema.org isAccessibleForFree: false, or paywall markup). */
  paywalled: boolean;
  /** Language of the page (<html lang>). */
  lang?: string;
}

const PAYWALL_MARKUP = '[class*="paywall" i], [id*="paywall" i], [class*="regwall" i], [class*="subscriber-only" i], [class*="meter-wall" i], [class*="premium-wall" i]';

const ARTICLE_TYPES = /(?:^|:)(?:\w*Article|BlogPosting|Report|LiveBlogPosting|SocialMediaPosting|NewsArticle)$/;

type JsonObject = Record<string, unknown>;

/** Reads the page's metadata: JSON-LD, meta tags, canonical link, title, headings, bylines and times. */
export function readPageMetadata(document: Document): PageMetadata {
  const meta: Record<string, string[]> = {};
  for (const element of document.querySelectorAll('meta')) {
    const itemprop = element.getAttribute('itemprop');
    // Microdata of an embedded video or image describes that, not the article.
    if (itemprop && !element.getAttribute('name') && !element.getAttribute('property') && !inArticleScope(element)) continue;
    const key = (element.getAttribute('property') ?? element.getAttribute('name') ?? itemprop ?? element.getAttribute('http-equiv') ?? '').trim().toLowerCase();
    const value = normaliseText(element.getAttribute('content') ?? '');
    if (key && value) (meta[key] ??= []).push(value);
  }
  const canonical = document.querySelector('link[rel~="canonical"]')?.getAttribute('href')?.trim() || undefined;
  const alternates = [...document.querySelectorAll('link[rel~="alternate"][href], link[rel~="amphtml"][href]')]
    .filter((link) => !/rss|atom|json|xml/i.test(link.getAttribute('type') ?? ''))
    .map((link) => link.getAttribute('href')!.trim())
    .filter((href) => /^https?:\/\//i.test(href));
  const bylineSelector = '[rel="author"], [itemprop~="author"], [class*="byline" i], [class*="author" i], [id*="byline" i]';
  const bylineElements = [...document.querySelectorAll(bylineSelector)].filter((element) => !element.closest('script, style, noscript'));
  const bylineText = (element: Element) => normaliseText(element.textContent ?? '');
  const shortText = (text: string) => text.length > 0 && text.length < 200;
  const bylines = unique(bylineElements.filter((element) => !inPageWidget(element)).map(bylineText).filter((text) => shortText(text) && !CREDIT_LINE.test(text)));
  const otherBylines = unique(bylineElements.filter(inPageWidget).map(bylineText).filter(shortText));
  // The article's own <time>s first, its header's before its body's: a page may show other times
  // above it (today's date in the masthead, a ticker). Then the rest, in page order.
  const timeElements = [...document.querySelectorAll('time')].filter((element) => !inPageWidget(element));
  const rank = (element: Element) =>
    element.closest('article header, [class*="article-header" i], [class*="story-header" i]') ? 0 : element.closest('article, main, [itemprop="articleBody"]') ? 1 : 2;
  const times = timeElements
    .map((element, order) => ({ element, order, rank: rank(element) }))
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .flatMap(({ element }) => [element.getAttribute('datetime') ?? '', normaliseText(element.textContent ?? '')].filter(Boolean));
  const dateTexts = [...document.querySelectorAll('[class*="date" i], [class*="time" i], [class*="posted" i], [class*="publish" i], [class*="byline" i], [class*="dateline" i], [id*="date" i]')]
    .filter((element) => !element.closest('script, style, noscript') && !inPageWidget(element))
    .map((element) => normaliseText(element.textContent ?? ''))
    .filter((text) => text.length > 0 && text.length < 160);
  const jsonLd = readJsonLd(document);
  return {
    jsonLd,
    meta,
    canonical,
    alternates,
    title: normaliseText(document.querySelector('title')?.textContent ?? '') || undefined,
    prominent: [...document.querySelectorAll('h1, h2, h3, [itemprop="headline"], [class*="headline" i], [class*="title" i], b, strong, font')]
      .slice(0, 300)
      .map((element) => normaliseText(element.textContent ?? ''))
      .filter((text) => text.length > 0 && text.length < 300),
    headings: [...document.querySelectorAll('h1')].map((element) => normaliseText(element.textContent ?? '')).filter(Boolean),
    bylines,
    otherBylines,
    times,
    dateTexts: unique(dateTexts),
    paywalled: jsonLd.accessibleForFree === false || !!document.querySelector(PAYWALL_MARKUP),
    lang: document.documentElement?.getAttribute('lang')?.trim() || undefined,
  };
}

// Parts of a page around the article that carry other stories' bylines and dates: related and
// most-read lists, sidebars, comments, promos. An <aside> or <nav> anywhere, and a <footer> that
// is not the article's own.
const PAGE_WIDGET =
  /(?:^|[\s_-])(?:related|recirc|recirculation|most-?read|most-?popular|popular|trending|sidebar|side-?bar|rail|comments?|teasers?|promo|more-?stories|more-?news|recommended|recommendations|read-?next|up-?next|outbrain|taboola|newsletter|widget)(?:$|[\s_-])/i;

/** Whether an element stands in a widget of the page rather than in the article. */
export function inPageWidget(element: Element): boolean {
  for (let node: Element | null = element; node; node = node.parentElement) {
    const tag = node.tagName.toLowerCase();
    // A body or article class ("has-sidebar", "popular-template") describes the whole page.
    if (tag === 'body' || tag === 'html' || tag === 'article' || tag === 'main') continue;
    if (tag === 'aside' || tag === 'nav') return true;
    if (tag === 'footer' && !node.closest('article')) return true;
    if (PAGE_WIDGET.test(`${node.getAttribute('class') ?? ''} ${node.getAttribute('id') ?? ''}`)) return true;
  }
  return false;
}

/** A credit line that names people who are not the article's authors. */
export const CREDIT_LINE = /\b(?:contributed (?:to )?(?:this )?report|contributed reporting|additional reporting|contributing|photos?(?:graphs?|graphy)? by|illustrations? by|video by|graphics? by|edited by|editing by)\b/i;

function inArticleScope(element: Element): boolean {
  const scope = element.closest('[itemscope]');
  const type = scope?.getAttribute('itemtype') ?? '';
  return !scope || type === '' || /Article|BlogPosting|Report|WebPage/i.test(type);
}

/** The first article object of the page's JSON-LD blocks (inside @graph and arrays too). */
function readJsonLd(document: Document): PageMetadata['jsonLd'] {
  const objects: JsonObject[] = [];
  for (const script of document.querySelectorAll('script[type="application/ld+json" i]')) {
    try {
      // Some CMSs wrap the JSON in CDATA or leave trailing semicolons.
      const text = (script.textContent ?? '').replace(/^\s*(?:<!\[CDATA\[|\/\/<!\[CDATA\[)|(?:\]\]>|\/\/\]\]>)\s*$/g, '').trim().replace(/;$/, '');
      flatten(JSON.parse(text), objects);
    } catch {
      // A broken block is ignored; the other sources still speak.
    }
  }
  const article = mainArticle(objects, document);
  if (!article) return { authors: [] };
  const publisher = article.publisher ?? article.sourceOrganization;
  const entity = article.mainEntityOfPage;
  return {
    headline: text(article.headline) ?? text(article.name),
    authors: people(article.author ?? article.creator),
    // Never dateCreated or dateModified: a draft's day, or a later edit's, is not when it was published.
    published: text(article.datePublished),
    publisher: names(publisher)[0],
    accessibleForFree: freeFlag(article.isAccessibleForFree),
    inLanguage: languageTag(article.inLanguage),
    url: text(article.url) ?? (typeof entity === 'string' ? entity : text((entity as JsonObject | undefined)?.['@id']) ?? text((entity as JsonObject | undefined)?.url)),
  };
}

/**
 * The JSON-LD article that is the page itself: the one whose link is the page's own (canonical or
 * og:url), else the one a WebPage names as its main entity, else the first article.
 */
function mainArticle(objects: readonly JsonObject[], document: Document): JsonObject | undefined {
  const articles = objects.filter((object) => types(object).some((type) => ARTICLE_TYPES.test(type)));
  if (articles.length <= 1) return articles[0];
  const pageLinks = [document.querySelector('link[rel~="canonical"]')?.getAttribute('href'), document.querySelector('meta[property="og:url"]')?.getAttribute('content')]
    .filter((link): link is string => !!link)
    .map(normaliseLink);
  const linkOf = (object: JsonObject) => {
    const entity = object.mainEntityOfPage;
    return [text(object.url), typeof entity === 'string' ? entity : text((entity as JsonObject | undefined)?.['@id'])].filter((link): link is string => !!link).map(normaliseLink);
  };
  const byLink = articles.find((article) => linkOf(article).some((link) => pageLinks.includes(link)));
  if (byLink) return byLink;
  const named = objects.map((object) => object.mainEntity).find((entity) => entity && typeof entity === 'object') as JsonObject | undefined;
  const namedId = named ? text(named['@id']) : undefined;
  return articles.find((article) => article === named || (namedId && text(article['@id']) === namedId)) ?? articles[0];
}


function freeFlag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return /^(?:true|yes)$/i.test(value) ? true : /^(?:false|no)$/i.test(value) ? false : undefined;
  return undefined;
}

function flatten(value: unknown, out: JsonObject[]): void {
  if (Array.isArray(value)) {
    for (const item of value) flatten(item, out);
  } else if (value && typeof value === 'object') {
    const object = value as JsonObject;
    out.push(object);
    if (object['@graph']) flatten(object['@graph'], out);
  }
}

function types(object: JsonObject): string[] {
  const type = object['@type'];
  return (Array.isArray(type) ? type : [type]).filter((item): item is string => typeof item === 'string');
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return normaliseText(decodeEntities(value)) || undefined;
  if (Array.isArray(value)) return text(value[0]);
  return undefined;
}

/** Names from a JSON-LD person, organisation, string, or a list of them. */
function names(value: unknown): string[] {
  if (!value) return [];
  if (Array.isArray(value)) return unique(value.flatMap(names));
  if (typeof value === 'string') return [text(value)].filter((name): name is string => !!name);
  if (typeof value === 'object') {
    const name = text((value as JsonObject).name);
    return name ? [name] : [];
  }
  return [];
}

/** The people among JSON-LD authors: an Organization (a wire service, the outlet) is no byline. */
function people(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return unique(list.filter((item) => !(item && typeof item === 'object' && types(item as JsonObject).some((type) => /Organization$/.test(type)))).flatMap(names));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** schema.org inLanguage: a tag as text, or a Language object whose alternateName (or name) is one. */
function languageTag(value: unknown): string | undefined {
  if (Array.isArray(value)) return languageTag(value[0]);
  if (typeof value === 'string') return value.trim() || undefined;
  if (value && typeof value === 'object') {
    const language = value as JsonObject;
    return languageTag(language.alternateName) ?? languageTag(language.name);
  }
  return undefined;
}

/**
 * The language a page declares for its article, as a BCP-47 primary subtag: schema.org's
 * inLanguage first (the article's own), then og:locale, then `<html lang>` (often a site-wide
 * template's), then a Content-Language meta tag. Undefined when it declares none.
 */
export function declaredLanguage(metadata: Pick<PageMetadata, 'jsonLd' | 'meta' | 'lang'>): string | undefined {
  const tags = [
    metadata.jsonLd.inLanguage,
    metadata.meta['og:locale']?.[0],
    metadata.lang,
    metadata.meta['content-language']?.[0],
    metadata.meta['language']?.[0],
    metadata.meta['dc.language']?.[0],
  ];
  for (const tag of tags) {
    const language = primaryLanguage(tag);
    if (language) return language;
  }
  return undefined;
}
