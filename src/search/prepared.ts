// What the retriever derives from the paragraph texts (the BM25 index, word statistics, the
// spelling vocabulary), computed when the index is built and stored in its generation folder, so
// that starting up does not read every paragraph again (docs/performance.md).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LexicalIndex } from './lexical.js';
import { countWords } from './spelling.js';
import { TermStatistics } from './terms.js';

export const LEXICAL_FILE = 'lexical.json';
export const TERMS_FILE = 'terms.json';
/** Bumped when what these files hold changes; an index with another version derives them again. */
const PREPARED_VERSION = 1;

export interface PreparedSearch {
  lexical: LexicalIndex;
  stats: TermStatistics;
  wordCounts: Map<string, number>;
}

/** The derived files for these paragraph texts (in label order). */
export function prepareSearchFiles(texts: readonly string[]): Record<string, string> {
  const stats = new TermStatistics(texts);
  return {
    [LEXICAL_FILE]: new LexicalIndex(texts).toJSON(),
    [TERMS_FILE]: JSON.stringify({ version: PREPARED_VERSION, documents: texts.length, stats: stats.toJSON(), words: [...countWords(texts)] }),
  };
}

/** The stored derivations of a generation, or undefined when it has none (an older index) or they do not fit. */
export function readPreparedSearch(dir: string, paragraphCount: number): PreparedSearch | undefined {
  const lexicalFile = path.join(dir, LEXICAL_FILE);
  const termsFile = path.join(dir, TERMS_FILE);
  if (!existsSync(lexicalFile) || !existsSync(termsFile)) return undefined;
  try {
    const terms = JSON.parse(readFileSync(termsFile, 'utf8')) as {
      version: number;
      documents: number;
      stats: { documents: number; df: Array<[string, number]> };
      words: Array<[string, number]>;
    };
    if (terms.version !== PREPARED_VERSION || terms.documents !== paragraphCount) return undefined;
    const lexical = LexicalIndex.fromJSON(readFileSync(lexicalFile, 'utf8'));
    if (lexical.documentCount !== paragraphCount) return undefined;
    return { lexical, stats: TermStatistics.fromJSON(terms.stats), wordCounts: new Map(terms.words) };
  } catch {
    // Unreadable: derive them from the texts instead (slower start, same answers).
    return undefined;
  }
}
