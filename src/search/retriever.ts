import type { Embedder } from '../embed/index.js';
import type { StoredParagraph, StoredStory, VectorStore } from '../index/index.js';
import { reciprocalRankFusion, standardScoreFusion } from './fusion.js';
import { bestSentence, sentenceTerms, type SentenceTerms } from './highlight.js';
import { LexicalIndex } from './lexical.js';
import { cleanQuestion, isSearchable } from './question.js';
import { DEFAULT_REFUSAL, answerConfidence, isAnswered, questionNames, unknownNames, type AnswerFeatures, type RefusalPolicy } from './refusal.js';
import type { SentenceSpan } from './sentences.js';
import { SpellingCorrector } from './spelling.js';
import { TermStatistics, termCoverage } from './terms.js';
import { contentTerms } from './text.js';

/** `hybrid` fuses dense and BM25 by standard scores; `rrf` fuses them by rank (the usual baseline). */
export const SEARCH_MODES = ['dense', 'bm25', 'hybrid', 'rrf'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export const DEFAULT_TOP_K = 3;
/** With several stories and no story filter, at most this many passages come from one story. */
export const PER_STORY_CAP = 2;
/**
 * BM25 weight of a question word that is in the paragraph's own headline. The headline's words
 * describe the whole story, so inside that story they do not tell paragraphs apart; at full
 * weight they make the lead paragraph win every question (docs/quality.md).
 */
export const HEADLINE_TERM_WEIGHT = 0.5;

/** What a retriever searches: the loaded index, minus anything about files. */
export interface SearchCorpus {
  stories: readonly StoredStory[];
  /** In label order. */
  paragraphs: readonly StoredParagraph[];
  store: VectorStore;
}

export interface SearchRequest {
  question: string;
  mode?: SearchMode;
  /** How many passages to return (after `offset`). */
  topK?: number;
  /** Skip this many of the best passages ("More passages"). */
  offset?: number;
  /** Limit the search to one story. */
  storyId?: string;
  /** Return the ranked passages even when refusing (for evaluation). */
  keepPassagesWhenRefused?: boolean;
}

export interface Passage {
  label: number;
  paragraph: StoredParagraph;
  story: StoredStory;
  /** The ranking score of the mode used (cosine, BM25, fused standard score or RRF). */
  score: number;
  /** Cosine similarity with the question. */
  similarity: number;
  /** The sentence that best answers, as offsets into `paragraph.text`. */
  highlight: SentenceSpan | undefined;
}

export type SearchOutcome =
  | { kind: 'answered' }
  /** The question has no words to search for. */
  | { kind: 'empty' }
  /** The best passage does not answer: the story does not say. */
  | { kind: 'not-in-story' };

export interface SearchResult {
  /** The question as searched, after cleaning. */
  question: string;
  outcome: SearchOutcome;
  /** Passages to quote, best first; empty unless answered. */
  passages: Passage[];
  /** Whether more passages could follow `offset + passages.length`. */
  more: boolean;
  /** Refusal confidence of the best passage (see refusal.ts). */
  confidence: number;
  /** Stories the search covered. */
  searched: StoredStory[];
  timings: { embedMs: number; searchMs: number };
}

export interface RetrieverOptions {
  policy?: RefusalPolicy;
  /** Ordinary English words; when given, misspelt question words are corrected to corpus words. */
  dictionary?: ReadonlySet<string>;
  now?: () => number;
}

/** Answers questions from one loaded index; build a new one when the index is rebuilt. */
export class Retriever {
  private readonly lexical: LexicalIndex;
  /** Content terms of each story's headline, by story id. */
  private readonly headlineTerms: Map<string, Set<string>>;
  private readonly stats: TermStatistics;
  private readonly storiesById: Map<string, StoredStory>;
  private readonly storyVocabulary = new Map<string, Set<string>>();
  private corpusVocabulary: Set<string> | undefined;
  /** Content terms of paragraphs and their sentences, by label: computed on first use, then reused. */
  private readonly paragraphTerms = new Map<number, { terms: Set<string>; sentences: SentenceTerms[] }>();
  private readonly policy: RefusalPolicy;
  private readonly speller: SpellingCorrector | undefined;
  private readonly now: () => number;

  constructor(
    private readonly corpus: SearchCorpus,
    private readonly embedder: Embedder,
    options: RetrieverOptions = {},
  ) {
    const texts = corpus.paragraphs.map((paragraph) => paragraph.text);
    this.lexical = new LexicalIndex(texts);
    this.headlineTerms = new Map(corpus.stories.map((story) => [story.id, new Set(contentTerms(story.title))]));
    this.stats = new TermStatistics(texts);
    this.storiesById = new Map(corpus.stories.map((story) => [story.id, story]));
    this.policy = options.policy ?? DEFAULT_REFUSAL;
    this.speller = options.dictionary?.size ? new SpellingCorrector(texts, options.dictionary) : undefined;
    this.now = options.now ?? (() => performance.now());
  }

  get stories(): readonly StoredStory[] {
    return this.corpus.stories;
  }

  story(id: string): StoredStory | undefined {
    return this.storiesById.get(id);
  }

  /** The paragraph `number` of a story, if it exists. */
  paragraph(storyId: string, number: number): StoredParagraph | undefined {
    const story = this.storiesById.get(storyId);
    if (!story || number < 1 || number > story.paragraphCount) return undefined;
    const first = this.corpus.paragraphs.findIndex((paragraph) => paragraph.storyId === storyId);
    return this.corpus.paragraphs[first + number - 1];
  }

  async search(request: SearchRequest): Promise<SearchResult> {
    const mode = request.mode ?? 'hybrid';
    const topK = request.topK ?? DEFAULT_TOP_K;
    const offset = request.offset ?? 0;
    const question = cleanQuestion(request.question);
    const searched = request.storyId ? [this.storiesById.get(request.storyId)].filter((s) => s !== undefined) : [...this.corpus.stories];
    const refused = (kind: 'empty' | 'not-in-story', confidence: number, timings: SearchResult['timings'], passages: Passage[] = []): SearchResult => ({
      question,
      outcome: { kind },
      passages,
      more: false,
      confidence,
      searched,
      timings,
    });
    if (!isSearchable(question) || searched.length === 0) return refused('empty', 0, { embedMs: 0, searchMs: 0 });

    const started = this.now();
    // Searched with misspellings corrected; the result still reports the question as asked.
    const searchText = this.speller?.correct(question) ?? question;
    const [queryVector] = await this.embedder.embed([searchText]);
    const embedded = this.now();
    const accept = request.storyId ? (label: number) => this.corpus.paragraphs[label]?.storyId === request.storyId : undefined;

    const depth = Math.min(this.corpus.store.size, Math.max(50, (offset + topK) * 10));
    const dense = this.corpus.store.search(queryVector!, depth, accept);
    const similarityOf = new Map(dense.map((hit) => [hit.label, hit.similarity]));
    const lexical = mode === 'dense' ? [] : this.lexical.query(searchText, accept, this.headlineWeight).slice(0, depth);

    let ranking: Array<{ label: number; score: number }>;
    if (mode === 'dense') ranking = dense.map((hit) => ({ label: hit.label, score: hit.similarity }));
    else if (mode === 'bm25') ranking = lexical.map((hit) => ({ label: hit.label, score: hit.score }));
    else if (mode === 'rrf') ranking = reciprocalRankFusion([dense.map((hit) => hit.label), lexical.map((hit) => hit.label)]);
    else {
      const lexicalScore = new Map(lexical.map((hit) => [hit.label, hit.score]));
      const candidates = [...new Set([...dense.map((hit) => hit.label), ...lexical.map((hit) => hit.label)])];
      ranking = standardScoreFusion(candidates, [
        candidates.map((label) => this.similarity(label, queryVector!, similarityOf)),
        candidates.map((label) => lexicalScore.get(label) ?? 0),
      ]);
    }

    const ordered = this.diversify(dedupe(ranking, this.corpus.paragraphs), request.storyId === undefined);
    const questionTerms = contentTerms(searchText);
    const best = ordered[0];
    const features: AnswerFeatures | undefined = best && {
      similarity: Math.max(...dense.map((hit) => hit.similarity), this.similarity(best.label, queryVector!, similarityOf)),
      coverage: termCoverage(questionTerms, this.termsOf(best.label).terms, this.stats),
      unknownNames: unknownNames(questionNames(searchText), this.vocabulary(request.storyId)),
    };
    const confidence = features ? answerConfidence(features, this.policy) : 0;
    const timings = { embedMs: embedded - started, searchMs: this.now() - embedded };
    const answered = features !== undefined && isAnswered(features, this.policy);
    if (!answered && !request.keepPassagesWhenRefused) return refused('not-in-story', confidence, timings);

    const page = ordered.slice(offset, offset + topK);
    const passages: Passage[] = page.map(({ label, score }) => {
      const paragraph = this.corpus.paragraphs[label]!;
      return {
        label,
        paragraph,
        story: this.storiesById.get(paragraph.storyId)!,
        score,
        similarity: this.similarity(label, queryVector!, similarityOf),
        highlight: bestSentence(paragraph.text, questionTerms, this.stats, this.termsOf(label).sentences),
      };
    });
    timings.searchMs = this.now() - embedded;
    if (!answered) return refused('not-in-story', confidence, timings, passages);
    return { question, outcome: { kind: 'answered' }, passages, more: ordered.length > offset + topK, confidence, searched, timings };
  }

  /** Paragraphs `radius` before and after `label` in the same story, in story order. */
  context(label: number, radius = 1): StoredParagraph[] {
    const center = this.corpus.paragraphs[label];
    if (!center) return [];
    const around: StoredParagraph[] = [];
    for (let at = label - radius; at <= label + radius; at++) {
      const paragraph = this.corpus.paragraphs[at];
      if (paragraph && paragraph.storyId === center.storyId) around.push(paragraph);
    }
    return around;
  }

  private readonly headlineWeight = (label: number, term: string): number =>
    this.headlineTerms.get(this.corpus.paragraphs[label]!.storyId)?.has(term) ? HEADLINE_TERM_WEIGHT : 1;

  /** Terms of the searched paragraphs: the whole corpus, or one story. */
  private vocabulary(storyId: string | undefined): Set<string> {
    if (!storyId) return (this.corpusVocabulary ??= new Set(this.stats.terms()));
    let terms = this.storyVocabulary.get(storyId);
    if (!terms) {
      const found = new Set<string>();
      this.corpus.paragraphs.forEach((paragraph, label) => {
        if (paragraph.storyId === storyId) for (const term of this.termsOf(label).terms) found.add(term);
      });
      this.storyVocabulary.set(storyId, (terms = found));
    }
    return terms;
  }

  /** The content terms of a paragraph and of each of its sentences (what coverage and highlighting compare). */
  private termsOf(label: number): { terms: Set<string>; sentences: SentenceTerms[] } {
    let known = this.paragraphTerms.get(label);
    if (!known) {
      const text = this.corpus.paragraphs[label]!.text;
      known = { terms: new Set(contentTerms(text)), sentences: sentenceTerms(text) };
      this.paragraphTerms.set(label, known);
    }
    return known;
  }

  private similarity(label: number, query: Float32Array, known: Map<number, number>): number {
    return known.get(label) ?? cosineWith(this.corpus.store, label, query);
  }

  /** With several stories, caps each story's share of the top so the others can show. */
  private diversify(ranking: Array<{ label: number; score: number }>, capStories: boolean): Array<{ label: number; score: number }> {
    if (!capStories || this.corpus.stories.length < 2) return ranking;
    const perStory = new Map<string, number>();
    const first: typeof ranking = [];
    const overflow: typeof ranking = [];
    for (const item of ranking) {
      const storyId = this.corpus.paragraphs[item.label]!.storyId;
      const count = perStory.get(storyId) ?? 0;
      perStory.set(storyId, count + 1);
      (count < PER_STORY_CAP ? first : overflow).push(item);
    }
    return [...first, ...overflow];
  }
}

/** Drops repeated paragraphs (same text), keeping the best-ranked copy. */
function dedupe(ranking: Array<{ label: number; score: number }>, paragraphs: readonly StoredParagraph[]) {
  const seen = new Set<string>();
  return ranking.filter(({ label }) => {
    const hash = paragraphs[label]!.hash;
    if (seen.has(hash)) return false;
    seen.add(hash);
    return true;
  });
}

function cosineWith(store: VectorStore, label: number, query: Float32Array): number {
  const vector = store.vector(label);
  let dot = 0;
  for (let i = 0; i < vector.length; i++) dot += vector[i]! * query[i]!;
  return dot;
}
