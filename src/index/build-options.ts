// What every way of changing the index takes and reports (a full build, an append, a removal, an
// in-place update), and the graph a build makes or grows.
import type { FileRecord, Story } from '../corpus/index.js';
import type { Embedder } from '../embed/index.js';
import type { DerivedFileMaker } from './derived-files.js';
import type { HnswParameters, HnswStore } from './vector-store.js';

export interface BuildOptions {
  stories: readonly Story[];
  embedder: Embedder;
  indexDir: string;
  hnsw?: Partial<HnswParameters>;
  /** Rebuild even when nothing changed. */
  force?: boolean;
  /** Called as paragraphs are embedded: (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Recorded in the manifest (e.g. `verbatim 0.1.0`). */
  builtBy?: string;
  /**
   * Files derived from the paragraph texts by the layers above, written into the generation and
   * size-checked like the others: the index stays ignorant of what they hold.
   */
  derivedFiles?: DerivedFileMaker;
  /**
   * How the story files look (see `scanCorpus` in src/corpus), asked when the manifest is written
   * at the end of the build: recorded per story for `upToDate` and `knownStories`.
   */
  corpusFiles?: () => Promise<{ files: ReadonlyMap<string, FileRecord> } | undefined>;
  now?: () => Date;
}

export interface BuildReport {
  /** False when the existing index already matched the corpus and model. */
  changed: boolean;
  /** True when the new stories were added to the previous graph instead of building a new one. */
  appended?: boolean;
  /** True when removed or edited stories' paragraphs were marked deleted in the previous graph (edited ones appended again) instead of building a new one. */
  updatedInPlace?: boolean;
  dir: string;
  stories: number;
  paragraphs: number;
  embedded: number;
  reused: number;
  /**
   * The languages with at least two paragraphs in the corpus, where the build saw every story's
   * (a full build and an append): a calibration that measured none of one of them is measured again.
   */
  languages?: string[];
}

export interface Graph {
  store: HnswStore;
  embedded: number;
  /** Each story's centroid, flat in label order. */
  centroids: Float32Array;
}
