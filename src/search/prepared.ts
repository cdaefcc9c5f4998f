// What the retriever derives from the paragraph texts (the BM25 index, word statistics, the
// spelling vocabulary), computed when the index is built and stored in its generation folder, so
// that starting up does not read every paragraph again (docs/performance.md).
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import type { DerivationInput, DerivedFile, DerivedFileMaker, ExtensionInput } from '../index/index.js';
import { LexicalIndex } from './lexical.js';
import { countWords } from './spelling.js';
import { TermStatistics } from './terms.js';
import { contentTerms } from './text.js';

export const LEXICAL_FILE = 'lexical.json';
export const TERMS_FILE = 'terms.json';
/** Bumped when what these files hold changes; an index with another version derives them again. */
const PREPARED_VERSION = 4;

/**
 * Paragraphs appended since `lexical.json` was last written that a start-up indexes itself
 * rather than the build rewriting it (parsing and writing MiniSearch's JSON takes ~2 s at a year's
 * size; indexing a few thousand paragraphs takes less): 5 % of the corpus, at least 2,000.
 */
function lexicalLagAllowed(paragraphs: number): number {
  return Math.max(2000, Math.floor(paragraphs * 0.05));
}

export interface PreparedSearch {
  lexical: LexicalIndex;
  stats: TermStatistics;
  wordCounts: Map<string, number>;
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

  constructor(
    private readonly terms: readonly string[],
    private readonly ids: ReadonlyArray<readonly number[]>,
  ) {}

  get stories(): number {
    return this.ids.length;
  }

  of(story: number): Set<string> | undefined {
    let set = this.sets.get(story);
    if (!set) {
      const ids = this.ids[story];
      if (!ids) return undefined;
      set = new Set(ids.map((id) => this.terms[id]!));
      this.sets.set(story, set);
    }
    return set;
  }
}

interface TermsFile {
  version: number;
  documents: number;
  /** Per story, its content terms as positions in `stats.df`. */
  storyTerms: number[][];
  /** How many paragraphs (the first labels) `lexical.json` holds; the rest are indexed on load. */
  lexicalDocuments: number;
  stats: { documents: number; df: Array<[string, number]> };
  words: Array<[string, number]>;
}

/** The search files of an index generation: made for every paragraph, or extended when paragraphs were appended. */
export const searchFiles = {
  derive: deriveSearchFiles,
  extend: extendSearchFiles,
  current: termsFileCurrent,
} satisfies DerivedFileMaker;

/**
 * Whether a generation's terms file was made by this version for `paragraphs` paragraphs, read
 * from its first bytes only: at a year's size the whole file takes a while to parse, and an
 * unchanged rebuild asks this every time.
 */
