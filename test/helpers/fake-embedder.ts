import type { Embedder } from '../../src/embed/index.js';
import { contentTerms } from '../../src/search/text.js';

/**
 * Words that frame a question ("how long", "how much", "the best way") more than they say what it
 * is about. A real encoder gives them little weight beside the topic; a bag of words would make
 * "How long will the bridge be closed?" as like "How long do goldfish live?" as like the bridge
 * story, and the refusal, which measures a question against everyday questions
 * (src/search/calibration.ts), would read it as off-topic.
 */
const FRAME_WORDS = new Set(['long', 'much', 'mani', 'best', 'good', 'wai', 'make', 'need', 'get', 'thing']);

/**
 * A deterministic bag-of-words embedder for tests of index mechanics: each content term lands
 * in a hashed dimension (512 of them by default: with fewer, unrelated words collide often enough to
 * make everyday questions look like the stories). It counts the texts it embeds so tests can check reuse.
 */
export function fakeEmbedder(options: { modelId?: string; modelHash?: string; dimensions?: number } = {}): Embedder & { embeddedTexts: string[] } {
  const dimensions = options.dimensions ?? 512;
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
        for (const term of contentTerms(text)) if (!FRAME_WORDS.has(term)) vector[hash(term) % dimensions]! += 1;
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
