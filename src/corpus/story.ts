import path from 'node:path';
import { parseYaml } from './yaml.js';
import * as z from 'zod';
import { UserError } from '../errors.js';
import { createHash } from 'node:crypto';
import { sha256 } from '../hash.js';
import { detectStoryLanguage, primaryLanguage } from '../shared/language.js';

/** Bumped whenever paragraph splitting changes, so old indexes are rebuilt. */
export const CHUNKER_VERSION = 1;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date like 2017-05-15')
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be a real calendar date');

export const frontMatterSchema = z.object({
  title: z.string().trim().min(1, 'must not be empty'),
  outlet: z.string().trim().min(1, 'must not be empty'),
  // A wire story or a staff piece may name no person: the outlet then stands alone.
  authors: z.array(z.string().trim().min(1, 'must not hold an empty name')).default([]),
  // A page may give no date: the story is then shown without one rather than with a guess.
  published: isoDate.optional(),
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
  // The story's language as a BCP-47 tag ("de", "pt-BR"): kept as its primary subtag. Absent = detected from the text.
  language: z
    .string()
    .trim()
    .refine((value) => primaryLanguage(value) !== undefined, 'must be a language tag like en, de or zh-Hans')
    .transform((value) => primaryLanguage(value)!)
    .optional(),
});

export type FrontMatter = z.infer<typeof frontMatterSchema>;

export interface Paragraph {
  /** Stable id: story slug + paragraph number, e.g. `wapo-2017-05-15-…:12`. */
  id: string;
  storyId: string;
  /** 1-based position in the story. */
  number: number;
  /** The paragraph exactly as written in the corpus file. */
  text: string;
  /** Content hash of `text`: unchanged text keeps its vector across rebuilds. */
  hash: string;
}

export interface Story extends FrontMatter {
  /** The file name without `.md`; also the prefix of every paragraph id. */
  id: string;
  file: string;
  paragraphs: Paragraph[];
}

/** A story without its paragraph texts: what duplicate checks and story lists need, and what an index's small files hold. */
export type StorySummary = Omit<Story, 'paragraphs'> & { paragraphs: ReadonlyArray<Pick<Paragraph, 'hash'>> };

/** A story file's YAML front matter block (its text in group 1). */
export const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** `My Story.md` -> `my-story`: the slug is the file name, so ids survive edits to the text. */
export function storySlug(fileName: string): string {
  return fileName
    .replace(/\.md$/i, '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Splits a story body into paragraphs at blank lines. A paragraph hard-wrapped over several
 * lines is joined with single spaces (as Markdown reads it); nothing else is changed.
 */
export function splitParagraphs(body: string): string[] {
  return body
    .replace(/^\uFEFF/, '')
    .split(/\r?\n[ \t]*(?:\r?\n[ \t]*)+/)
    .map((block) => block.split(/\r?\n/).map((line) => line.trim()).join(' ').trim())
    .filter((block) => block.length > 0);
}

/** Parses one corpus file; errors name the file (as given) and the field. */
export function parseStory(filePath: string, source: string): Story {
  const fileName = path.basename(filePath);
  const match = FRONT_MATTER.exec(source.replace(/^\uFEFF/, ''));
  if (!match) {
    throw new UserError(
      `${filePath} has no front matter: start the file with a --- block holding title, outlet, authors, published and url.`,
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(match[1] ?? '');
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n', 1)[0] : String(error);
    throw new UserError(`${filePath} has front matter that is not valid YAML (${reason}).`);
  }
  const parsed = frontMatterSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'front matter';
    const problem = issue?.code === 'invalid_type' && issue.input === undefined ? 'is missing' : issue?.message;
    throw new UserError(`${filePath}: front-matter field "${field}" ${problem}.`);
  }
  const id = storySlug(fileName);
  if (!id) throw new UserError(`${filePath}: the file name has no letters or digits to make a story id from.`);
  const texts = splitParagraphs(source.slice(match[0].length + (source.startsWith('\uFEFF') ? 1 : 0)));
  if (texts.length === 0) throw new UserError(`${filePath} has front matter but no paragraphs.`);
  const paragraphs = texts.map((text, index) => ({
    id: `${id}:${index + 1}`,
    storyId: id,
    number: index + 1,
    text,
    hash: sha256(text),
  }));
  return { id, file: fileName, ...parsed.data, paragraphs };
}

/** What the corpus hash covers of a story: its attribution and its paragraphs' hashes (an index holds these without the texts). */
export type HashedStory = Pick<Story, 'id' | 'title' | 'outlet' | 'authors' | 'published' | 'url'> & { paragraphs: ReadonlyArray<{ hash: string }> };

const languages = new WeakMap<object, string>();

/**
 * A story's language: its front matter's `language:`, else detected from its headline and first
 * paragraphs (src/shared/language.ts), worked out once per story object.
 */
export function storyLanguage(story: Pick<Story, 'title' | 'language'> & { paragraphs: ReadonlyArray<string | { text: string }> }): string {
  if (story.language) return story.language;
  let language = languages.get(story);
  if (!language) {
    language = detectStoryLanguage(story.title, story.paragraphs);
    languages.set(story, language);
  }
  return language;
}

/** A hash of everything in the corpus that the index depends on. */
export function corpusHash(stories: readonly HashedStory[]): string {
  // Fed story by story: joining a year's stories into one string first took three times as long.
  const hash = createHash('sha256').update(`chunker:${CHUNKER_VERSION}\n`);
  stories.forEach((story, i) => {
    hash.update(`${i > 0 ? '\n' : ''}${JSON.stringify([story.id, story.title, story.outlet, story.authors, story.published, story.url, story.paragraphs.map((p) => p.hash)])}`);
  });
  return hash.digest('hex').slice(0, 16);
}
