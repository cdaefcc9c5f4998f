import type { Embedder } from '../../src/embed/index.js';
import { contentTerms } from '../../src/search/text.js';

/**
 * A deterministic bag-of-words embedder for tests of index mechanics: each content term lands
 * in a hashed dimension. It counts the texts it embeds so tests can check reuse.
 */
export function fakeEmbedder(options: { modelId?: string; modelHash?: string; dimensions?: number } = {}): Embedder & { embeddedTexts: string[] } {
  const dimensions = options.dimensions ?? 64;
  const embeddedTexts: string[] = [];
  return {
    modelId: options.modelId ?? 'fake-model',
    modelHash: options.modelHash ?? 'fake-hash',
    dimensions,
    embeddedTexts,
    async embed(texts) {
      embeddedTexts.push(...texts);
      return texts.map((text) => {
        const vector = new Float32Array(dimensions);
        for (const term of contentTerms(text)) vector[hash(term) % dimensions]! += 1;
        vector[0]! += 0.01; // never the zero vector
        const norm = Math.hypot(...vector);
        return vector.map((value) => value / norm);
      });
    },
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}
