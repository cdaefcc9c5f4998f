import { frontMatterSchema, type NewStory } from '../corpus/index.js';
import { UserError } from '../errors.js';
import type { Attribution, AttributionOverrides } from './attribute.js';
import { parseDate } from './dates.js';
import type { ImportedArticle } from './page.js';
import { describeSource, loadSource, type ImportSettings } from './source.js';
import { importText } from './text-story.js';
import { importedStoryLanguage } from '../shared/language.js';

export { describeSource, sourceKind, type ImportSettings, type SourceKind } from './source.js';

export interface StoryRequest {
  /** An http(s) URL, a saved .html / .html.gz page, or a .txt / .md file. */
  source: string;
  /** What the person importing says: wins over the page. */
  overrides?: AttributionOverrides;
  /** What a feed item says: used where the page says nothing. */
  fallbacks?: Partial<Attribution>;
}

/**
 * Reads one story, in one straight line: the source (fetched or read) → the document → the
 * article's text and attribution → the story, checked for everything a quote is attributed with.
 */
export async function readStory(request: StoryRequest, settings: ImportSettings): Promise<NewStory> {
  const source = await loadSource(request.source, settings);
  // The HTML reader (linkedom, Readability: ~0.3 s of modules) is loaded for pages only, not for text files.
  const article =
    source.kind === 'html'
      ? (await import('./page.js')).importPage(source.html, { pageUrl: source.pageUrl, overrides: request.overrides, source: describeSource(request.source) })
      : importText(source.text, { source: describeSource(request.source), overrides: request.overrides });
  return storyOf(article, request);
}

/**
 * The story, or one sentence naming the option that supplies what the page does not say. A
 * story without a date is added without one: the bot then shows no date rather than a guess.
 */
export function storyOf(article: ImportedArticle, request: Pick<StoryRequest, 'source' | 'fallbacks'>): NewStory {
  const attribution = withFallbacks(article.attribution, request.fallbacks);
  const where = describeSource(request.source);
  const url = attribution.url;
  if (!url) throw new UserError(`${where} gives no link to the story: pass --url with its address, so every quote can link to it.`);
  if (!/^https?:\/\/[^/\s]+/i.test(url) || !hostName(url)) throw new UserError(`The link "${url.slice(0, 100)}" is not an http(s) address: pass --url with the story's address.`);
  const title = attribution.title;
  if (!title) throw new UserError(`${where} gives no headline: pass --title.`);
  const outlet = attribution.outlet ?? hostName(url);
  if (!outlet) throw new UserError(`${where} does not name its outlet: pass --outlet.`);
  const published = parseDate(attribution.published);
  if (attribution.published && !published) throw new UserError(`The date "${attribution.published}" is not a date: give it as YYYY-MM-DD (--published, or published: in /story add).`);
  const candidate = { title, outlet, authors: attribution.authors, ...(published ? { published } : {}), url };
  const checked = frontMatterSchema.safeParse(candidate);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new UserError(`${where}: the ${String(issue?.path[0] ?? 'attribution')} ${issue?.message ?? 'is not valid'}; pass it with --${String(issue?.path[0] ?? 'url')}.`);
  }
  // The language goes into the front matter: the page's when its text bears it out, else the text's.
  return { ...checked.data, language: importedStoryLanguage(article.language, title, article.paragraphs), paragraphs: article.paragraphs };
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

function hostName(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^www\./, '') || undefined;
  } catch {
    return undefined;
  }
}
