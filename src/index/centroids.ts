import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Story } from '../corpus/index.js';
import type { Manifest } from './manifest.js';
import type { HnswStore } from './vector-store.js';

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

/** The rows `rows` of a matrix `width` wide, in that order, followed by `extra` empty rows. */
export function copiedRows(matrix: Float32Array, rows: readonly number[], width: number, extra = 0): Float32Array {
  const copy = new Float32Array((rows.length + extra) * width);
  rows.forEach((row, i) => copy.set(matrix.subarray(row * width, (row + 1) * width), i * width));
  return copy;
}

/**
 * Centroids of the previous generation's stories at `heldIndexes` (read from its file) followed
 * by those of `appended` (from their vectors, added to the store from position `first`). A
 * generation written before centroids were stored gets them all from the store's vectors once.
 */
export function centroidsAfter(
  dir: string,
  previous: Manifest,
  heldIndexes: readonly number[],
  appended: readonly Story[],
  added: { vectors: readonly Float32Array[]; first: number; store: HnswStore },
  width: number,
): Float32Array {
  const appendedCounts = appended.map((story) => story.paragraphs.length);
  const before = readCentroids(dir, previous.stories.length, width);
  if (!before) return storyCentroids([...heldIndexes.map((story) => previous.stories[story]!.paragraphs), ...appendedCounts], (position) => added.store.vector(position), width);
  const centroids = copiedRows(before, heldIndexes, width, appended.length);
  centroids.set(storyCentroids(appendedCounts, (position) => added.vectors[position - added.first]!, width, added.first), heldIndexes.length * width);
  return centroids;
}
