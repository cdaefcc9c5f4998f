/**
 * Text that embedding models expect before a question and before a passage, as their authors
 * trained them: without it they still embed, but retrieve worse. A small registry of the common
 * families, by model id; EMBED_QUERY_PREFIX / EMBED_PASSAGE_PREFIX override it.
 */
export interface EmbeddingPrefixes {
  query: string;
  passage: string;
}

const FAMILIES: ReadonlyArray<{ family: string; matches: RegExp; prefixes: EmbeddingPrefixes }> = [
  // intfloat/e5-*, multilingual-e5-* (and their Xenova conversions).
  { family: 'e5', matches: /(^|[/-])e5-/i, prefixes: { query: 'query: ', passage: 'passage: ' } },
  // BAAI/bge-*-en(-v1.5): an instruction before short queries, nothing before passages.
  { family: 'bge', matches: /(^|\/)bge-(small|base|large)-en/i, prefixes: { query: 'Represent this sentence for searching relevant passages: ', passage: '' } },
  // BAAI/bge-*-zh(-v1.5): its authors' Chinese instruction before short queries ("generate a representation of this sentence for retrieving related articles").
  { family: 'bge-zh', matches: /(^|\/)bge-(small|base|large)-zh/i, prefixes: { query: '为这个句子生成表示以用于检索相关文章：', passage: '' } },
  // nomic-ai/nomic-embed-text-v1(.5).
  { family: 'nomic', matches: /nomic-embed-text/i, prefixes: { query: 'search_query: ', passage: 'search_document: ' } },
];

/** The prefixes for `modelId` (overrides win, each on its own); undefined when there are none. */
export function embeddingPrefixes(modelId: string, overrides: Partial<EmbeddingPrefixes> = {}): EmbeddingPrefixes | undefined {
  const known = FAMILIES.find(({ matches }) => matches.test(modelId))?.prefixes ?? { query: '', passage: '' };
  const prefixes = { query: overrides.query ?? known.query, passage: overrides.passage ?? known.passage };
  return prefixes.query === '' && prefixes.passage === '' ? undefined : prefixes;
}
