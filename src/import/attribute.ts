import { isIP } from 'node:net';
import { foldForComparison } from '../fold.js';
import { bylineNames, looksLikeName } from './byline.js';
import { dateFromUrl, parseDate } from './dates.js';
import type { ReadabilityFacts } from './extract.js';
import { CREDIT_LINE, type PageMetadata } from './metadata.js';

/** What a quote is attributed with; any field may be missing when the page does not say. */
export interface Attribution {
  title?: string;
  outlet?: string;
  authors: string[];
  /** YYYY-MM-DD */
  published?: string;
  url?: string;
}

/** What the person importing says, which wins over what the page says. */
export interface AttributionOverrides {
  title?: string;
  outlet?: string;
  authors?: string[];
  published?: string;
  url?: string;
}

export interface AttributionInput {
  metadata: PageMetadata;
  readability: ReadabilityFacts;
  /** The article's first paragraphs, for a dateline ("Feb. 23, 2015 -- …"). */
  leadParagraphs: readonly string[];
  /** Short lines the text extraction left out (bylines, "Posted: Aug 3, 2022"). */
  furniture?: readonly string[];
  /** Where the page came from (the final URL after redirects), when it came from the web. */
  pageUrl?: string;
}

/**
 * The attribution of an article, from the page's own metadata in order of trust: schema.org
 * JSON-LD, then OpenGraph and article: tags, then other meta tags and the visible byline and
 * canonical link, then what Readability found, then the visible page text and the URL.
 */
export function attribute(input: AttributionInput, overrides: AttributionOverrides = {}): Attribution {
  const { metadata, readability } = input;
  const url = overrides.url ?? pickUrl(input);
  // The outlet as the person gave it decides which headline suffix is the outlet's name.
  const outlet = overrides.outlet ?? pickOutlet(input, url);
  return withOverrides(
    { title: pickTitle(input, outlet), outlet, authors: pickAuthors(metadata, readability), published: pickPublished(input, url), url },
    overrides,
  );
}

/** What the person importing says wins over what the page or file says. */
export function withOverrides(attribution: Attribution, overrides: AttributionOverrides = {}): Attribution {
  return {
    title: overrides.title ?? attribution.title,
    outlet: overrides.outlet ?? attribution.outlet,
    authors: overrides.authors?.length ? overrides.authors : attribution.authors,
    published: overrides.published ?? attribution.published,
    url: overrides.url ?? attribution.url,
  };
}

function meta(metadata: PageMetadata, ...keys: string[]): string[] {
  return keys.flatMap((key) => metadata.meta[key] ?? []);
}

function pickUrl({ metadata, pageUrl }: AttributionInput): string | undefined {
  const candidates = [metadata.jsonLd.url, metadata.canonical, ...meta(metadata, 'og:url', 'twitter:url'), pageUrl];
  for (const candidate of candidates) {
    const absolute = absoluteHttpUrl(candidate, pageUrl);
    if (absolute) return absolute;
  }
  return undefined;
}

