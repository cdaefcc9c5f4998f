import type { Embedder } from '../embed/index.js';
import { storyCentroids, type StoredParagraph, type StoredStory, type VectorStore } from '../index/index.js';
import { reciprocalRankFusion, withSeats } from './fusion.js';
import { bestSentence, sentenceTerms, type SentenceTerms } from './highlight.js';
import { textFragmentLink } from './text-fragment.js';
import { LexicalIndex } from './lexical.js';
import type { LexicalSearch, PreparedSearch, StoryTerms } from './prepared.js';
import { cleanQuestion, isSearchable } from './question.js';
import { DEFAULT_REFUSAL, answerConfidence, isAnswered, questionNames, unknownNames, type AnswerFeatures, type RefusalPolicy } from './refusal.js';
import type { SentenceSpan } from './sentences.js';
import { SpellingCorrector } from './spelling.js';
import { READER_SURE_SCORE, readsLanguage, rerank, type Reranker } from './rerank.js';
import { TermStatistics, contextCoverage, holdsTermExactly, termCoverage } from './terms.js';
import { dot } from './vectors.js';
import { calibrateCorpus, calibrationApplies, denseWeight, readLanguages, relatedness, showsTopic, worthIn, type RefusalCalibration } from './calibration.js';
import { answerTypeBonus, expectedAnswerType, holdsAnswerType, type AnswerType } from './answer-type.js';
import { publishedDuring, timeIntent } from './time-intent.js';
import { contentTerms, toTerm, words } from './text.js';
import { DEFAULT_LANGUAGE, corpusLanguages, languagesWithParagraphs, questionLanguage } from '../shared/language.js';

/** `hybrid` ranks story-aware (dense + word coverage); `dense`, `bm25` and `rrf` (rank fusion) are global baselines. */
export const SEARCH_MODES = ['dense', 'bm25', 'hybrid', 'rrf'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export const DEFAULT_TOP_K = 3;
/**
 * Weight of the question's words in a passage beside its meaning (cosine): passage score =
 * cosine + COVERAGE_WEIGHT · coverage, both on scales that do not move as the corpus grows
 * (docs/quality.md).
 */
export const COVERAGE_WEIGHT = 0.5;
/** Stories whose score is within this of the best story's are ranked together with it. */
export const STORY_WINDOW = 0.35;
/** At most this many stories are ranked for one question. */
export const MAX_STORIES = 5;
/**
 * Added to a story's score when the question asks for the latest (the newest candidate gets all
 * of it, fading over about two months) or for a period the story was published in.
 */
export const TIME_WEIGHT = 0.2;
/** Days over which the "latest" bonus fades to a third. */
const RECENCY_DAYS = 60;
/** Stories whose word statistics are kept between questions. */
const STORY_CACHE_SIZE = 512;
/** A word in more than this share of the paragraphs (and more than CANDIDATE_MIN_DOCUMENTS) brings no BM25 candidates. */
const CANDIDATE_MAX_SHARE = 0.02;
const CANDIDATE_MIN_DOCUMENTS = 50;
/** Paragraph vectors kept between questions. */
const VECTOR_CACHE_SIZE = 20_000;
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
  /** Each story's centroid (see `storyCentroids`), flat in story order; made on first use when absent. */
  centroids?: Float32Array;
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
  /** How well the passage answers, from 0 to 1: the ranking score on a fixed scale, so it falls as the order does. */
  relevance: number;
  /** The sentence that best answers, as offsets into `paragraph.text`. */
  highlight: SentenceSpan | undefined;
  /** The story's address, with a text fragment that opens it on the highlighted sentence where one is unique. */
  link: string;
  /** In an interview, the interviewer's question this paragraph answers, when that is what matched the question asked. */
  inReplyTo?: StoredParagraph;
  /** The re-ranker's probability that this passage answers (RERANK_MODEL), when it read it; then also `relevance`. */
  rerankScore?: number;
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
  /** The question's language (BCP-47 primary subtag): how its words were read (src/shared/language.ts). */
  language?: string;
  outcome: SearchOutcome;
  /** Passages to quote, best first; empty unless answered. */
  passages: Passage[];
  /** Whether more passages could follow `offset + passages.length`. */
  more: boolean;
  /** Refusal confidence of the best passage (see refusal.ts), or the re-ranker's probability for it when one is on. */
  confidence: number;
  /** What the refusal decision looked at, when there was a passage to judge. */
  features?: AnswerFeatures;
  /** Stories the search covered. */
  searched: StoredStory[];
  timings: { embedMs: number; searchMs: number };
}

