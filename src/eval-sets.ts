// The question sets npm run eval measures and the corpora they are measured on: the whole pipeline
// (import, index, search) at the size of many stories, next to src/pipeline.ts that wires it.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CoreConfig } from './config.js';
import { loadCorpus, loadStoryFiles, renderStory, slugForStory, writeStoryFile, type NewStory, type Story } from './corpus/index.js';
import { UserError } from './errors.js';
import type { Embedder } from './embed/index.js';
import { sha256 } from './hash.js';
import type { ExpectedPage } from './import/evaluation.js';
import { importPage } from './import/page.js';
import { buildIndexFromCorpus } from './pipeline.js';
import { createRetriever, openIndex } from './retrieval.js';
import { parseEvalFile, type EvalQuestion } from './search/index.js';
import type { Reranker, Retriever } from './search/index.js';
import { readExpectedPages } from './import/evaluation.js';

/** The team's many-story development set, beside the project (never copied into it). */
export const DEFAULT_NEWS_DIR = '../shared/eval/news-dev';

export type NewsCorpusKind = 'expected' | 'imported';

/** Our own many-story set: questions over the fixture pages we wrote (29 stories). */
export const FIXTURE_PAGES = ['test/fixtures/pages/pages.jsonl', 'test/fixtures/pages-holdout/pages.jsonl'];
export const FIXTURE_MANY_STORY_QUESTIONS = 'test/fixtures/eval/many-stories.jsonl';

/** The news-dev set: its pages and its questions. */
export function newsSet(newsDir: string): { pagesFiles: string[]; questionsFile: string } {
  return { pagesFiles: [path.join(newsDir, 'pages.jsonl')], questionsFile: path.join(newsDir, 'questions.jsonl') };
}

/** The one story the dev set asks about, read from the project whatever CORPUS_DIR says: eval figures do not depend on your corpus. */
export const DEV_STORY_FILE = 'corpus/wapo-2017-05-15-trump-classified-information-russia.md';

/** The dev set's story, as the repository ships it. */
export async function devStory(): Promise<Story> {
  try {
    const [story] = await loadStoryFiles(path.dirname(DEV_STORY_FILE), [path.basename(DEV_STORY_FILE)]);
    return story!;
  } catch {
    throw new UserError(`The dev set's story ${DEV_STORY_FILE} is missing: restore it (git checkout -- ${DEV_STORY_FILE}), or measure your own questions on your corpus with --file.`);
  }
}

/** A retriever over `stories` alone, built in a temporary folder named by `key`. */
export async function storiesRetriever(
  stories: readonly NewStory[],
  key: string,
  config: CoreConfig,
  embedder: Embedder,
  reranker?: Reranker,
): Promise<{ retriever: Retriever; stories: number }> {
  const work = path.join(tmpdir(), `verbatim-eval-${sha256(key, 8)}`);
  const corpusDir = path.join(work, 'corpus');
  await rm(corpusDir, { recursive: true, force: true });
  await mkdir(corpusDir, { recursive: true });
  const taken = new Set<string>();
  for (const story of stories) {
    // Stories of a corpus keep their ids; pages get ids the way add-story gives them.
    const id = 'id' in story && typeof story.id === 'string' ? story.id : slugForStory(story, (slug) => taken.has(slug));
    taken.add(id);
    await writeStoryFile(corpusDir, id, renderStory(story));
  }
  const storiesConfig: CoreConfig = { ...config, corpusDir, indexDir: path.join(work, 'index') };
  await buildIndexFromCorpus(storiesConfig, embedder);
  const index = await openIndex(storiesConfig, embedder);
  return { retriever: createRetriever(index, embedder, reranker), stories: index.stories.length };
}

/** A corpus story as add-story would have written it (its paragraphs as texts), keeping its id. */
export function asNewStory(story: Story): NewStory & { id: string } {
  return { ...story, paragraphs: story.paragraphs.map((paragraph) => paragraph.text) };
}

/**
 * A retriever over `base` (the stories of `config.corpusDir` when not given) plus a set of saved
 * pages, built in a temporary folder: `expected` writes each page's expected paragraphs and
 * attribution (retrieval measured apart from extraction), `imported` reads each saved page
 * through add-story's importer.
 */
