import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Each story's centroid, flat in story order (float32): what ranking reads first for every candidate story. */
export const CENTROIDS_FILE = 'centroids.f32';

/**
 * The normalised mean of each story's paragraph vectors (what the story as a whole is about),
 * flat in story order. Stories' paragraphs lie in consecutive labels from `firstLabel`.
 */
export function storyCentroids(paragraphCounts: readonly number[], vectorAt: (label: number) => Float32Array, dimensions: number, firstLabel = 0): Float32Array {
  const centroids = new Float32Array(paragraphCounts.length * dimensions);
  let label = firstLabel;
  paragraphCounts.forEach((count, story) => {
    const centroid = centroids.subarray(story * dimensions, (story + 1) * dimensions);
    for (let i = 0; i < count; i++, label++) {
      // Unit vectors, as the cosine graph stores them, whatever the embedder returned.
      const vector = vectorAt(label);
      let length = 0;
      for (let d = 0; d < dimensions; d++) length += vector[d]! * vector[d]!;
      length = Math.sqrt(length) || 1;
      for (let d = 0; d < dimensions; d++) centroid[d]! += vector[d]! / length;
    }
    let norm = 0;
    for (let d = 0; d < dimensions; d++) norm += centroid[d]! * centroid[d]!;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dimensions; d++) centroid[d]! /= norm;
  });
  return centroids;
}

/** The centroids stored in a generation, or undefined when it has none of the right size. */
export function readCentroids(dir: string, stories: number, dimensions: number): Float32Array | undefined {
  const file = path.join(dir, CENTROIDS_FILE);
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  if (bytes.length !== stories * dimensions * 4) return undefined;
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

export function centroidFileContent(centroids: Float32Array): Buffer {
  return Buffer.from(centroids.buffer, centroids.byteOffset, centroids.byteLength);
}