export interface RetrieverOptions {
  policy?: RefusalPolicy;
  /** Ordinary English words (or how to load them when first needed); when given, misspelt question words are corrected to corpus words. */
  dictionary?: ReadonlySet<string> | (() => ReadonlySet<string>);
  /** The BM25 index and word statistics stored with the index; derived from the texts when absent. */
  prepared?: PreparedSearch;
  /** A cross-encoder that reorders the best passages and decides the refusal instead of `policy` (src/search/rerank.ts). */
  reranker?: Reranker;
  /** What this index's encoder scores off-topic questions (stored with the index); measured on the first question when absent or stale. */
  calibration?: RefusalCalibration | undefined;
  now?: () => number;
}

/** Answers questions from one loaded index; build a new one when the index is rebuilt. */
export class Retriever {
  private readonly lexical: LexicalSearch;
  /** Content terms of each story's headline, by story id. */
  private readonly headlineTerms: Map<string, Set<string>>;
  private readonly stats: TermStatistics;
  private readonly storiesById: Map<string, StoredStory>;
  private readonly storyVocabulary = new Map<string, Set<string>>();
  /** Each story's content terms as the index stored them (absent for an index built without them). */
  private readonly storyTerms: StoryTerms | undefined;
  private readonly storyIndex: Map<string, number>;
  private corpusVocabulary: Set<string> | undefined;
  private allHeadlineTerms: Set<string> | undefined;
  /** Where each story's paragraphs lie in label order: [start, end). */
  private readonly storyRanges = new Map<string, { start: number; end: number }>();
  private readonly storyStats = new Map<string, TermStatistics>();
  private readonly centroids = new Map<string, Float32Array>();
  private readonly vectors = new Map<number, Float32Array>();
  /** Content terms of paragraphs and their sentences, by label: computed on first use, then reused. */
  private readonly paragraphTerms = new Map<number, { terms: Set<string>; sentences: SentenceTerms[] }>();
  private readonly policy: RefusalPolicy;
  private readonly speller: SpellingCorrector | undefined;
  private readonly reranker: Reranker | undefined;
  private readonly now: () => number;
  private calibration: RefusalCalibration | Promise<RefusalCalibration> | undefined;
  /** The stories' languages, most common first: what a question's language is chosen among. */
  private readonly languages: string[];

  constructor(
    private readonly corpus: SearchCorpus,
    private readonly embedder: Embedder,
    options: RetrieverOptions = {},
  ) {
    // Only without stored search files: reading every text is what a start at a year's size avoids.
    let everyText: string[] | undefined;
    const texts = () => (everyText ??= corpus.paragraphs.map((paragraph) => paragraph.text));
    const prepared = options.prepared;
    this.storiesById = new Map(corpus.stories.map((story) => [story.id, story]));
    this.languages = corpusLanguages(corpus.stories);
    const languages = () => corpus.paragraphs.map((paragraph) => this.storiesById.get(paragraph.storyId)?.language);
    this.lexical = prepared?.lexical ?? new LexicalIndex(texts(), languages());
    this.headlineTerms = new Map(corpus.stories.map((story) => [story.id, new Set(contentTerms(story.title, story.language))]));
    this.stats = prepared?.stats ?? new TermStatistics(texts(), languages());
    this.storyIndex = new Map(corpus.stories.map((story, i) => [story.id, i]));
    this.storyTerms = prepared?.storyTerms.stories === corpus.stories.length ? prepared.storyTerms : undefined;
    corpus.paragraphs.forEach((paragraph, label) => {
      const range = this.storyRanges.get(paragraph.storyId);
      if (range) range.end = label + 1;
      else this.storyRanges.set(paragraph.storyId, { start: label, end: label + 1 });
    });
    const { centroids } = corpus;
    const dimensions = corpus.store.dimensions;
    if (centroids) corpus.stories.forEach((story, i) => this.centroids.set(story.id, centroids.subarray(i * dimensions, (i + 1) * dimensions)));
    this.policy = options.policy ?? DEFAULT_REFUSAL;
    this.speller = options.dictionary ? new SpellingCorrector(prepared?.wordCounts ?? texts(), options.dictionary) : undefined;
    this.reranker = options.reranker;
    this.now = options.now ?? (() => performance.now());
    const measured = languagesWithParagraphs(corpus.stories.map((story) => story.language), corpus.stories.map((story) => {
      const range = this.storyRanges.get(story.id);
      return range ? range.end - range.start : 0;
    }));
    if (calibrationApplies(options.calibration, embedder.modelHash, corpus.paragraphs.length, measured)) this.calibration = options.calibration;
  }

