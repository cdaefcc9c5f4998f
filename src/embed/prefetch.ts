import type { Embedder } from './embedder.js';

/** An embedder that can start embedding passages before the call that needs them is made. */
export interface PrefetchingEmbedder extends Embedder {
  /** Starts embedding `texts` as passages; the next `embed` of exactly these texts gets the result. */
  prefetch(texts: readonly string[]): void;
}

/**
 * `embedder`, with calls that can be made ahead: `add-story` knows the new story's paragraphs
 * before its index update has read the index's files, and the model (on its worker thread) can
 * embed them meanwhile. Only a call with the same texts in the same order takes a prefetched
 * result, so the vectors are exactly those the call would have made (a batch's padding moves the
 * last bits); any other call is embedded as usual.
 */
export function prefetchingEmbedder(embedder: Embedder): PrefetchingEmbedder {
  const ahead = new Map<string, Promise<Float32Array[]>>();
  const key = (texts: readonly string[]) => JSON.stringify(texts);
  return {
    modelId: embedder.modelId,
    modelHash: embedder.modelHash,
    dimensions: embedder.dimensions,
    ...(embedder.prefixes ? { prefixes: embedder.prefixes } : {}),
    prefetch(texts) {
      if (texts.length === 0 || ahead.has(key(texts))) return;
      const embedding = embedder.embed(texts, 'passage');
      // A failure is reported by the call that takes the result, or by embedding again.
      embedding.catch(() => {});
      ahead.set(key(texts), embedding);
    },
    embed(texts, kind = 'passage') {
      const prefetched = kind === 'passage' ? ahead.get(key(texts)) : undefined;
      if (!prefetched) return embedder.embed(texts, kind);
      ahead.delete(key(texts));
      return prefetched;
    },
  };
}
