import { z } from 'zod';

/** Bumped whenever the on-disk layout changes; older indexes are refused and rebuilt. */
export const INDEX_FORMAT_VERSION = 1;

export const MANIFEST_FILE = 'manifest.json';
export const VECTORS_FILE = 'vectors.hnsw';
export const PARAGRAPHS_FILE = 'paragraphs.json';
/** Names the generation folder in use; replaced atomically so readers never see half an index. */
export const CURRENT_FILE = 'CURRENT';

export const manifestSchema = z.object({
  formatVersion: z.number().int(),
  builtAt: z.string(),
  builtBy: z.string(),
  model: z.object({ id: z.string(), hash: z.string(), dimensions: z.number().int().positive() }),
  hnsw: z.object({
    space: z.literal('cosine'),
    M: z.number().int().positive(),
    efConstruction: z.number().int().positive(),
    efSearch: z.number().int().positive(),
    randomSeed: z.number().int(),
  }),
  chunkerVersion: z.number().int(),
  corpusHash: z.string(),
  /** Names, sizes and modification times of the corpus files the index was built from (see `corpusFingerprint`). */
  corpusFingerprint: z.string().optional(),
  /** `signature`: the file's size and times when it was read (see `scanCorpus`), so a settled file need not be read again. */
  stories: z.array(z.object({ id: z.string(), file: z.string(), paragraphs: z.number().int(), signature: z.string().optional() })),
  /** Per-paragraph content hashes, in label order: what incremental builds compare. */
  paragraphs: z.array(z.object({ id: z.string(), hash: z.string() })),
  /** Byte sizes of the data files, so a truncated copy is caught before it is read. */
  files: z.record(z.string(), z.object({ bytes: z.number().int().nonnegative() })),
});

export type Manifest = z.infer<typeof manifestSchema>;

const paragraphSchema = z.object({
  id: z.string(),
  storyId: z.string(),
  number: z.number().int().positive(),
  text: z.string(),
  hash: z.string(),
});

const storySchema = z.object({
  id: z.string(),
  file: z.string(),
  title: z.string(),
  outlet: z.string(),
  authors: z.array(z.string()),
  published: z.string(),
  url: z.string(),
  paragraphCount: z.number().int().positive(),
});

/** `paragraphs.json`: the texts and attributions the index answers with. */
export const paragraphsFileSchema = z.object({
  stories: z.array(storySchema),
  paragraphs: z.array(paragraphSchema),
});

export type StoredStory = z.infer<typeof storySchema>;
export type StoredParagraph = z.infer<typeof paragraphSchema>;
