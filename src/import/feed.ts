/**
 * Reads an RSS 2.0, RSS 1.0 (RDF) or Atom feed into a list of story links, so a feed URL can be
 * offered as a menu of articles to import. The text comes from fetchDocument; nothing here
 * touches the network.
 */
import type Parser from 'rss-parser';
import { UserError } from '../errors.js';
import { parseDate } from './dates.js';
import { decodeEntities, normaliseText } from './text.js';

export interface FeedItem {
  title: string;
  /** Absolute http(s) URL of the story. */
  link: string;
  /** YYYY-MM-DD, the date as written in the feed (its own time zone), if the item has one. */
  published?: string;
}

export interface Feed {
  title: string;
  items: FeedItem[];
}

/** An Atom <link>, as xml2js gives it. */
interface AtomLink {
  $?: { href?: string; rel?: string; type?: string };
}

/** Extra fields read from each item: every Atom <link>, and the raw dates rss-parser rewrites. */
interface RawFields {
  links?: AtomLink[] | string[];
  published?: string;
  updated?: string;
  date?: string;
}

/**
 * Parses RSS 2.0, RSS 1.0/RDF and Atom text. Relative item links are resolved against baseUrl
 * (the feed's URL) when given; items without a usable http(s) link are skipped and repeated links
 * kept once, in feed order. Throws UserError when the text is not a feed.
 */
export async function parseFeed(xml: string, baseUrl?: string): Promise<Feed> {
  // Loaded for feeds only: rss-parser and its XML libraries are ~0.2 s of modules.
  const { default: FeedParser } = await import('rss-parser');
  const parser = new FeedParser<Record<string, unknown>, RawFields>({
    customFields: { item: [['link', 'links', { keepArray: true }], 'published', 'updated', 'date'] },
  });
  let output: Parser.Output<RawFields>;
  try {
    output = await parser.parseString(xml);
  } catch (error) {
    // rss-parser's Atom reader throws RangeError on a date it cannot read.
    if (error instanceof RangeError) throw new UserError('The feed has an entry with a date that cannot be read, so it was not imported.');
    throw new UserError('The text is not an RSS or Atom feed; give the address of the feed itself.');
  }
  const items: FeedItem[] = [];
  const seen = new Set<string>();
  for (const item of output.items) {
    const link = absoluteLink(itemLink(item), baseUrl);
    if (!link || seen.has(link)) continue;
    seen.add(link);
    const published = parseDate(text(item.published) ?? text(item.pubDate) ?? text(item.date) ?? text(item.updated));
    items.push({ title: plainTitle(text(item.title) ?? ''), link, ...(published ? { published } : {}) });
  }
  return { title: plainTitle(text(output.title) ?? ''), items };
}

/** The item's story link: for Atom, the HTML alternate among its <link>s. */
function itemLink(item: RawFields & Parser.Item): string | undefined {
  const atomLinks = (item.links ?? []).filter((link): link is AtomLink => typeof link === 'object' && link !== null);
  if (atomLinks.length === 0) return text(item.link);
  const alternates = atomLinks.filter((link) => (link.$?.rel ?? 'alternate') === 'alternate' && link.$?.href);
  const html = alternates.find((link) => /^(text\/html|application\/xhtml\+xml)$/i.test(link.$?.type ?? ''));
  const untyped = alternates.find((link) => !link.$?.type);
  return (html ?? untyped ?? alternates[0])?.$?.href;
}

function absoluteLink(link: string | undefined, baseUrl: string | undefined): string | undefined {
  if (!link?.trim()) return undefined;
  try {
    const url = new URL(link.trim(), baseUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined; // relative without a base, or not a URL at all
  }
}

/** xml2js gives strings, or objects for elements with attributes; only strings are text. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Titles are often HTML (Atom type="html", and by habit in RSS): tags dropped, the common
 * entities decoded, whitespace collapsed.
 */
function plainTitle(value: string): string {
  return normaliseText(decodeEntities(value.replace(/<\/?[a-z][^>]*>/gi, '')));
}
