// Which paragraphs a build embeds (those with no reusable or checkpointed vector), and in which calls.
import type { Paragraph } from '../corpus/index.js';
import type { Embedder } from '../embed/index.js';
import type { EmbeddingCheckpoint } from './checkpoint.js';

/** Paragraphs per embed call: the embedder batches a chunk by token count, which wastes 0.5 % on padding at 256 and 1.8 % at 64. Also the checkpoint step. */
export const EMBED_CHUNK = 256;

export async function embedMissing(
  paragraphs: readonly Paragraph[],
  reusable: Map<string, Float32Array>,
  embedder: Embedder,
  onProgress?: (done: number, total: number) => void,
  checkpoint?: EmbeddingCheckpoint,
): Promise<{ vectors: Float32Array[]; embedded: number }> {
  const vectors: Float32Array[] = paragraphs.map((paragraph) => reusable.get(paragraph.hash) ?? new Float32Array(0));
  const missing = paragraphs.flatMap((paragraph, label) => (reusable.has(paragraph.hash) ? [] : [label]));
  onProgress?.(0, missing.length);
  let done = 0;
  for (const labels of embeddingChunks(missing, (label) => paragraphs[label]!.text.length)) {
    const embedded = await embedder.embed(labels.map((label) => paragraphs[label]!.text));
    labels.forEach((label, i) => (vectors[label] = embedded[i]!));
    checkpoint?.append(labels.map((label) => paragraphs[label]!.hash), embedded);
    done += labels.length;
    onProgress?.(done, missing.length);
  }
  return { vectors, embedded: missing.length };
}

/**
 * The embed calls a build makes for these paragraphs (positions into them): shortest first, so
 * each chunk holds texts of similar length (the embedder pads a batch to its longest token
 * count), `EMBED_CHUNK` at a time.
 */
export function embeddingChunks(positions: readonly number[], lengthOf: (position: number) => number): number[][] {
  const order = [...positions].sort((a, b) => lengthOf(a) - lengthOf(b) || a - b);
  const chunks: number[][] = [];
  for (let start = 0; start < order.length; start += EMBED_CHUNK) chunks.push(order.slice(start, start + EMBED_CHUNK));
  return chunks;
}

/** The texts of each embed call appending these new stories makes (see `appendedGraph`): what an add can ask the model for ahead. */
export function appendEmbedCalls(stories: ReadonlyArray<{ paragraphs: readonly string[] }>): string[][] {
  const texts = stories.flatMap((story) => story.paragraphs);
  return embeddingChunks(texts.map((_, position) => position), (position) => texts[position]!.length).map((chunk) => chunk.map((position) => texts[position]!));
}
