// What the retriever derives from the paragraph texts (the BM25 index, word statistics, the
// spelling vocabulary), computed when the index is built and stored in its generation folder, so
// that starting up does not read every paragraph again (docs/performance.md).
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import type { DerivationInput, DerivedFile, DerivedFileMaker, ExtensionInput, RemovalInput } from '../index/index.js';
import { LexicalIndex, type LexicalHit } from './lexical.js';
import { countWords } from './spelling.js';
import { changedColumn, columnOf, readTermsBinary, termsHead, viewTermsBinary, writeTermsBinary, type StoryRows, type TermsView } from './terms-format.js';
import { TermStatistics } from './terms.js';
import { ANALYSIS_VERSION, contentTerms } from './text.js';

export const LEXICAL_FILE = 'lexical.bin';
export const TERMS_FILE = 'terms.bin';
/**
 * Bumped when what these files hold changes; an index with another version derives them again.
 * The analysis version (how words become terms, src/search/text.ts) is part of it, so a change
 * to segmentation, stemming or stop words re-derives them too.
 */
const FILES_VERSION = 6;
const PREPARED_VERSION = FILES_VERSION * 1000 + ANALYSIS_VERSION;

/** Each paragraph's language, by position: its story's (`storyLanguages`, in story order), spread over its `storyParagraphs` paragraphs. */
function paragraphLanguages(storyParagraphs: readonly number[], storyLanguages: ReadonlyArray<string | undefined> | undefined): Array<string | undefined> {
  const languages: Array<string | undefined> = [];
  storyParagraphs.forEach((count, story) => {
    const language = storyLanguages?.[story];
    for (let i = 0; i < count; i++) languages.push(language);
  });
  return languages;
}

export interface PreparedSearch {
  /** BM25 over the paragraphs, answering with positions (see `atPositions`). */
  lexical: LexicalSearch;
  stats: TermStatistics;
  /** The spelling vocabulary: each word with its count, in the order first counted (see `countWords`). */
  wordCounts: Iterable<readonly [string, number]>;
  /** The content terms of each story (in story order), as built; read when a question weighs a story as a whole. */
  storyTerms: StoryTerms;
}

/**
 * Every story's content terms, stored as positions in the term list of the word statistics (a
 * year holds about 1.5 million story-term pairs: a set each, made on first use, would cost a
 * question 100 ms of tokenising the stories it weighs).
 */
export class StoryTerms {
  private readonly sets = new Map<number, Set<string>>();

  /** @param rows as the terms file holds them (views over its bytes), starting at 0 */
  constructor(
    private readonly terms: readonly string[],
    private readonly rows: StoryRows,
  ) {}

  get stories(): number {
    return this.rows.starts.length - 1;
  }

  of(story: number): Set<string> | undefined {
    let set = this.sets.get(story);
    if (!set) {
      if (!Number.isInteger(story) || story < 0 || story >= this.stories) return undefined;
      set = new Set();
      const { starts, terms } = this.rows;
      for (let i = starts[story]!, end = starts[story + 1]!; i < end; i++) set.add(this.terms[terms[i]!]!);
      this.sets.set(story, set);
    }
    return set;
  }
}

/** The search files of an index generation: made for every paragraph, extended when paragraphs were appended, reduced when removed. */
export const searchFiles = {
  derive: deriveSearchFiles,
  extend: extendSearchFiles,
  remove: reduceSearchFiles,
  current: termsFileCurrent,
} satisfies DerivedFileMaker;

/**
 * Whether a generation's terms file was made by this version for `paragraphs` paragraphs, read
 * from its first bytes only: at a year's size the whole file takes a while to parse, and an
 * unchanged rebuild asks this every time.
 */