export async function pagesRetriever(
  set: { pagesFiles: string[]; questionsFile: string },
  kind: NewsCorpusKind,
  config: CoreConfig,
  embedder: Embedder,
  base?: readonly Story[],
  reranker?: Reranker,
): Promise<{ retriever: Retriever; questions: EvalQuestion[]; stories: number; pages: number }> {
  const pages = (await Promise.all(set.pagesFiles.map(readExpectedPages))).flat();
  const questions = parseEvalFile(await readFile(set.questionsFile, 'utf8'), set.questionsFile);
  const shipped = base ?? (await loadCorpus(config.corpusDir));
  const read = pages.flatMap((page) => (kind === 'expected' ? [expectedStory(page)] : [importedStory(page)].filter((story) => story !== undefined)));
  // Named by what it is built from, so a second run reuses the vectors; callers with other bases (the tests, eval) get other folders.
  const from = base ? `given:${base.map((story) => story.id).join('|')}` : `corpus:${config.corpusDir}`;
  const key = `${kind}:${set.pagesFiles.map((file) => path.resolve(file)).join('|')}:${from}`;
  const built = await storiesRetriever([...shipped.map(asNewStory), ...read], key, config, embedder, reranker);
  return { ...built, questions, pages: read.length };
}

function expectedStory(page: ExpectedPage): NewStory {
  return {
    title: page.titles[0] ?? page.page,
    outlet: page.outlets[0] ?? 'Unknown',
    authors: page.authorSurnames,
    ...(page.published ? { published: page.published } : {}),
    url: page.url,
    paragraphs: page.paragraphs,
  };
}

/** The page as add-story reads it; what the page lacks comes from the expected values, as --url and --published would. */
function importedStory(page: ExpectedPage & { html: string }): NewStory | undefined {
  try {
    const { attribution, paragraphs } = importPage(page.html);
    const fallback = expectedStory(page);
    return {
      title: attribution.title ?? fallback.title,
      outlet: attribution.outlet ?? fallback.outlet,
      authors: attribution.authors,
      published: attribution.published ?? fallback.published,
      url: attribution.url ?? fallback.url,
      paragraphs,
    };
  } catch {
    return undefined;
  }
}

/** Whether the team's news-dev folder is there (it sits beside the project, never in it). */
export function hasNewsSet(newsDir: string): boolean {
  return existsSync(path.join(newsDir, 'pages.jsonl')) && existsSync(path.join(newsDir, 'questions.jsonl'));
}

/** A SQuAD-format question set (SQuAD v1.1, XQuAD) as stories and questions: see `squadSet`. */
export interface SquadSet {
  /** The set's language: from the file name (`xquad.de.json`), else `und`. */
  language: string;
  stories: NewStory[];
  questions: EvalQuestion[];
}

/**
 * A SQuAD-format file (`data[].title`, `data[].paragraphs[].context`, `…qas[].question`) as a
 * corpus: each article a story (its title as the headline, outlet "Wikipedia", one paragraph per
 * context), each question answered by its own paragraph (the whole context is the expected text,
 * so a hit is the passage that is that paragraph).
 */
export async function squadSet(file: string): Promise<SquadSet> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new UserError(`Cannot read ${file} as a SQuAD-format JSON file.`);
  }
  const data = (parsed as { data?: unknown }).data;
  if (!Array.isArray(data)) throw new UserError(`${file} has no "data" list: it is not a SQuAD-format file.`);
  const language = /[._-]([a-z]{2,3})(?:[-_][A-Za-z]+)?\.json$/.exec(path.basename(file))?.[1] ?? 'und';
  const stories: NewStory[] = [];
  const questions: EvalQuestion[] = [];
  data.forEach((article: { title?: unknown; paragraphs?: unknown }, a) => {
    const title = String(article.title ?? `Article ${a + 1}`).replace(/_/g, ' ').trim() || `Article ${a + 1}`;
    const paragraphs = Array.isArray(article.paragraphs) ? (article.paragraphs as Array<{ context?: unknown; qas?: unknown }>) : [];
    const texts: string[] = [];
    paragraphs.forEach((paragraph, p) => {
      // One paragraph per context: line breaks inside one would split it.
      const context = String(paragraph.context ?? '').replace(/\s+/g, ' ').trim();
      if (!context) return;
      texts.push(context);
      const qas = Array.isArray(paragraph.qas) ? (paragraph.qas as Array<{ id?: unknown; question?: unknown }>) : [];
      qas.forEach((qa, q) => {
        if (typeof qa.question === 'string' && qa.question.trim()) questions.push({ id: String(qa.id ?? `${a}.${p}.${q}`), question: qa.question, answers: [context] });
      });
    });
    if (texts.length === 0) return;
    const host = language === 'und' ? 'wikipedia.org' : `${language}.wikipedia.org`;
    stories.push({ title, outlet: 'Wikipedia', authors: [], url: `https://${host}/wiki/${encodeURIComponent(title.replace(/ /g, '_'))}`, paragraphs: texts });
  });
  if (stories.length === 0) throw new UserError(`${file} holds no article with a paragraph.`);
  return { language, stories, questions };
}
