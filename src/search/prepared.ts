// What the retriever derives from the paragraph texts (the BM25 index, word statistics, the
// spelling vocabulary), computed when the index is built and stored in its generation folder, so
// that starting up does not read every paragraph again (docs/performance.md).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DerivedFile } from '../index/index.js';
import { LexicalIndex } from './lexical.js';
import { countWords } from './spelling.js';
import { TermStatistics } from './terms.js';

export const LEXICAL_FILE = 'lexical.json';
export const TERMS_FILE = 'terms.json';
/** Bumped when what these files hold changes; an index with another version derives them again. */
const PREPARED_VERSION = 2;

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
}

interface TermsFile {
  version: number;
  documents: number;
  /** How many paragraphs (the first labels) `lexical.json` holds; the rest are indexed on load. */
  lexicalDocuments: number;
  stats: { documents: number; df: Array<[string, number]> };
  words: Array<[string, number]>;
}

/**
 * The derived files for these paragraph texts (in label order). With `previous` (a generation
 * holding the first `paragraphs` of these texts), its files are extended with the rest instead.
 */
export function prepareSearchFiles(texts: readonly string[], previous?: { dir: string; paragraphs: number }): Record<string, DerivedFile> {
  return (previous && extendSearchFiles(texts, previous.dir, previous.paragraphs)) ?? deriveSearchFiles(texts);
}

function deriveSearchFiles(texts: readonly string[]): Record<string, string> {
  return {
    [LEXICAL_FILE]: new LexicalIndex(texts).toJSON(),
    [TERMS_FILE]: termsFile(texts.length, texts.length, new TermStatistics(texts), countWords(texts)),
  };
}

function extendSearchFiles(texts: readonly string[], dir: string, previousCount: number): Record<string, DerivedFile> | undefined {
  const terms = readTermsFile(dir, previousCount);
  if (!terms) return undefined;
  try {
    const added = texts.slice(previousCount);
    const stats = TermStatistics.fromJSON(terms.stats);
    stats.append(added);
    const wordCounts = countWords(added, new Map(terms.words));
    const previousLexical = path.join(dir, LEXICAL_FILE);
    // The BM25 index is kept as it is while few paragraphs are missing from it.
    if (texts.length - terms.lexicalDocuments <= lexicalLagAllowed(texts.length)) {
      return { [LEXICAL_FILE]: { sameAs: previousLexical }, [TERMS_FILE]: termsFile(texts.length, terms.lexicalDocuments, stats, wordCounts) };
    }
    const lexical = LexicalIndex.fromJSON(readFileSync(previousLexical, 'utf8'));
    lexical.append(texts.slice(terms.lexicalDocuments));
    return { [LEXICAL_FILE]: lexical.toJSON(), [TERMS_FILE]: termsFile(texts.length, texts.length, stats, wordCounts) };
  } catch {
    return undefined;
  }
}

function termsFile(documents: number, lexicalDocuments: number, stats: TermStatistics, wordCounts: Map<string, number>): string {
  const data: TermsFile = { version: PREPARED_VERSION, documents, lexicalDocuments, stats: stats.toJSON(), words: [...wordCounts] };
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
export function readPreparedSearch(dir: string, texts: readonly string[]): PreparedSearch | undefined {
  const terms = readTermsFile(dir, texts.length);
  if (!terms) return undefined;
  try {
    const lexical = LexicalIndex.fromJSON(readFileSync(path.join(dir, LEXICAL_FILE), 'utf8'));
    if (lexical.documentCount !== terms.lexicalDocuments) return undefined;
    lexical.append(texts.slice(lexical.documentCount));
    return { lexical, stats: TermStatistics.fromJSON(terms.stats), wordCounts: new Map(terms.words) };
  } catch {
    // Unreadable: derive them from the texts instead (slower start, same answers).
    return undefined;
  }
}