function termsFileCurrent(dir: string, paragraphs: number): boolean {
  const buffer = Buffer.alloc(16);
  try {
    const fd = openSync(path.join(dir, TERMS_FILE), 'r');
    try {
      if (readSync(fd, buffer, 0, buffer.length, 0) < buffer.length) return false;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  const head = termsHead(buffer);
  return head !== undefined && head.version === PREPARED_VERSION && head.documents === paragraphs;
}

function deriveSearchFiles({ texts, storyParagraphs, storyLanguages, labels }: DerivationInput): Record<string, DerivedFile> {
  const languages = paragraphLanguages(storyParagraphs, storyLanguages);
  // One after the other, each made into its file before the next: at a year's size the paragraphs'
  // term sets and the BM25 index are a few hundred MB each, and need not be held at once.
  const terms = termsOfTexts(texts, storyParagraphs, languages);
  const lexical = new LexicalIndex();
  // Documents are keyed by the paragraphs' graph labels, which stay when other paragraphs are removed.
  lexical.add(texts.map((text, position) => ({ id: labels ? labels[position]! : position, text, language: languages[position] })));
  return { [TERMS_FILE]: terms, [LEXICAL_FILE]: Buffer.from(lexical.toBinary()) };
}

function termsOfTexts(texts: readonly string[], storyParagraphs: readonly number[], languages: ReadonlyArray<string | undefined>): Uint8Array {
  const termSets = texts.map((text, i) => new Set(contentTerms(text, languages[i])));
  const stats = TermStatistics.fromTermSets(termSets);
  const position = new Map<string, number>();
  for (const term of stats.termList()) position.set(term, position.size);
  return writeTermsBinary({
    version: PREPARED_VERSION,
    documents: texts.length,
    terms: columnOf(stats.frequencies()),
    words: columnOf(countWords(texts)),
    stories: [storyTermRows(termSets, storyParagraphs, position)],
  });
}

/**
 * The content terms of stories whose paragraphs' term sets are `termSets` (in label order,
 * `storyParagraphs` of them a story), as positions in the term list (`position`, which holds at
 * least their terms): each story's in the order first met.
 */
function storyTermRows(termSets: ReadonlyArray<ReadonlySet<string>>, storyParagraphs: readonly number[], position: ReadonlyMap<string, number>): StoryRows {
  const starts = new Uint32Array(storyParagraphs.length + 1);
  const positions: number[] = [];
  let label = 0;
  storyParagraphs.forEach((count, story) => {
    const terms = new Set<number>();
    for (const set of termSets.slice(label, label + count)) for (const term of set) terms.add(position.get(term)!);
    for (const term of terms) positions.push(term);
    starts[story + 1] = positions.length;
    label += count;
  });
  return { starts, terms: Uint32Array.from(positions) };
}

/**
 * The terms file `previous` with the paragraphs `addedTexts`, of the stories after its own,
 * counted in as counting them into its statistics and word counts would: the counts of terms and
 * words held grow, new ones follow in the order first met. Its stories' rows are copied as they
 * are, the new stories' after them. Undefined when it cannot be read so.
 */
function extendedTerms(previous: TermsView, addedTexts: readonly string[], storyParagraphs: readonly number[], addedLanguages: ReadonlyArray<string | undefined>): Uint8Array | undefined {
  try {
    const addedSets = addedTexts.map((text, i) => new Set(contentTerms(text, addedLanguages[i])));
    const frequencies = changedColumn(previous.terms, TermStatistics.fromTermSets(addedSets).frequencies(), 'keep');
    const words = changedColumn(previous.words, countWords(addedTexts), 'keep');
    const addedStories = storyTermRows(addedSets, storyParagraphs.slice(previous.stories.starts.length - 1), frequencies.positions);
    const documents = previous.documents + addedTexts.length;
    return writeTermsBinary({ version: PREPARED_VERSION, documents, terms: frequencies.column, words: words.column, stories: [previous.stories, addedStories] });
  } catch {
    return undefined;
  }
}

function extendSearchFiles({ previousDir, previousParagraphs, addedTexts, firstLabel, storyParagraphs, storyLanguages, previousTexts, labels }: ExtensionInput): Record<string, DerivedFile> | undefined {
  const terms = viewTermsFile(previousDir, previousParagraphs);
  // Every paragraph's language by position: the added ones are the last.
  const languages = paragraphLanguages(storyParagraphs, storyLanguages);
  const addedLanguages = languages.slice(languages.length - addedTexts.length);
  const termsBytes = terms && extendedTerms(terms, addedTexts, storyParagraphs, addedLanguages);
  const lexical = termsBytes && readLexicalFile(previousDir);
  if (lexical && labels) withoutRemoved(lexical, labels);
  if (!termsBytes || !lexical || lexical.documentCount > previousParagraphs || lexical.nextId > firstLabel) {
    // Made by an older version (how words become terms changed), or unreadable: derived anew from the texts,
    // which is still far cheaper than the full build the caller would otherwise fall back to.
    const previous = previousTexts();
    return previous && previous.length === previousParagraphs ? deriveSearchFiles({ texts: [...previous.map((paragraph) => paragraph.text), ...addedTexts], storyParagraphs, storyLanguages, labels }) : undefined;
  }
  try {
    const documents = previousParagraphs + addedTexts.length;
    // While few paragraphs are missing from it, the BM25 index is kept as it is: a start indexes them (see `readPreparedSearch`).
    if (documents - lexical.documentCount <= lexicalLagAllowed(documents)) return { [LEXICAL_FILE]: { sameAs: path.join(previousDir, LEXICAL_FILE) }, [TERMS_FILE]: termsBytes };
    let missing: Array<{ id: number; text: string }> | undefined = [];
    if (lexical.documentCount < previousParagraphs) {
      // Read back from the previous paragraph file (its texts are parsed as they are read).
      const previous = previousTexts();
      missing = previous?.length === previousParagraphs ? lexicalLag(lexical, previous, labels, languages) : undefined;
    }
    if (!missing) return undefined;
    lexical.add([...missing, ...addedTexts.map((text, i) => ({ id: firstLabel + i, text, language: addedLanguages[i] }))]);
    return { [LEXICAL_FILE]: Buffer.from(lexical.toBinary()), [TERMS_FILE]: termsBytes };
  } catch {
    return undefined;
  }
}

/** The previous generation's search files without the removed stories' paragraphs (whose texts are `removedTexts`). */
function reduceSearchFiles({ previousDir, previousParagraphs, removedStories, removedTexts, removedLanguages }: RemovalInput): Record<string, DerivedFile> | undefined {
  const terms = viewTermsFile(previousDir, previousParagraphs);
  const stories = terms ? terms.stories.starts.length - 1 : 0;
  if (!terms || stories <= removedStories.size || !existsSync(path.join(previousDir, LEXICAL_FILE))) return undefined;
  try {
    // Positions in the term list stay: a term no paragraph holds any more keeps its place, at frequency 0;
    // a word no longer counted is dropped.
    const negated = (counts: ReadonlyMap<string, number>) => new Map([...counts].map(([key, count]) => [key, -count]));
    const frequencies = changedColumn(terms.terms, negated(TermStatistics.fromTermSets(removedTexts.map((text, i) => new Set(contentTerms(text, removedLanguages?.[i])))).frequencies()), 'keep');
    const words = changedColumn(terms.words, negated(countWords(removedTexts)), 'drop');
    // The kept stories' rows are copied as they are, a run of kept stories at a time.
    const kept: StoryRows[] = [];
    for (let story = 0; story < stories; ) {
      if (removedStories.has(story)) {
        story++;
        continue;
      }
      const first = story;
      while (story < stories && !removedStories.has(story)) story++;
      kept.push({ starts: terms.stories.starts.subarray(first, story + 1), terms: terms.stories.terms });
    }
    // The BM25 index is kept as it is: the paragraphs the label map no longer lists are dropped from it when it is read (see `withoutRemoved`).
    const termsBytes = writeTermsBinary({ version: PREPARED_VERSION, documents: previousParagraphs - removedTexts.length, terms: frequencies.column, words: words.column, stories: kept });
    return { [LEXICAL_FILE]: { sameAs: path.join(previousDir, LEXICAL_FILE) }, [TERMS_FILE]: termsBytes };
  } catch {
    return undefined;
  }
}

/**
 * Paragraphs appended since the BM25 index was written, that a start indexes itself rather than
 * each append writing the index again (reading, extending and writing it takes ~0.25 s at a
 * year's size; indexing a few hundred paragraphs at a start, a few tens of ms): 0.5 % of the
 * corpus, at least 500 (about 20 stories).
 */
function lexicalLagAllowed(paragraphs: number): number {
  return Math.max(500, Math.floor(paragraphs * 0.005));
}

/**
 * The paragraphs (in position order, with their labels by `labels`, else their positions) that
 * the BM25 index lacks: the last ones, appended since it was written, whose labels follow every
 * label it holds. Undefined when those do not account for every paragraph it lacks.
 */
function lexicalLag(
  lexical: LexicalIndex,
  paragraphs: ReadonlyArray<{ readonly text: string }>,
  labels: ArrayLike<number> | undefined,
  languages: ArrayLike<string | undefined> | undefined,
): Array<{ id: number; text: string; language: string | undefined }> | undefined {
  const labelOf = (position: number) => (labels ? labels[position]! : position);
  let first = paragraphs.length;
  while (first > 0 && labelOf(first - 1) >= lexical.nextId) first--;
  if (lexical.documentCount + paragraphs.length - first !== paragraphs.length) return undefined;
  return paragraphs.slice(first).map(({ text }, i) => ({ id: labelOf(first + i), text, language: languages?.[first + i] }));
}

/**
 * Discards from a generation's BM25 index the paragraphs its label map no longer lists: a removal
 * keeps the previous file (rewriting it takes longer than this), and they are dropped when it is
 * read. `labels` lists the labels held, by position.
 */
function withoutRemoved(lexical: LexicalIndex, labels: ArrayLike<number>): void {
  const held = new Uint8Array(lexical.nextId);
  for (let position = 0; position < labels.length; position++) if (labels[position]! < held.length) held[labels[position]!] = 1;
  const removed: number[] = [];
  for (let id = 0; id < held.length; id++) if (!held[id] && lexical.has(id)) removed.push(id);
  lexical.discard(removed);
}

/** A generation's BM25 index; undefined when missing or unreadable. */
function readLexicalFile(dir: string): LexicalIndex | undefined {
  try {
    return LexicalIndex.fromBinary(readFileSync(path.join(dir, LEXICAL_FILE)));
  } catch {
    return undefined;
  }
}

/** A generation's terms file (its sections, not decoded), when this version made it for `paragraphCount` paragraphs; undefined when missing, older or damaged. */
function viewTermsFile(dir: string, paragraphCount: number): TermsView | undefined {
  try {
    return viewTermsBinary(readFileSync(path.join(dir, TERMS_FILE)), { version: PREPARED_VERSION, documents: paragraphCount });
  } catch {
    return undefined;
  }
}

/**
 * The stored derivations of a generation for its paragraphs (in position order, with their graph
 * labels when `labels` maps positions to them), or undefined when it has none (an older index) or
 * they do not fit.
 */
export function readPreparedSearch(
  dir: string,
  paragraphs: ReadonlyArray<{ text: string; storyId?: string }>,
  stories: number,
  labels?: Int32Array,
  storyLanguages?: ReadonlyMap<string, string | undefined>,
): PreparedSearch | undefined {
  let terms;
  try {
    terms = readTermsBinary(readFileSync(path.join(dir, TERMS_FILE)), { version: PREPARED_VERSION, documents: paragraphs.length });
  } catch {
    return undefined;
  }
  if (terms.stories.starts.length - 1 !== stories) return undefined;
  const lexical = readLexicalFile(dir);
  if (lexical && labels) withoutRemoved(lexical, labels);
  if (!lexical || lexical.documentCount > paragraphs.length) return undefined;
  try {
    const lagging = lexicalLag(lexical, paragraphs, labels, storyLanguages && paragraphs.map((paragraph) => (paragraph.storyId === undefined ? undefined : storyLanguages.get(paragraph.storyId))));
    if (!lagging) return undefined;
    lexical.add(lagging);
    const search = atPositions(lexical, labels);
    if (!search) return undefined;
    const stats = TermStatistics.fromFrequencies(terms.documents, terms.frequencies);
    return { lexical: search, stats, wordCounts: terms.wordCounts, storyTerms: new StoryTerms(terms.terms, terms.stories) };
  } catch {
    // Unreadable: derive them from the texts instead (slower start, same answers).
    return undefined;
  }
}

/** What the retriever asks of the BM25 index: hits by paragraph position. */
export interface LexicalSearch {
  /** The best `limit` hits (all by default), best first. */
  query(question: string, accept?: (position: number) => boolean, boostDocument?: (position: number, term: string) => number, known?: (term: string) => boolean, limit?: number, language?: string): LexicalHit[];
}

/**
 * The BM25 index, keyed by graph labels, answering with positions: the identity while no
 * paragraph was removed, else through the position → label map (labels increase with positions,
 * so the order of equal scores is the same). Undefined when the index holds a label the map lacks.
 */
export function atPositions(lexical: LexicalIndex, labels?: Int32Array): LexicalSearch | undefined {
  // Without a map the labels are the positions: every id up to the last is held.
  if (!labels) return lexical.nextId === lexical.documentCount ? lexical : undefined;
  const positions = new Int32Array(lexical.nextId).fill(-1);
  for (let position = 0; position < labels.length; position++) {
    const label = labels[position]!;
    if (label >= positions.length || !lexical.has(label)) return undefined;
    positions[label] = position;
  }
  return {
    query: (question, accept, boostDocument, known, limit, language) =>
      lexical
        .query(question, accept && ((label) => accept(positions[label]!)), boostDocument && ((label, term) => boostDocument(positions[label]!, term)), known, limit, language)
        .map((hit) => ({ ...hit, label: positions[hit.label]! })),
  };
}
