import * as z from 'zod';

/** Bumped whenever the on-disk layout changes; older indexes are refused and rebuilt. */
export const INDEX_FORMAT_VERSION = 1;

export const MANIFEST_FILE = 'manifest.json';
export const VECTORS_FILE = 'vectors.hnsw';
export const PARAGRAPHS_FILE = 'paragraphs.json';
/** The small graph new stories are added to, beside the base graph (see `HnswStore`). */
export const DELTA_FILE = 'vectors-delta.hnsw';
/** Each position's label in the graph, written once paragraphs were removed from it in place (see `HnswStore`). */
export const LABELS_FILE = 'labels.i32';
/**
 * Each paragraph's content hash, 8 bytes in position order: what builds compare, kept out of the
 * manifest (as JSON it was 14 MB of a year's index, parsed and written by every add and removal).
 */
export const HASHES_FILE = 'hashes.bin';
/** Names the generation folder in use; replaced atomically so readers never see half an index. */
export const CURRENT_FILE = 'CURRENT';

export const manifestSchema = z.object({
  formatVersion: z.number().int(),
  builtAt: z.string(),
  builtBy: z.string(),
  model: z.object({
    id: z.string(),
    hash: z.string(),
    dimensions: z.number().int().positive(),
    /** Put before questions and passages (src/embed/prefixes.ts); absent = none. */
    prefixes: z.object({ query: z.string(), passage: z.string() }).optional(),
  }),
  hnsw: z.object({
    space: z.literal('cosine'),
    M: z.number().int().positive(),
    efConstruction: z.number().int().positive(),
    efSearch: z.number().int().positive(),
    randomSeed: z.number().int(),
  }),
  chunkerVersion: z.number().int(),
  corpusHash: z.string(),
  /** Entries in the graph file, removed ones too (see `labels.i32`); absent in indexes written before it was recorded. */
  graphElements: z.number().int().nonnegative().optional(),
  /** Of those, how many are in the delta graph (`vectors-delta.hnsw`); absent or 0 without one. */
  deltaElements: z.number().int().nonnegative().optional(),
  /**
   * How each story file was when it was read (see `scanCorpus`): its size and times (`signature`),
   * or its content hash (`content`) while it was too new; what rebuilds compare instead of reading it.
   */
  // Checked by hand (`z.custom`): zod took ~50 ms for a year's 3,650 entries, and every command reads them.
  stories: z.custom<ManifestStory[]>((value) => Array.isArray(value) && value.every(isManifestStory)),
  /**
   * Per-paragraph content hashes, in position order: what incremental builds compare. Stored in
   * `hashes.bin` (see `HASHES_FILE`); manifests written before that hold them here. Checked in
   * place (`z.custom`), as zod would otherwise copy 110,000 entries.
   */
  paragraphs: z.array(z.custom<{ id: string; hash: string }>((entry) => isParagraphEntry(entry))),
  /** Byte sizes of the data files, so a truncated copy is caught before it is read. */
  files: z.record(z.string(), z.object({ bytes: z.number().int().nonnegative() })),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** A story as the manifest records it: its paragraph count, and how its file was when read. */
export interface ManifestStory {
  id: string;
  file: string;
  paragraphs: number;
  signature?: string | undefined;
  content?: string | undefined;
}

function isManifestStory(value: unknown): value is ManifestStory {
  if (typeof value !== 'object' || value === null) return false;
  const story = value as Record<string, unknown>;
  return (
    typeof story.id === 'string' &&
    typeof story.file === 'string' &&
    Number.isInteger(story.paragraphs) &&
    (story.signature === undefined || typeof story.signature === 'string') &&
    (story.content === undefined || typeof story.content === 'string')
  );
}

/** A manifest as written since the hashes moved to `hashes.bin`: without the paragraph list. */
const storedManifestSchema = manifestSchema.extend({ paragraphs: manifestSchema.shape.paragraphs.optional() });

/** Where `manifestText` (src/index/generation.ts) starts the per-paragraph list, one entry a line. */
const PARAGRAPH_LIST = Buffer.from('"paragraphs": [\n');

/**
 * A manifest file's bytes, validated; undefined when they are not a manifest. The per-paragraph
 * list is read the first time `paragraphs` is: from `readHashes` (the generation's `hashes.bin`),
 * or, in a manifest written before it, from the list in the manifest (14 MB at a year's size, only
 * counted here). Answering questions never reads it, builds do. Reading it throws when the file
 * does not hold one hash for each of the stories' paragraphs.
 */
export function parseManifest(bytes: Buffer, readHashes?: () => Buffer): Manifest | undefined {
  const at = bytes.indexOf(PARAGRAPH_LIST);
  const end = bytes.lastIndexOf(']');
  if (at < 0 || end < at) return withHashFile(bytes, readHashes);
  const listStart = at + PARAGRAPH_LIST.length;
  const parsed = manifestSchema.safeParse(JSON.parse(`${bytes.toString('utf8', 0, listStart)}]}`));
  // Not written by an earlier `manifestText` (edited by hand, say): parsed whole.
  if (!parsed.success || bytes.toString('utf8', end).replace(/\s/g, '') !== ']}') return withHashFile(bytes, readHashes);
  const list = bytes.subarray(listStart, end);
  let count = 0;
  for (let from = list.indexOf(0x7b /* { */); from >= 0; from = list.indexOf(0x7b, from + 1)) count++;
  return withLazyParagraphs(parsed.data, count, () => {
    const entries: unknown = JSON.parse(`[${list.toString('utf8')}]`);
    if (!Array.isArray(entries) || entries.length !== count || !entries.every(isParagraphEntry)) throw new Error('The manifest\'s paragraph list is damaged.');
    return entries;
  });
}

/** How many paragraphs a manifest lists, without reading the list when `parseManifest` read the manifest. */
export function manifestParagraphCount(manifest: Manifest): number {
  return paragraphCounts.get(manifest) ?? manifest.paragraphs.length;
}

const paragraphCounts = new WeakMap<Manifest, number>();

/** The manifest without its paragraph list: whole, or with the list read from `hashes.bin` when first used. */
function withHashFile(bytes: Buffer, readHashes: (() => Buffer) | undefined): Manifest | undefined {
  const parsed = storedManifestSchema.safeParse(JSON.parse(bytes.toString('utf8')));
  if (!parsed.success) return undefined;
  const { paragraphs, ...rest } = parsed.data;
  if (paragraphs) return { ...rest, paragraphs };
  if (!readHashes || rest.files[HASHES_FILE] === undefined) return undefined;
  const count = rest.stories.reduce((sum, story) => sum + story.paragraphs, 0);
  return withLazyParagraphs({ ...rest, paragraphs: [] }, count, () => {
    const hashes = readHashes();
    if (hashes.length !== count * HASH_BYTES) throw new Error('The paragraph hash file does not match the manifest.');
    const entries: Manifest['paragraphs'] = [];
    // One hex string sliced per paragraph: 110,000 calls into the buffer's decoder took twice as long.
    const hex = hashes.toString('hex');
    const width = HASH_BYTES * 2;
    let position = 0;
    for (const story of rest.stories) {
      for (let number = 1; number <= story.paragraphs; number++, position++) {
        entries.push({ id: `${story.id}:${number}`, hash: hex.slice(position * width, (position + 1) * width) });
      }
    }
    return entries;
  });
}

function withLazyParagraphs(manifest: Manifest, count: number, read: () => Manifest['paragraphs']): Manifest {
  let paragraphs: Manifest['paragraphs'] | undefined;
  Object.defineProperty(manifest, 'paragraphs', {
    enumerable: true,
    configurable: true,
    get(): Manifest['paragraphs'] {
      paragraphs ??= read();
      return paragraphs;
    },
  });
  paragraphCounts.set(manifest, count);
  return manifest;
}

const HASH_BYTES = 8;
const HASH = /^[0-9a-f]{16}$/;

/** The `hashes.bin` of these paragraphs (in position order); throws on a hash that is not 16 hex digits, as `sha256` makes them. */
export function paragraphHashesFile(paragraphs: ReadonlyArray<{ hash: string }>): Buffer {
  const bytes = Buffer.alloc(paragraphs.length * HASH_BYTES);
  paragraphs.forEach(({ hash }, position) => {
    if (!HASH.test(hash)) throw new Error(`A paragraph hash is not 16 hex digits: ${hash}`);
    bytes.write(hash, position * HASH_BYTES, HASH_BYTES, 'hex');
  });
  return bytes;
}

function isParagraphEntry(entry: unknown): entry is { id: string; hash: string } {
  return typeof entry === 'object' && entry !== null && typeof (entry as { id?: unknown }).id === 'string' && typeof (entry as { hash?: unknown }).hash === 'string';
}

const paragraphSchema = z.object({
  id: z.string(),
  storyId: z.string(),
  number: z.number().int().positive(),
  text: z.string(),
  hash: z.string(),
});

export const storySchema = z.object({
  id: z.string(),
  file: z.string(),
  title: z.string(),
  outlet: z.string(),
  authors: z.array(z.string()),
  published: z.string().optional(),
  url: z.string(),
  paragraphCount: z.number().int().positive(),
  /**
   * The story's language, a BCP-47 primary subtag ("en", "zh"): from its front matter, else
   * detected from its text when the index was built. Absent in indexes built before it was
   * recorded: those are read as English, as they were analysed.
   */
  language: z.string().optional(),
});

export type StoredStory = z.infer<typeof storySchema>;
export type StoredParagraph = z.infer<typeof paragraphSchema>;

/**
 * Whether a value has the shape of `storySchema`, checked by hand: zod takes ~70 ms for a year's
 * 3,650 stories, and every start and build reads the list.
 */
export function isStoredStory(value: unknown): value is StoredStory {
  if (typeof value !== 'object' || value === null) return false;
  const story = value as Record<string, unknown>;
  return (
    typeof story.id === 'string' &&
    typeof story.file === 'string' &&
    typeof story.title === 'string' &&
    typeof story.outlet === 'string' &&
    Array.isArray(story.authors) &&
    story.authors.every((author) => typeof author === 'string') &&
    (story.published === undefined || typeof story.published === 'string') &&
    typeof story.url === 'string' &&
    (story.language === undefined || typeof story.language === 'string') &&
    Number.isInteger(story.paragraphCount) &&
    (story.paragraphCount as number) > 0
  );
}

/** `paragraphs.json`: the texts and attributions the index answers with. */
export interface ParagraphsFile {
  stories: StoredStory[];
  paragraphs: StoredParagraph[];
}

/**
 * `paragraphs.json` as parsed, if it has the right shape. Checked in place: zod returns a copy,
 * and a copy of 110,000 paragraphs beside the parsed ones raised a year's start-up RSS by ~110 MB.
 */
export function asParagraphsFile(value: unknown): ParagraphsFile | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { stories, paragraphs } = value as Partial<Record<keyof ParagraphsFile, unknown>>;
  if (!Array.isArray(stories) || !Array.isArray(paragraphs)) return undefined;
  if (!stories.every(isStoredStory)) return undefined;
  const valid = paragraphs.every(
    (p: Partial<Record<keyof StoredParagraph, unknown>> | null) =>
      typeof p === 'object' &&
      p !== null &&
      typeof p.id === 'string' &&
      typeof p.storyId === 'string' &&
      typeof p.text === 'string' &&
      typeof p.hash === 'string' &&
      Number.isInteger(p.number) &&
      (p.number as number) > 0,
  );
  return valid ? (value as ParagraphsFile) : undefined;
}