function termsFileCurrent(dir: string, paragraphs: number): boolean {
  let head: string;
  try {
    const fd = openSync(path.join(dir, TERMS_FILE), 'r');
    try {
      const buffer = Buffer.alloc(128);
      head = buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  // `termsFile` writes these two fields first.
  const match = /^\{"version":(\d+),"documents":(\d+),/.exec(head);
  return match !== null && Number(match[1]) === PREPARED_VERSION && Number(match[2]) === paragraphs;
}

function deriveSearchFiles({ texts, storyParagraphs }: DerivationInput): Record<string, DerivedFile> {
  // One after the other, each made into its file before the next: at a year's size the paragraphs'
  // term sets and the BM25 index are a few hundred MB each, and need not be held at once.
  const terms = termsOfTexts(texts, storyParagraphs);
  return { [TERMS_FILE]: terms, [LEXICAL_FILE]: new LexicalIndex(texts).toJSON() };
}

function termsOfTexts(texts: readonly string[], storyParagraphs: readonly number[]): string {
  const termSets = texts.map((text) => new Set(contentTerms(text)));
  const stats = TermStatistics.fromTermSets(termSets);
  return termsFile(texts.length, texts.length, stats, countWords(texts), withStoryTerms([], termSets, storyParagraphs, stats));
}

/**
 * `known` (the first stories' terms) followed by the terms of the stories after them, whose
 * paragraphs' term sets are `termSets` (in label order), as positions in the statistics' term list.
 */
function withStoryTerms(known: readonly number[][], termSets: ReadonlyArray<ReadonlySet<string>>, storyParagraphs: readonly number[], stats: TermStatistics): number[][] {
  const position = new Map<string, number>();
  let i = 0;
  for (const term of stats.termList()) position.set(term, i++);
  const stories = [...known];
  let label = 0;
  for (const count of storyParagraphs.slice(known.length)) {
    const terms = new Set<number>();
    for (const set of termSets.slice(label, label + count)) for (const term of set) terms.add(position.get(term)!);
    stories.push([...terms]);
    label += count;
  }
  return stories;
}

function extendSearchFiles({ previousDir, previousParagraphs, addedTexts, storyParagraphs, previousTexts }: ExtensionInput): Record<string, DerivedFile> | undefined {
  const terms = readTermsFile(previousDir, previousParagraphs);
  if (!terms) {
    // Made by an older version (how words become terms changed): derived anew from the texts,
    // which is still far cheaper than the full build the caller would otherwise fall back to.
    const texts = previousTexts();
    return texts && texts.length === previousParagraphs ? deriveSearchFiles({ texts: [...texts, ...addedTexts], storyParagraphs }) : undefined;
  }
  try {
    const documents = previousParagraphs + addedTexts.length;
    const addedSets = addedTexts.map((text) => new Set(contentTerms(text)));
    const stats = TermStatistics.fromJSON(terms.stats);
    stats.appendTermSets(addedSets);
    const wordCounts = countWords(addedTexts, new Map(terms.words));
    const storyTerms = withStoryTerms(terms.storyTerms, addedSets, storyParagraphs, stats);
    const previousLexical = path.join(previousDir, LEXICAL_FILE);
    // The BM25 index is kept as it is while few paragraphs are missing from it.
    if (documents - terms.lexicalDocuments <= lexicalLagAllowed(documents)) {
      return { [LEXICAL_FILE]: { sameAs: previousLexical }, [TERMS_FILE]: termsFile(documents, terms.lexicalDocuments, stats, wordCounts, storyTerms) };
    }
    // Caught up now and then: the paragraphs it lacks from earlier generations are read back.
    const earlier = terms.lexicalDocuments < previousParagraphs ? previousTexts()?.slice(terms.lexicalDocuments, previousParagraphs) : [];
    if (!earlier) return undefined;
    const lexical = LexicalIndex.fromJSON(readFileSync(previousLexical, 'utf8'));
    lexical.append([...earlier, ...addedTexts]);
    return { [LEXICAL_FILE]: lexical.toJSON(), [TERMS_FILE]: termsFile(documents, documents, stats, wordCounts, storyTerms) };
  } catch {
    return undefined;
  }
}

function termsFile(documents: number, lexicalDocuments: number, stats: TermStatistics, wordCounts: Map<string, number>, storyTerms: number[][]): string {
  const data: TermsFile = { version: PREPARED_VERSION, documents, lexicalDocuments, stats: stats.toJSON(), words: [...wordCounts], storyTerms };
  return JSON.stringify(data);
}

function readTermsFile(dir: string, paragraphCount: number): TermsFile | undefined {
  const file = path.join(dir, TERMS_FILE);
  if (!existsSync(file) || !existsSync(path.join(dir, LEXICAL_FILE))) return undefined;
  try {
    const terms = JSON.parse(readFileSync(file, 'utf8')) as TermsFile;
    if (terms.version !== PREPARED_VERSION || terms.documents !== paragraphCount) return undefined;
    if (!(terms.lexicalDocuments <= paragraphCount)) return undefined;
    return terms;
  } catch {
    return undefined;
  }
}

/**
 * The stored derivations of a generation for its paragraph texts (in label order), or undefined
 * when it has none (an older index) or they do not fit.
 */
export function readPreparedSearch(dir: string, paragraphs: ReadonlyArray<{ text: string }>, stories: number): PreparedSearch | undefined {
  const terms = readTermsFile(dir, paragraphs.length);
  if (!terms || terms.storyTerms.length !== stories) return undefined;
  try {
    const lexical = LexicalIndex.fromJSON(readFileSync(path.join(dir, LEXICAL_FILE), 'utf8'));
    if (lexical.documentCount !== terms.lexicalDocuments) return undefined;
    lexical.append(paragraphs.slice(lexical.documentCount).map((paragraph) => paragraph.text));
    const stats = TermStatistics.fromJSON(terms.stats);
    return { lexical, stats, wordCounts: new Map(terms.words), storyTerms: new StoryTerms([...stats.termList()], terms.storyTerms) };
  } catch {
    // Unreadable: derive them from the texts instead (slower start, same answers).
    return undefined;
  }
}
