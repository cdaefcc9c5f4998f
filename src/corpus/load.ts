import { statSync, type Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { sha256 } from '../hash.js';
import path from 'node:path';
import { UserError } from '../errors.js';
import { parseStory, type Story, type StorySummary } from './story.js';

/** A story read before, and the file signature (see {@link scanCorpus}) it was read at. */
export interface KnownStory {
  signature: string;
  story: Story;
}

export interface LoadOptions {
  /** A missing or empty folder is an empty corpus instead of an error (for adding the first story). */
  allowEmpty?: boolean;
  /**
   * Stories read before, by file name (the index keeps them): a file whose signature is the same
   * and settled is not read again, which at a year's size saves most of the load.
   */
  known?: ReadonlyMap<string, KnownStory>;
  /** Clock for the racy rule (tests). */
  now?: () => number;
}

/** Reads every `*.md` story in `dir`, in file-name order. */
export async function loadCorpus(dir: string, options: LoadOptions = {}): Promise<Story[]> {
  let names: string[];
  try {
    names = storyFileNames(await readdir(dir));
  } catch {
    if (options.allowEmpty) return [];
    throw new UserError(`The corpus folder ${dir} does not exist: create it and put one Markdown story in it (see README, "Add a story").`);
  }
  if (names.length === 0) {
    if (options.allowEmpty) return [];
    throw new UserError(`The corpus folder ${dir} holds no .md stories: add one (see README, "Add a story").`);
  }
  const known = options.known;
  const settled = (options.now ?? Date.now)() - RACY_MS;
  const stories: Story[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    if (known?.has(name)) {
      const info = await stat(file);
      const reused = known.get(name)!;
      if (isSettled(info, settled) && reused.signature === signatureOf(info)) {
        stories.push(reused.story);
        continue;
      }
    }
    stories.push(await readStoryFile(dir, name));
  }
  return stories;
}

/** The named story files of `dir` (new ones, say), read in file-name order as `loadCorpus` reads them. */
export async function loadStoryFiles(dir: string, names: readonly string[]): Promise<Story[]> {
  const stories: Story[] = [];
  for (const name of [...names].sort()) stories.push(await readStoryFile(dir, name));
  return stories;
}

async function readStoryFile(dir: string, name: string): Promise<Story> {
  const file = path.join(dir, name);
  try {
    return parseStory(file, await readFile(file, 'utf8'));
  } catch (error) {
    // One sentence that also says what to run once the file is fixed.
    if (error instanceof UserError) throw new UserError(`${error.message.replace(/\.$/, '')}; fix the file, then run npm run build-index.`);
    throw error;
  }
}

/** Files changed more recently than this are not trusted to their size and times. */
const RACY_MS = 3000;

/** The story files' names in the corpus folder, sorted, without reading or describing them; undefined when the folder cannot be read. */
export async function listStoryFiles(dir: string): Promise<string[] | undefined> {
  try {
    return storyFileNames(await readdir(dir));
  } catch {
    return undefined;
  }
}

function storyFileNames(entries: string[]): string[] {
  return entries.filter((name) => name.toLowerCase().endsWith('.md') && !name.startsWith('.') && name.toLowerCase() !== 'readme.md').sort();
}

function signatureOf(info: Stats): string {
  return `${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
}

function isSettled(info: Stats, settled: number): boolean {
  return info.mtimeMs <= settled && info.ctimeMs <= settled;
}

/**
 * How a story file was when it was read: its size and times (`signature`) once settled, or a hash
 * of its content while it was too new to be described by them (a rewrite within one clock tick
 * can keep size and times: git's "racy" rule).
 */
export interface FileRecord {
  signature?: string;
  content?: string;
}

/** The corpus folder's story files, described without parsing them. */
export interface CorpusScan {
  /** Every story file, by name. */
  files: Map<string, FileRecord>;
}

/** Describes the corpus folder's story files; undefined when the folder cannot be read. */
export async function scanCorpus(dir: string, now: () => number = Date.now): Promise<CorpusScan | undefined> {
  try {
    const names = storyFileNames(await readdir(dir));
    // One synchronous stat after another: at a year's size (3,650 files) a third of the time of as many promises.
    const infos = names.map((name) => statSync(path.join(dir, name)));
    const settled = now() - RACY_MS;
    const files = new Map<string, FileRecord>();
    for (const [i, name] of names.entries()) {
      const info = infos[i]!;
      files.set(name, isSettled(info, settled) ? { signature: signatureOf(info) } : { content: await contentOf(dir, name) });
    }
    return { files };
  } catch {
    return undefined;
  }
}

/**
 * Whether the folder holds exactly the recorded files, unchanged: equal signatures, or for a file
 * recorded by content, the same content. At a year's size this is what lets a rebuild stop
 * without reading thousands of stories.
 */
export async function sameFiles(dir: string, scan: CorpusScan, recorded: ReadonlyArray<{ file: string } & FileRecord>): Promise<boolean> {
  const { added, removed, changed, undescribed } = await fileChanges(dir, scan, recorded);
  return added.length + removed.length + changed.length + undescribed.length === 0;
}

/** How a folder's story files differ from the ones recorded (see {@link fileChanges}). */
export interface FileChanges {
  /** In the folder, not recorded. */
  added: string[];
  /** Recorded, no longer in the folder. */
  removed: string[];
  /** Recorded, and different now. */
  changed: string[];
  /** Recorded without a size or content (or twice): not known to be the same, not known to differ. */
  undescribed: string[];
}

/**
 * Each story file the folder holds besides the recorded ones, each recorded one it no longer
 * holds, and each that changed: file names and stats only, plus a hash of a file recorded by its
 * content. What a build decides by and what tells that an index is behind its corpus.
 */
export async function fileChanges(dir: string, scan: CorpusScan, recorded: ReadonlyArray<{ file: string } & FileRecord>): Promise<FileChanges> {
  const changes: FileChanges = { added: [], removed: [], changed: [], undescribed: [] };
  const seen = new Set<string>();
  for (const { file, ...record } of recorded) {
    const now = scan.files.get(file);
    if (!now) changes.removed.push(file);
    else if (seen.has(file) || (record.signature === undefined && record.content === undefined)) changes.undescribed.push(file);
    else if (!(await unchangedFile(dir, file, now, record))) changes.changed.push(file);
    seen.add(file);
  }
  changes.added = [...scan.files.keys()].filter((file) => !seen.has(file));
  return changes;
}

/** Whether a file scanned as `now` is the one recorded: the same signature, or (for a file recorded by content) the same content. */
async function unchangedFile(dir: string, file: string, now: FileRecord, recorded: FileRecord): Promise<boolean> {
  if (recorded.signature !== undefined && now.signature === recorded.signature) return true;
  return recorded.content !== undefined && (now.content ?? (await contentOf(dir, file).catch(() => undefined))) === recorded.content;
}

/** A story an index holds, and how its file was when it was read. */
export interface IndexedSummary {
  record: FileRecord;
  summary: StorySummary;
}

/**
 * Every story of the corpus without its texts, in file-name order: taken from `indexed` where
 * the file is as recorded there, read from the file otherwise. At a year's size this is what the
 * duplicate checks cost instead of reading every story's text.
 */
export async function corpusSummaries(
  dir: string,
  options: { allowEmpty?: boolean; indexed: ReadonlyMap<string, IndexedSummary> },
): Promise<StorySummary[]> {
  const scan = await scanCorpus(dir);
  // No folder or no stories: loadCorpus says so (or gives the empty corpus allowed).
  if (!scan || scan.files.size === 0) return loadCorpus(dir, { allowEmpty: options.allowEmpty });
  const summaries: StorySummary[] = [];
  for (const [name, record] of scan.files) {
    const held = options.indexed.get(name);
    summaries.push(held && (await unchangedFile(dir, name, record, held.record)) ? held.summary : await readStoryFile(dir, name));
  }
  return summaries;
}

/**
 * The corpus as it is now, for a build that read it as `before` described it. A file too new to
 * be described by size and times then, and settled since with the same content, gets them: a
 * year's corpus copied in and built at once would otherwise be read in full by the next build. A
 * file that changed meanwhile is left out, so the next build reads it again.
 */
export async function settledScan(dir: string, before: CorpusScan, now: () => number = Date.now): Promise<CorpusScan> {
  const after = await scanCorpus(dir, now);
  if (!after) return { files: new Map() };
  const files = new Map<string, FileRecord>();
  for (const [name, record] of after.files) {
    const earlier = before.files.get(name);
    if (!earlier) continue;
    if (record.signature !== undefined && earlier.signature === record.signature) files.set(name, record);
    else if (earlier.content !== undefined && earlier.content === (record.content ?? (await contentOf(dir, name)))) files.set(name, record.signature ? record : earlier);
  }
  return { files };
}

async function contentOf(dir: string, name: string): Promise<string> {
  return sha256(await readFile(path.join(dir, name)));
}
