import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CoreConfig } from '../config.js';
import { loadCorpus, renderStory, slugForStory, writeStoryFile, type NewStory } from '../corpus/index.js';
import type { Embedder } from '../embed/index.js';
import { sha256 } from '../hash.js';
import type { ExpectedPage } from '../import/evaluation.js';
import { importPage } from '../import/page.js';
import { buildIndexFromCorpus, createRetriever, openIndex } from '../pipeline.js';
import { parseEvalFile, type EvalQuestion } from '../search/index.js';
import type { Reranker, Retriever } from '../search/index.js';
import { readExpectedPages } from './eval-import.js';

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

/**
 * A retriever over the shipped corpus plus a set of saved pages, built in a temporary folder:
 * `expected` writes each page's expected paragraphs and attribution (retrieval measured apart
 * from extraction), `imported` reads each saved page through add-story's importer.
 */
export async function pagesRetriever(
  set: { pagesFiles: string[]; questionsFile: string },
  kind: NewsCorpusKind,
  config: CoreConfig,
  embedder: Embedder,
  reranker?: Reranker,
): Promise<{ retriever: Retriever; questions: EvalQuestion[]; stories: number }> {
  const pages = (await Promise.all(set.pagesFiles.map(readExpectedPages))).flat();
  const questions = parseEvalFile(await readFile(set.questionsFile, 'utf8'), set.questionsFile);
  const shipped = await loadCorpus(config.corpusDir);
  const key = `${set.pagesFiles.map((file) => path.resolve(file)).join('|')}:${config.corpusDir}`;
  const work = path.join(tmpdir(), `verbatim-eval-${kind}-${sha256(key, 8)}`);
  const corpusDir = path.join(work, 'corpus');
  await rm(corpusDir, { recursive: true, force: true });
  await mkdir(corpusDir, { recursive: true });
  // The shipped stories keep their ids; the news pages get ids the way add-story gives them.
  for (const story of shipped) {
    await writeStoryFile(corpusDir, story.id, renderStory({ ...story, paragraphs: story.paragraphs.map((paragraph) => paragraph.text) }));
  }
  const taken = new Set(shipped.map((story) => story.id));
  for (const page of pages) {
    const story = kind === 'expected' ? expectedStory(page) : importedStory(page);
    if (!story) continue;
    const id = slugForStory(story, (slug) => taken.has(slug));
    taken.add(id);
    await writeStoryFile(corpusDir, id, renderStory(story));
  }
  const newsConfig: CoreConfig = { ...config, corpusDir, indexDir: path.join(work, 'index') };
  await buildIndexFromCorpus(newsConfig, embedder);
  const index = await openIndex(newsConfig, embedder);
  return { retriever: createRetriever(index, embedder, reranker), questions, stories: index.stories.length };
}

function expectedStory(page: ExpectedPage): NewStory {
  return {
    title: page.titles[0] ?? page.page,
    outlet: page.outlets[0] ?? 'Unknown',
    authors: page.authorSurnames,
    published: page.published ?? '2000-01-01',
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
