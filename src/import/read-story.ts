import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { frontMatterSchema, splitParagraphs, type NewStory } from '../corpus/index.js';
import { UserError } from '../errors.js';
import { parse as parseYaml } from 'yaml';
import type { Attribution, AttributionOverrides } from './attribute.js';
import { parseDate } from './dates.js';
import { NotAnArticleError } from './extract.js';
import { decodeDocument, fetchDocument, type FetchOptions } from './fetch.js';
import { importPage } from './page.js';
import { normaliseText } from './text.js';

/** How the importer reaches the web. */
export interface ImportSettings {
  /** Allow pages on loopback and private addresses (ALLOW_PRIVATE_URLS). */
  allowPrivate: boolean;
  fetch?: Pick<FetchOptions, 'timeoutMs' | 'maxBytes' | 'maxRedirects'>;
}

export interface StoryRequest {
  /** An http(s) URL, a saved .html / .html.gz page, or a .txt / .md file. */
  source: string;
  /** What the person importing says: wins over the page. */
  overrides?: AttributionOverrides;
  /** What a feed item says: used where the page says nothing. */
  fallbacks?: Partial<Attribution>;
}

export type SourceKind = 'url' | 'html' | 'text';

/** What kind of source a command-line argument is. */
export function sourceKind(source: string): SourceKind {
  if (/^https?:\/\//i.test(source)) return 'url';
  if (/\.(?:x?html?|html?\.gz)$/i.test(source)) return 'html';
  if (/\.(?:txt|md|markdown)$/i.test(source)) return 'text';
  throw new UserError(`${source} is not an http(s) URL, a saved .html (or .html.gz) page, or a .txt / .md file.`);
}

/**
 * Reads one story from its source: fetches or reads the page, extracts the article and its
 * attribution, and checks that everything a quote is attributed with is there.
 */
export async function readStory(request: StoryRequest, settings: ImportSettings): Promise<NewStory> {
  const kind = sourceKind(request.source);
  if (kind === 'text') return readTextStory(request);
  const { html, pageUrl } = kind === 'url' ? await fetchPage(request.source, settings) : { html: await readSavedPage(request.source), pageUrl: undefined };
  let article;
  try {
    article = importPage(html, { pageUrl, overrides: request.overrides });
  } catch (error) {
    if (error instanceof NotAnArticleError) throw new UserError(`${describeSource(request.source)} is not an article: ${error.message}.`);
    throw error;
  }
  const attribution = withFallbacks(article.attribution, request.fallbacks);
  return complete(attribution, article.paragraphs, request);
}

async function fetchPage(url: string, settings: ImportSettings): Promise<{ html: string; pageUrl: string }> {
  const page = await fetchDocument(url, { ...settings.fetch, allowPrivate: settings.allowPrivate, accept: 'html' });
  return { html: page.text, pageUrl: page.url };
}

async function readSavedPage(file: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch {
    throw new UserError(`Cannot read ${file}: check the path.`);
  }
  if (/\.gz$/i.test(file)) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      throw new UserError(`${file} is not a gzip file: save the page as .html, or gzip it again.`);
    }
  }
  return decodeDocument(bytes);
}

/**
 * A .txt or .md story: paragraphs at blank lines. Front matter, if any, gives the attribution;
 * otherwise a short first line that is not a sentence is taken as the headline.
 */
async function readTextStory(request: StoryRequest): Promise<NewStory> {
  let text: string;
  try {
    text = (await readFile(request.source, 'utf8')).replace(/^\uFEFF/, '');
  } catch {
    throw new UserError(`Cannot read ${request.source}: check the path.`);
  }
  const front = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  let attribution: Attribution = { authors: [] };
  if (front) {
    let raw: unknown;
    try {
      raw = parseYaml(front[1] ?? '');
    } catch {
      throw new UserError(`${request.source} has front matter that is not valid YAML: fix it or remove it and pass --title, --outlet, --author, --published and --url.`);
    }
    const fields = frontMatterSchema.partial().safeParse(raw ?? {});
    if (fields.success) attribution = { ...fields.data, authors: fields.data.authors ?? [] };
    text = text.slice(front[0].length);
  }
  let paragraphs = splitParagraphs(text).map(normaliseText).filter(Boolean);
  const first = paragraphs[0];
  // A short first line that is not a sentence is the file's headline, not a paragraph to quote.
  if (!front && first && first.length <= 160 && !/[.!?…]["”’']?$/.test(first) && paragraphs.length > 1) {
    attribution.title = first.replace(/^#+\s*/, '');
    paragraphs = paragraphs.slice(1);
  }
  if (paragraphs.length === 0) throw new UserError(`${request.source} holds no paragraphs.`);
  const merged: Attribution = {
    ...attribution,
    ...definedOnly(request.overrides ?? {}),
    authors: request.overrides?.authors?.length ? request.overrides.authors : attribution.authors,
  };
  return complete(withFallbacks(merged, request.fallbacks), paragraphs, request);
}

function withFallbacks(attribution: Attribution, fallbacks: Partial<Attribution> | undefined): Attribution {
  if (!fallbacks) return attribution;
  return {
    title: attribution.title ?? fallbacks.title,
    outlet: attribution.outlet ?? fallbacks.outlet,
    authors: attribution.authors.length ? attribution.authors : (fallbacks.authors ?? []),
    published: attribution.published ?? fallbacks.published,
    url: attribution.url ?? fallbacks.url,
  };
}

/** The story, or one sentence naming the option that supplies what the page does not say. */
function complete(attribution: Attribution, paragraphs: string[], request: StoryRequest): NewStory {
  const where = describeSource(request.source);
  const url = attribution.url;
  if (!url) throw new UserError(`${where} gives no link to the story: pass --url with its address, so every quote can link to it.`);
  if (!/^https?:\/\/[^/\s]+/i.test(url) || !hostName(url)) throw new UserError(`The link "${url.slice(0, 100)}" is not an http(s) address: pass --url with the story's address.`);
  const title = attribution.title;
  if (!title) throw new UserError(`${where} gives no headline: pass --title.`);
  const outlet = attribution.outlet ?? hostName(url);
  if (!outlet) throw new UserError(`${where} does not name its outlet: pass --outlet.`);
  const published = parseDate(attribution.published);
  if (!published) {
    throw new UserError(
      attribution.published
        ? `The date "${attribution.published}" is not a date: pass --published as YYYY-MM-DD.`
        : `${where} gives no publication date: pass --published YYYY-MM-DD.`,
    );
  }
  const candidate = { title, outlet, authors: attribution.authors, published, url };
  const checked = frontMatterSchema.safeParse(candidate);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new UserError(`${where}: the ${String(issue?.path[0] ?? 'attribution')} ${issue?.message ?? 'is not valid'}; pass it with --${String(issue?.path[0] ?? 'url')}.`);
  }
  return { ...checked.data, paragraphs };
}

function hostName(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^www\./, '') || undefined;
  } catch {
    return undefined;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/** A source as the person typed it, short enough for one sentence. */
export function describeSource(source: string): string {
  const shown = /^https?:\/\//i.test(source) ? source : path.basename(source);
  return shown.length > 120 ? `${shown.slice(0, 117)}…` : shown;
}