  /** The refusal's calibration: the stored one, or measured once on this corpus (the background questions embedded and searched). */
  refusalCalibration(): RefusalCalibration | Promise<RefusalCalibration> {
    if (!this.calibration) {
      const measuring = calibrateCorpus(this.embedder, this.corpus);
      this.calibration = measuring.then((calibration) => (this.calibration = calibration));
      // A failed measurement is tried again by the next question.
      measuring.catch(() => (this.calibration = undefined));
    }
    return this.calibration;
  }

  get stories(): readonly StoredStory[] {
    return this.corpus.stories;
  }

  story(id: string): StoredStory | undefined {
    return this.storiesById.get(id);
  }

  /** The paragraph `number` of a story, if it exists. */
  paragraph(storyId: string, number: number): StoredParagraph | undefined {
    const range = this.storyRanges.get(storyId);
    if (!range || number < 1 || number > range.end - range.start) return undefined;
    return this.corpus.paragraphs[range.start + number - 1];
  }

  async search(request: SearchRequest): Promise<SearchResult> {
    const mode = request.mode ?? 'hybrid';
    const topK = request.topK ?? DEFAULT_TOP_K;
    const offset = request.offset ?? 0;
    const question = cleanQuestion(request.question);
    const searched = request.storyId ? [this.storiesById.get(request.storyId)].filter((s) => s !== undefined) : [...this.corpus.stories];
    // The question's language among the searched stories' (one story's when asked of one).
    const language = questionLanguage(question, request.storyId ? corpusLanguages(searched) : this.languages);
    const refused = (kind: 'empty' | 'not-in-story', confidence: number, timings: SearchResult['timings'], passages: Passage[] = []): SearchResult => ({
      question,
      language,
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
    // Only English is corrected: the dictionary that tells a real word from a typo is English.
    const searchText = (language === DEFAULT_LANGUAGE ? this.speller?.correct(question) : undefined) ?? question;
    const [queryVector] = await this.embedder.embed([searchText], 'query');
    const embedded = this.now();
    const accept = request.storyId ? (label: number) => this.corpus.paragraphs[label]?.storyId === request.storyId : undefined;

    const depth = Math.min(this.corpus.store.size, Math.max(50, (offset + topK) * 10));
    const dense = this.corpus.store.search(queryVector!, depth, accept);
    const similarityOf = new Map(dense.map((hit) => [hit.label, hit.similarity]));
    const lexicalQuery = mode === 'hybrid' ? this.candidateQuery(searchText, language) : searchText;
    // Hybrid ranking weighs words itself; its BM25 only fetches candidates, for which exact known words do.
    const known = mode === 'hybrid' ? (term: string) => this.stats.frequency(term) > 0 : undefined;
    const lexical = mode === 'dense' ? [] : this.lexical.query(lexicalQuery, accept, this.headlineWeight, known, depth, language);
    const questionTerms = contentTerms(searchText, language);
    const answerType = expectedAnswerType(searchText, language);

    // What this index's encoder shows on this corpus: ranking's dense weights and the refusal's scale.
    const calibration = await this.refusalCalibration();
    const worth = worthIn(calibration, language);
    const questionRelatedness = relatedness(this.bestReadSimilarity(dense, calibration), queryVector!, calibration, language);
    let ordered: Array<{ label: number; score: number; evidence?: number; rerankScore?: number }>;
    if (mode === 'dense') ordered = dense.map((hit) => ({ label: hit.label, score: hit.similarity }));
    else if (mode === 'bm25') ordered = lexical.map((hit) => ({ label: hit.label, score: hit.score }));
    else if (mode === 'rrf') ordered = reciprocalRankFusion([dense.map((hit) => hit.label), lexical.map((hit) => hit.label)]);
    else {
      const candidates = [...new Set([...dense.map((hit) => hit.label), ...lexical.map((hit) => hit.label)])];
      // A cosine counts in units of the encoder's spread, and only as much as the encoder is worth in the question's language.
      ordered = this.rankByStory(candidates, searchText, questionTerms, answerType, queryVector!, similarityOf, { dense: denseWeight(calibration) * worth, words: 1 - worth, language });
      // Word search's best paragraphs have seats among the ones shown: all three where the encoder
      // reads nothing of the question's language, fewer the more it reads; where it reads it, one
      // when the encoder is not sure of the question on its own (below the relatedness that alone
      // answers). The story-aware order still ranks them among the others. Story-aware ranking by
      // words alone put some of word search's best below the top three (XQuAD), and an unsure
      // encoder ranks the paragraph holding the question's rare words low (docs/quality.md).
      const unsure = questionRelatedness < this.policy.relatednessScale;
      const seats = Math.max(unsure ? 1 : 0, Math.round(DEFAULT_TOP_K * (1 - worth)));
      const words = seats > 0 ? dedupe(this.lexical.query(searchText, accept, this.headlineWeight, undefined, 2 * seats, language), this.corpus.paragraphs) : [];
      // An interviewer's question is shown above the answer that took its place, not alone.
      const answering = new Map(ordered.flatMap((item) => (item.evidence !== undefined && item.evidence !== item.label ? [[item.evidence, item.label] as const] : [])));
      const seated = words.slice(0, seats).map((hit) => answering.get(hit.label) ?? hit.label);
      ordered = withSeats(dedupe(ordered, this.corpus.paragraphs), seated, DEFAULT_TOP_K);
    }
    ordered = dedupe(ordered, this.corpus.paragraphs);
    // The reader stage: the cross-encoder reads the question with each of the best passages (an
    // interview's answer with the interviewer's question that matched) and reorders them.
    const reader = this.reranker && readsLanguage(this.reranker, language) ? this.reranker : undefined;
    if (reader) ordered = await rerank(reader, question, ordered, ({ label, evidence }) => this.readerText(label, evidence));
    // The refusal judges the best story's best passage, not the corpus.
    const best = ordered[0];
    const leading = ordered.slice(0, DEFAULT_TOP_K).map(({ label }) => label);
    // An interview's answer is judged by the interviewer's question that matched (rankByStory).
    const judged = best && (best.evidence ?? best.label);
    const features: AnswerFeatures | undefined = judged !== undefined ? {
      similarity: this.similarity(judged, queryVector!, similarityOf),
      coverage: this.passageCoverage(judged, questionTerms),
      relatedness: questionRelatedness,
      denseWorth: worth,
      storyEvidence: contextCoverage(questionTerms, this.vocabulary(this.corpus.paragraphs[judged]!.storyId), [], this.stats, holdsTermExactly),
      // Names are checked against every searched story: a name known only to a story ranked lower means the ranking
      // missed it, not that the stories do not say (measured: docs/quality.md).
      // A name in a searched story's headline is one the story mentions ("Super Bowl 50" over paragraphs that say "the game").
      unknownNames: unknownNames(unknownNames(questionNames(searchText, language), this.vocabulary(request.storyId), language), this.headlineVocabulary(request.storyId), language),
      missingAnswer: answerType !== undefined && !leading.some((label) => holdsAnswerType(this.corpus.paragraphs[label]!.text, answerType, searchText)),
    } : undefined;
    const confidence = reader ? (best?.rerankScore ?? 0) : features ? answerConfidence(features, this.policy) : 0;
    const timings = { embedMs: embedded - started, searchMs: this.now() - embedded };
    // The reader vetoes what it finds irrelevant and answers what it is sure of; in between, the
    // refusal of words and encoder decides. Alone, a passage-relevance model answers questions the
    // story is about but does not answer (docs/quality.md).
    // Only over a passage in a language it reads: an English question answered from a German story
    // by a multilingual encoder is no pair MS MARCO can judge.
    const judgedLanguage = judged !== undefined ? this.paragraphLanguage(judged) : DEFAULT_LANGUAGE;
    const judge = reader && readsLanguage(reader, judgedLanguage) ? reader : undefined;
    const readerVeto = judge !== undefined && !(confidence >= judge.minScore);
    const readerSure = judge !== undefined && confidence >= Math.max(READER_SURE_SCORE, judge.minScore);
    const answered = features !== undefined && !readerVeto && (readerSure || isAnswered(features, this.policy));
    if (!answered && !request.keepPassagesWhenRefused) return { ...refused('not-in-story', confidence, timings), features };

    const page = ordered.slice(offset, offset + topK);
    const scaled = relevanceScale(mode, ordered[0]?.score ?? 1);
    // Passages past the re-ranker's candidates rank below every one it read: their relevance stays below too.
    const lowestRead = reader ? Math.min(...ordered.slice(0, reader.candidates).map((item) => item.rerankScore ?? 1)) : 1;
    const relevanceOf = (score: number) => Math.min(scaled(score), lowestRead);
    const passages: Passage[] = page.map(({ label, score, evidence, rerankScore }) => {
      const paragraph = this.corpus.paragraphs[label]!;
      const story = this.storiesById.get(paragraph.storyId)!;
      const highlight = bestSentence(paragraph.text, questionTerms, this.stats, this.termsOf(label).sentences, answerType && { type: answerType, question: searchText });
      return {
        ...(evidence !== undefined && evidence !== label ? { inReplyTo: this.corpus.paragraphs[evidence]! } : {}),
        label,
        paragraph,
        story,
        score,
        similarity: this.similarity(label, queryVector!, similarityOf),
        relevance: rerankScore ?? relevanceOf(score),
        ...(rerankScore !== undefined ? { rerankScore } : {}),
        highlight,
        link: textFragmentLink(story.url, paragraph.text, highlight, this.textBefore(label, story.title)),
      };
    });
    timings.searchMs = this.now() - embedded;
    if (!answered) return { ...refused('not-in-story', confidence, timings, passages), features };
    return { question, language, outcome: { kind: 'answered' }, passages, more: ordered.length > offset + topK, confidence, features, searched, timings };
  }

  /**
   * The best cosine among the paragraphs the calibration took cosines over (those with words
   * enough to show a topic, in the languages the encoder reads where the corpus also has others),
   * as the off-topic level was measured; the best of all where none of those was found.
   */
  private bestReadSimilarity(dense: ReadonlyArray<{ label: number; similarity: number }>, calibration: RefusalCalibration): number {
    const read = readLanguages(calibration.languages);
    const hit = dense.find(({ label }) => (!read || read.has(this.paragraphLanguage(label))) && showsTopic(this.termsOf(label).terms));
    return (hit ?? dense[0])?.similarity ?? 0;
  }

  /** The language of a paragraph's story (English where the index recorded none). */
  private paragraphLanguage(label: number): string {
    return this.storiesById.get(this.corpus.paragraphs[label]!.storyId)?.language ?? DEFAULT_LANGUAGE;
  }

  /** The story's headline and its paragraphs before `label`: what a browser passes before reaching it. */
  private textBefore(label: number, title: string): string {
    const storyId = this.corpus.paragraphs[label]!.storyId;
    const earlier: string[] = [];
    for (let at = label - 1; at >= 0 && this.corpus.paragraphs[at]?.storyId === storyId; at--) earlier.push(this.corpus.paragraphs[at]!.text);
    return [title, ...earlier.reverse()].join('\n');
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

  /** What the re-ranker reads for a passage: an interview's answer follows the interviewer's question that matched. */
  private readerText(label: number, evidence: number | undefined): string {
    const text = this.corpus.paragraphs[label]!.text;
    return evidence !== undefined && evidence !== label ? `${this.corpus.paragraphs[evidence]!.text}\n${text}` : text;
  }

  private readonly headlineWeight = (label: number, term: string): number =>
    this.headlineTerms.get(this.corpus.paragraphs[label]!.storyId)?.has(term) ? HEADLINE_TERM_WEIGHT : 1;

  /**
   * The question's words that bring BM25 candidates: a word in more than 2 % of the paragraphs
   * (and over 50 of them) would bring most of a large corpus, all scored and sorted, for a word
   * that tells nothing; the story step weighs every word anyway. All words when none is rarer.
   */
  private candidateQuery(searchText: string, language: string): string {
    const limit = Math.max(CANDIDATE_MIN_DOCUMENTS, CANDIDATE_MAX_SHARE * this.stats.documents);
    // Words still unknown after spelling correction match nothing as they are; expanded, they pull in other words.
    const rare = words(searchText).filter((word) => {
      const term = toTerm(word, language);
      const frequency = term === undefined ? 0 : this.stats.frequency(term);
      return frequency > 0 && frequency <= limit;
    });
    return rare.length > 0 ? rare.join(' ') : searchText;
  }

  /** Terms of the searched stories' headlines: every story's, or one story's. */
  private headlineVocabulary(storyId: string | undefined): Set<string> {
    if (storyId) return this.headlineTerms.get(storyId) ?? new Set();
    return (this.allHeadlineTerms ??= new Set([...this.headlineTerms.values()].flatMap((terms) => [...terms])));
  }

  /** Terms of the searched paragraphs: the whole corpus, or one story (a story's terms are cached). */
  private vocabulary(storyId: string | undefined): Set<string> {
    if (!storyId) return (this.corpusVocabulary ??= new Set(this.stats.terms()));
    const stored = this.storyTerms?.of(this.storyIndex.get(storyId) ?? -1);
    if (stored) return stored;
    let terms = this.storyVocabulary.get(storyId);
    if (!terms) {
      terms = new Set<string>();
      for (const label of this.labelsOf(storyId)) for (const term of this.termsOf(label).terms) terms.add(term);
      if (this.storyVocabulary.size >= STORY_CACHE_SIZE) this.storyVocabulary.delete(this.storyVocabulary.keys().next().value!);
      this.storyVocabulary.set(storyId, terms);
    }
    return terms;
  }

  /** The labels of a story's paragraphs, in story order (a story's paragraphs are stored together). */
  private labelsOf(storyId: string): number[] {
    const range = this.storyRanges.get(storyId);
    if (!range) return [];
    return Array.from({ length: range.end - range.start }, (_, i) => range.start + i);
  }

  /**
   * Story-aware ranking. Each candidate story is scored by its centroid's cosine with the question,
   * its best candidate passage (cosine + coverage of the question's words, corpus-wide weights)
   * and the coverage of the question's words by the whole story (a question naming a player and
   * asking for the contract wants the story that has both, not another team's contract
   * paragraph); the stories within STORY_WINDOW of the best are kept, and every paragraph of theirs
   * is scored by cosine + coverage weighted within its own story (a word every paragraph of the
   * story has tells nothing there), with the neighbours' words counting half. A paragraph of a
   * weaker story pays the gap between the stories, so a second story mixes in only when it is close.
   */
  private rankByStory(
    candidates: readonly number[],
    searchText: string,
    questionTerms: readonly string[],
    answerType: AnswerType | undefined,
    query: Float32Array,
    known: Map<number, number>,
    weights: { dense: number; words: number; language: string },
  ): Array<{ label: number; score: number; evidence?: number }> {
    const { dense } = weights;
    const evidence = new Map<string, number>();
    for (const label of candidates) {
      const storyId = this.corpus.paragraphs[label]!.storyId;
      const score = dense * this.similarity(label, query, known) + COVERAGE_WEIGHT * termCoverage(questionTerms, this.termsOf(label).terms, this.stats);
      evidence.set(storyId, Math.max(evidence.get(storyId) ?? -Infinity, score));
    }
    const intent = timeIntent(searchText);
    // An undated story counts as old: it never gains for "latest" (nor for a period).
    const dated = (id: string): number => {
      const published = this.storiesById.get(id)!.published;
      return published ? Date.parse(published) : Number.NEGATIVE_INFINITY;
    };
    const newest = intent?.kind === 'latest' ? Math.max(...[...evidence.keys()].map(dated)) : 0;
    const timely = (storyId: string): number => {
      if (!intent) return 0;
      if (intent.kind === 'during') return publishedDuring(this.storiesById.get(storyId)!.published, intent) ? TIME_WEIGHT : 0;
      const age = newest - dated(storyId);
      return Number.isFinite(age) ? TIME_WEIGHT * Math.exp(-age / (RECENCY_DAYS * 86_400_000)) : 0;
    };
    const stories = [...evidence.entries()]
      .map(([storyId, best]) => ({
        storyId,
        score: best + dense * dot(this.centroid(storyId), query) + COVERAGE_WEIGHT * termCoverage(questionTerms, this.vocabulary(storyId), this.stats) + timely(storyId),
      }))
      .sort((a, b) => b.score - a.score || a.storyId.localeCompare(b.storyId));
    const top = stories[0]?.score ?? 0;
    const ranked: Array<{ label: number; score: number; evidence: number }> = [];
    const kept = stories.slice(0, MAX_STORIES).filter((story) => story.score >= top - STORY_WINDOW);
    const wordSearch = this.wordSearchShare(kept.map((story) => story.storyId), searchText, weights);
    for (const story of kept) {
      const labels = this.labelsOf(story.storyId);
      const scores = labels.map((label) => {
        const typed = answerType ? answerTypeBonus(this.corpus.paragraphs[label]!.text, this.termsOf(label).sentences, answerType, searchText, questionTerms) : 0;
        return this.passageScore(label, questionTerms, query, known, dense) + typed + (wordSearch.get(label) ?? 0);
      });
      // An interviewer's question matches the question asked better than the answer under it does:
      // the answer takes the question's place and is judged by its match; the question is shown
      // above the answer (`inReplyTo`), so it is not a passage of its own.
      const evidence = [...labels];
      const shownWithAnswer = new Set<number>();
      for (let i = 0; i + 1 < labels.length; i++) {
        if (scores[i]! > scores[i + 1]! && asksQuestion(this.corpus.paragraphs[labels[i]!]!.text)) {
          scores[i + 1] = scores[i]!;
          evidence[i + 1] = labels[i]!;
          shownWithAnswer.add(i);
        }
      }
      labels.forEach((label, i) => {
        if (!shownWithAnswer.has(i)) ranked.push({ label, score: scores[i]! + (story.score - top), evidence: evidence[i]! });
      });
    }
    return ranked.sort((a, b) => b.score - a.score || a.label - b.label);
  }

  /**
   * What word search adds to the paragraphs of the kept stories where the encoder is worth less
   * than full in the question's language: the share of the cosine's weight the encoder does not
   * earn goes to BM25 (relative to the best paragraph's), so a language the encoder cannot read is
   * ranked by its words, as word search ranks it. Nothing for a language the encoder reads.
   */
  private wordSearchShare(storyIds: readonly string[], searchText: string, weights: { words: number; language: string }): Map<number, number> {
    if (weights.words <= 0) return new Map();
    const kept = new Set(storyIds);
    const hits = this.lexical.query(searchText, (label) => kept.has(this.corpus.paragraphs[label]!.storyId), this.headlineWeight, undefined, Infinity, weights.language);
    const best = hits[0]?.score ?? 0;
    return new Map(best > 0 ? hits.map((hit) => [hit.label, (weights.words * hit.score) / best]) : []);
  }

  /** cosine + COVERAGE_WEIGHT · coverage within the paragraph's story: the score passages are ranked and shown by. */
  private passageScore(label: number, questionTerms: readonly string[], query: Float32Array, known: Map<number, number>, dense: number): number {
    return dense * this.similarity(label, query, known) + COVERAGE_WEIGHT * this.passageCoverage(label, questionTerms);
  }

  /** The question's words in a paragraph (its neighbours' counting half), weighted by how rare they are in its story. */
  private passageCoverage(label: number, questionTerms: readonly string[]): number {
    const paragraph = this.corpus.paragraphs[label]!;
    const around = [label - 1, label + 1]
      .filter((at) => this.corpus.paragraphs[at]?.storyId === paragraph.storyId)
      .map((at) => this.termsOf(at).terms);
    return contextCoverage(questionTerms, this.termsOf(label).terms, around, this.storyStatistics(paragraph.storyId));
  }

  /** A story's own word statistics, built on first use and kept for the next questions. */
  private storyStatistics(storyId: string): TermStatistics {
    let stats = this.storyStats.get(storyId);
    if (!stats) {
      stats = TermStatistics.fromTermSets(this.labelsOf(storyId).map((label) => this.termsOf(label).terms));
      // A bounded cache: a year of stories would otherwise keep every story's table.
      if (this.storyStats.size >= STORY_CACHE_SIZE) this.storyStats.delete(this.storyStats.keys().next().value!);
      this.storyStats.set(storyId, stats);
    }
    return stats;
  }

  /**
   * A paragraph's vector. Reading one out of the HNSW graph copies it through a JS array (about
   * 0.1 ms), and the paragraphs of the stories a question is about are read on every question:
   * the recent ones are kept (bounded, about 40 MB at 512 dimensions).
   */
  private vectorOf(label: number): Float32Array {
    let vector = this.vectors.get(label);
    if (vector) {
      // Most recently used last, so the oldest is the first key.
      this.vectors.delete(label);
    } else {
      vector = this.corpus.store.vector(label);
      if (this.vectors.size >= VECTOR_CACHE_SIZE) this.vectors.delete(this.vectors.keys().next().value!);
    }
    this.vectors.set(label, vector);
    return vector;
  }

  /** The normalised mean of a story's paragraph vectors: what the story as a whole is about. */
  private centroid(storyId: string): Float32Array {
    let centroid = this.centroids.get(storyId);
    if (!centroid) {
      const labels = this.labelsOf(storyId);
      centroid = storyCentroids([labels.length], (label) => this.vectorOf(label), this.corpus.store.dimensions, labels[0] ?? 0);
      this.centroids.set(storyId, centroid);
    }
    return centroid;
  }

  /** The content terms of a paragraph and of each of its sentences (what coverage and highlighting compare). */
  private termsOf(label: number): { terms: Set<string>; sentences: SentenceTerms[] } {
    let known = this.paragraphTerms.get(label);
    if (!known) {
      const { text, storyId } = this.corpus.paragraphs[label]!;
      const language = this.storiesById.get(storyId)?.language;
      known = { terms: new Set(contentTerms(text, language)), sentences: sentenceTerms(text, language) };
      // Bounded like the vectors: a bot answering for months would otherwise hold every paragraph's terms.
      if (this.paragraphTerms.size >= VECTOR_CACHE_SIZE) this.paragraphTerms.delete(this.paragraphTerms.keys().next().value!);
      this.paragraphTerms.set(label, known);
    }
    return known;
  }

  private similarity(label: number, query: Float32Array, known: Map<number, number>): number {
    return known.get(label) ?? dot(this.vectorOf(label), query);
  }
}

/**
 * Maps a mode's ranking score to 0–1 without changing the order: hybrid scores are cosine plus
 * weighted coverage (at most 1 + COVERAGE_WEIGHT, plus the answer-type nudge), dense scores are
 * cosines; BM25 and RRF scores have no fixed scale and are shown relative to the best passage.
 */
function relevanceScale(mode: SearchMode, best: number): (score: number) => number {
  const clamp = (value: number) => Math.min(1, Math.max(0, value));
  if (mode === 'hybrid') return (score) => clamp(score / (1 + COVERAGE_WEIGHT));
  if (mode === 'dense') return clamp;
  return (score) => clamp(best > 0 ? score / best : 0);
}

/** Drops repeated paragraphs (same text), keeping the best-ranked copy. */
function dedupe<T extends { label: number }>(ranking: T[], paragraphs: readonly StoredParagraph[]): T[] {
  const seen = new Set<string>();
  return ranking.filter(({ label }) => {
    const hash = paragraphs[label]!.hash;
    if (seen.has(hash)) return false;
    seen.add(hash);
    return true;
  });
}


/**
 * A paragraph that asks a question rather than answering one: an interviewer's "Q:" line, or a
 * paragraph made of a question alone (Q&A pages whose bold "Q:" a reader view dropped).
 */
export function asksQuestion(text: string): boolean {
  const trimmed = text.trim();
  // A "Q:" paragraph that goes on to "A:" holds its own answer.
  if (/^(?:Q|Question)\s*[:.)\u2013\u2014-]\s/.test(trimmed)) return !/\s(?:A|Answer)\s*[:.)\u2013\u2014-]\s/.test(trimmed);
  return /\?["\u201d\u2019]?$/.test(trimmed) && !/[.!]["\u201d\u2019]?\s/.test(trimmed);
}
