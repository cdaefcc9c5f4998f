// Cross-encoders built offline for tests: the tiny one whose score is known (the share of the
// question's words in the passage), and small BERTs with random weights for graph mechanics.
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildModel } from '../../src/embed/model-build/registry.js';
import { buildSeededReranker } from '../../src/embed/model-build/cross-encoder/models.js';
import type { BertShape } from '../../src/embed/model-build/cross-encoder/bert-graph.js';
import { tempDir } from './corpus.js';

/** A folder holding `tiny-reranker` (build-model's test cross-encoder); returns its path. */
export async function tinyRerankerDir(root = tempDir()): Promise<string> {
  return (await buildModel('tiny-reranker', root)).dir;
}

/** A small random BERT cross-encoder: the real graph (attention, padding masks) at test size. */
export const SMALL_BERT: BertShape = { vocabSize: 8000, hidden: 32, layers: 2, heads: 4, intermediate: 64, maxPositions: 64, typeVocabSize: 2, labels: 1 };

/** Weights large enough that every token, padding included if it were not masked, moves the score. */
export async function smallBertDir(shape: BertShape = SMALL_BERT, seed = 1): Promise<string> {
  const dir = path.join(tempDir(), 'small-bert');
  await buildSeededReranker(dir, shape, seed, 0.5);
  return dir;
}

/** A copy of `source` with its config.json changed by `edit`. */
export async function withConfig(source: string, edit: (config: Record<string, unknown>) => Record<string, unknown>): Promise<string> {
  const dir = path.join(tempDir(), 'edited');
  await mkdir(dir, { recursive: true });
  await cp(source, dir, { recursive: true });
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify(edit(JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>)));
  return dir;
}
