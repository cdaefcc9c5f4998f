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