function absoluteHttpUrl(value: string | undefined, base: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = base ? new URL(value, base) : new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

// A headline's trailing " | Outlet", " - Outlet", " — Outlet" or " :: Outlet".
const TITLE_SUFFIX = /\s+(?:\||-|–|—|::|·|•)\s+([^|–—·•]{2,60})$/;

function pickOutlet(input: AttributionInput, url: string | undefined): string | undefined {
  const { metadata, readability } = input;
  const parts = titleParts(metadata);
  const titles = [metadata.jsonLd.headline, ...meta(metadata, 'og:title', 'twitter:title'), ...metadata.headings, parts.headline]
    .filter((title): title is string => !!title)
    .map(foldForComparison);
  // application-name and friends sometimes repeat the headline; a name that is a headline is not the outlet.
  const isHeadline = (name: string) => titles.some((title) => title === foldForComparison(name) || (name.length > 25 && title.startsWith(foldForComparison(name))));
  const suffix = metadata.title ? TITLE_SUFFIX.exec(metadata.title)?.[1]?.trim() : undefined;
  const candidates = [
    metadata.jsonLd.publisher,
    ...meta(metadata, 'og:site_name', 'application-name', 'apple-mobile-web-app-title', 'publisher', 'dc.publisher', 'cxenseparse:recs:publisher'),
    suffix,
    ...parts.others.reverse(),
    readability.siteName,
  ];
  for (const candidate of candidates) {
    if (!candidate || candidate.length > 80 || isHeadline(candidate)) continue;
    if (/^https?:\/\/|^www\./i.test(candidate)) {
      const host = hostOf(candidate.startsWith('www.') ? `https://${candidate}` : candidate);
      if (host) return nameFromHost(host, input);
      continue;
    }
    return candidate;
  }
  const host = [url, input.pageUrl, ...meta(metadata, 'og:url'), ...metadata.alternates].map(hostOf).find(Boolean);
  return host ? nameFromHost(host, input) : undefined;
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

const SECOND_LEVEL = /^(?:co|com|org|net|gov|ac|edu|ne|or)$/;

/**
 * An outlet name from a host name, written the way the page writes it: www.webmd.com → "WebMD"
 * when the page's title or headings spell it so, else "Webmd.com"-style "webmd.com".
 */
function nameFromHost(host: string, input: AttributionInput): string {
  // An address (127.0.0.1, [::1]) or a name without a dot (localhost, an intranet host) has no
  // registrable name to take: it is shown as written, never cut to its last labels ("0.1").
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0 || !host.includes('.')) return host;
  const labels = host.replace(/^(?:www\d?|m|mobile|amp)\./, '').split('.');
  const suffixLength = labels.length >= 3 && SECOND_LEVEL.test(labels.at(-2)!) ? 2 : 1;
  const name = labels.at(-1 - suffixLength) ?? labels[0]!;
  const registrable = labels.slice(-1 - suffixLength).join('.');
  const { metadata, readability } = input;
  const pageText = [metadata.title, ...metadata.headings, readability.siteName, readability.byline, ...metadata.bylines, ...Object.values(metadata.meta).flat()].join(' \n ');
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${escapeRegExp(registrable)}|${escapeRegExp(name)})(?![\\p{L}\\p{N}])`, 'giu');
  const spellings = new Map<string, number>();
  for (const match of pageText.matchAll(pattern)) spellings.set(match[1]!, (spellings.get(match[1]!) ?? 0) + 1);
  // Prefer a spelling with capitals ("WebMD", "TMZ.com") over the lower-case host.
  const written = [...spellings.entries()].filter(([spelling]) => spelling !== spelling.toLowerCase()).sort((a, b) => b[1] - a[1])[0]?.[0];
  return written ?? registrable;
}

function pickTitle(input: AttributionInput, outlet: string | undefined): string | undefined {
  const { metadata, readability } = input;
  const tagged = [metadata.jsonLd.headline, ...meta(metadata, 'og:title', 'twitter:title', 'headline', 'title', 'dc.title')];
  const candidates = [...tagged, titleParts(metadata).headline, readability.title, metadata.title]
    .filter((title): title is string => !!title)
    .map((title) => stripSuffix(title, outlet));
  const headline = candidates[0];
  if (!headline) return metadata.headings[0];
  // The visible <h1> as the reader sees it (curly quotes and all), when it is the same headline.
  const visible = metadata.headings.find((heading) => foldForComparison(heading) === foldForComparison(headline));
  return visible ?? headline;
}

/**
 * The <title> split at its separators, when one part is a headline the page shows: "Bramble
 * Creek Gazette - County fair draws record crowd" gives the headline and, in `others`, the outlet.
 */
function titleParts(metadata: PageMetadata): { headline?: string; others: string[] } {
  const parts = metadata.title?.split(/\s+(?:\||-|–|—|::|·|•|»)\s+/).map((part) => part.trim()) ?? [];
  if (parts.length < 2) return { others: [] };
  const shown = new Set(metadata.prominent.map(foldForComparison));
  const headline = parts.find((part) => part.length >= 15 && shown.has(foldForComparison(part)));
  return headline ? { headline, others: parts.filter((part) => part !== headline) } : { others: [] };
}

/** "Headline | Outlet" → "Headline" when the tail names the outlet (or any outlet-like short tail). */
export function stripSuffix(title: string, outlet: string | undefined): string {
  const match = TITLE_SUFFIX.exec(title);
  if (!match) return title;
  const tail = foldForComparison(match[1]!);
  const outletFold = outlet ? foldForComparison(outlet) : '';
  const namesOutlet = outletFold !== '' && (tail.includes(outletFold) || outletFold.includes(tail));
  const looksLikeSiteName = match[1]!.split(/\s+/).length <= 4 && !/[?!.]$/.test(match[1]!);
  return namesOutlet || looksLikeSiteName ? title.slice(0, match.index).trim() : title;
}

function pickAuthors(metadata: PageMetadata, readability: ReadabilityFacts): string[] {
  // A JSON-LD person's name is a name, in any script; only one that reads like a byline ("By A and B, Staff") is parsed.
  const fromJsonLd = metadata.jsonLd.authors.flatMap((name) => (looksLikeName(name) || !/^by\s|[,;&|\d]|\s(?:and|und|et|y)\s|staff|team|desk/i.test(name) ? [name] : bylineNames(name)));
  if (fromJsonLd.length) return fromJsonLd;
  const tagged = meta(metadata, 'author', 'article:author', 'byl', 'parsely-author', 'sailthru.author', 'dc.creator', 'dcterms.creator', 'cxenseparse:author')
    .filter((value) => !/^https?:|^@|^www\./i.test(value));
  for (const value of tagged) {
    const names = bylineNames(value);
    if (names.length) return names;
  }
  // Readability reads a byline wherever it finds one: a related story's byline is not this article's.
  const others = metadata.otherBylines.map(foldForComparison);
  const readabilityByline = readability.byline && !CREDIT_LINE.test(readability.byline) && !others.some((other) => other.includes(foldForComparison(readability.byline!))) ? readability.byline : undefined;
  for (const byline of [readabilityByline, ...metadata.bylines]) {
    const names = bylineNames(byline);
    if (names.length) return names;
  }
  return [];
}

function pickPublished(input: AttributionInput, url: string | undefined): string | undefined {
  const { metadata, readability } = input;
  const tagged = [
    metadata.jsonLd.published,
    ...meta(
      metadata,
      'article:published_time',
      'article:published',
      'og:published_time',
      'published_time',
      'datepublished',
      'pubdate',
      'publishdate',
      'publish-date',
      'publication_date',
      'article.published',
      'parsely-pub-date',
      'sailthru.date',
      'dc.date.issued',
      'dc.date',
      'dcterms.date',
      'date',
      'pdate',
    ),
    ...metadata.times,
    readability.publishedTime,
  ];
  for (const value of tagged) {
    const date = parseDate(value);
    if (date) return date;
  }
  // The visible byline or dateline ("posted on April 21, 2015"), then a dateline opening the article.
  const visible = [...metadata.dateTexts, ...metadata.bylines, ...(input.furniture ?? []), ...input.leadParagraphs.slice(0, 1).map((p) => p.slice(0, 80))];
  for (const text of visible) {
    const date = parseDate(text);
    if (date) return date;
  }
  return dateFromUrl(url) ?? dateFromUrl(input.pageUrl);
}


function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
