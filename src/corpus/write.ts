import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { toYaml } from './yaml.js';
import { UserError } from '../errors.js';
import { sha256 } from '../hash.js';
import { parseStory, storySlug, type FrontMatter, type StorySummary } from './story.js';

/** A story about to be written: its front matter and its paragraphs, each one line of text. */
export interface NewStory extends FrontMatter {
  paragraphs: string[];
}

/** Longest slug: readable in a file list and far below file-name limits. */
const MAX_SLUG_LENGTH = 80;

/**
 * The Markdown file for a story: YAML front matter, then the paragraphs separated by blank
 * lines. Checked by reading it back, so what is written is exactly what the loader will quote.
 */
export function renderStory(story: NewStory): string {
  const front = {
    title: story.title,
    outlet: story.outlet,
    authors: story.authors,
    // No date on the page: the field is left out rather than filled with a guess.
    ...(story.published ? { published: story.published } : {}),
    url: story.url,
    ...(story.language ? { language: story.language } : {}),
  };
  const text = `---\n${toYaml(front, { lineWidth: 0 })}---\n\n${story.paragraphs.join('\n\n')}\n`;
  const back = parseStory('new story', text);
  const same =
    back.paragraphs.length === story.paragraphs.length &&
    back.paragraphs.every((paragraph, i) => paragraph.text === story.paragraphs[i]) &&
    back.title === story.title &&
    back.outlet === story.outlet;
  if (!same) throw new UserError('The story could not be written so that it reads back word for word; nothing was added.');
  return text;
}

/**
 * A stable, readable story id: `<outlet>-<date>-<headline words>` (no date part for an undated story), cut at a word boundary. A
 * headline with no Latin letters (Chinese, Arabic…) gets a short hash of its link instead.
 */
export function slugForStory(story: Pick<NewStory, 'outlet' | 'published' | 'title' | 'url'>, isTaken: (slug: string) => boolean): string {
  const outlet = storySlug(story.outlet).split('-').filter((word) => word !== 'the').slice(0, 4).join('-') || 'story';
  const headline = storySlug(story.title) || sha256(story.url, 8);
  let slug = [outlet, story.published, headline].filter(Boolean).join('-');
  if (slug.length > MAX_SLUG_LENGTH) slug = slug.slice(0, MAX_SLUG_LENGTH).replace(/-[^-]*$/, '');
  if (!isTaken(slug)) return slug;
  for (let n = 2; ; n++) {
    if (!isTaken(`${slug}-${n}`)) return `${slug}-${n}`;
  }
}

/**
 * Writes `<corpusDir>/<id>.md` through a temporary file and a rename, so an interrupted run
 * leaves either the old file or the new one, never half of one. Returns the file's path.
 */
export async function writeStoryFile(corpusDir: string, id: string, text: string): Promise<string> {
  const file = storyFilePath(corpusDir, id);
  await mkdir(corpusDir, { recursive: true });
  // A dot file: the loader skips it if a crash leaves it behind.
  const temporary = path.join(corpusDir, `.${id}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { encoding: 'utf8', flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return file;
}

/** Deletes a story's file. */
export async function removeStoryFile(corpusDir: string, id: string): Promise<string> {
  const file = storyFilePath(corpusDir, id);
  await rm(file);
  return file;
}

/** The file of a story id; an id is a slug, so it can never name a path outside the corpus. */
export function storyFilePath(corpusDir: string, id: string): string {
  if (storySlug(id) !== id || !id) throw new UserError(`"${id}" is not a story id: ids are lower-case letters, digits and dashes (see npm run ask -- --help or /sources).`);
  return path.join(corpusDir, `${id}.md`);
}

/**
 * A link compared as the same page: no scheme, fragment, tracking parameters or trailing slash,
 * host in lower case. A port other than the scheme's default is kept: two servers on one host
 * are two sites.
 */
export function normaliseLink(link: string): string {
  try {
    const url = new URL(link);
    url.hash = '';
    for (const key of [...url.searchParams.keys()]) {
      if (/^(?:utm_|fbclid$|gclid$|mc_|cmpid$|ref$|src$|smid$|partner$|ocid$)/i.test(key)) url.searchParams.delete(key);
    }
    const pathname = url.pathname.replace(/\/+$/, '') || '/';
    return `${url.host.replace(/^www\./, '')}${pathname}${url.search}`.toLowerCase();
  } catch {
    return link.trim().toLowerCase();
  }
}

/**
 * Whether `candidate` is an update of the stored story `findSameStory` found: the same address,
 * other words (the outlet edited the article since it was added).
 */
export function isUpdateOf(stored: Pick<StorySummary, 'url' | 'paragraphs'>, candidate: Pick<NewStory, 'url' | 'paragraphs'>): boolean {
  const sameWords = stored.paragraphs.length === candidate.paragraphs.length && stored.paragraphs.every((paragraph, i) => paragraph.hash === sha256(candidate.paragraphs[i]!));
  return normaliseLink(stored.url) === normaliseLink(candidate.url) && !sameWords;
}

/** Share of a new story's paragraphs already in a stored one above which they are the same article. */
const SAME_TEXT_SHARE = 0.8;

/** The story in the corpus that is the same article: the same link, or the same text (most of its paragraphs word for word). */
export function findSameStory<S extends StorySummary>(stories: readonly S[], candidate: Pick<NewStory, 'url' | 'paragraphs'>): S | undefined {
  const link = normaliseLink(candidate.url);
  const byLink = stories.find((story) => normaliseLink(story.url) === link);
  if (byLink) return byLink;
  const hashes = new Set(candidate.paragraphs.map((text) => sha256(text)));
  if (hashes.size === 0) return undefined;
  return stories.find((story) => {
    const shared = story.paragraphs.filter((paragraph) => hashes.has(paragraph.hash)).length;
    return shared >= SAME_TEXT_SHARE * Math.min(hashes.size, story.paragraphs.length);
  });
}
