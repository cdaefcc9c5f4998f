import type { Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { sha256 } from '../hash.js';
import path from 'node:path';
import { UserError } from '../errors.js';
import { parseStory, type Story } from './story.js';

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
    try {
      stories.push(parseStory(file, await readFile(file, 'utf8')));
    } catch (error) {
      // One sentence that also says what to run once the file is fixed.
      if (error instanceof UserError) throw new UserError(`${error.message.replace(/\.$/, '')}; fix the file, then run npm run build-index.`);
      throw error;
    }
  }
  return stories;
}

/** Files changed more recently than this are not trusted to their size and times. */
const RACY_MS = 3000;

function storyFileNames(entries: string[]): string[] {
  return entries.filter((name) => name.toLowerCase().endsWith('.md') && !name.startsWith('.') && name.toLowerCase() !== 'readme.md').sort();
}

function signatureOf(info: Stats): string {
  return `${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
}

function isSettled(info: Stats, settled: number): boolean {
  return info.mtimeMs <= settled && info.ctimeMs <= settled;
}

export interface CorpusScan {
  /**
   * A hash of the story files as the file system describes them (names, sizes, modification
   * times): equal fingerprints mean nothing was added, removed or edited, which a build can know
   * without reading thousands of files.
   */
  fingerprint: string;
  /** Size and times of each settled file, by name: what {@link LoadOptions.known} is matched against. */
  signatures: Map<string, string>;
}

/**
 * Describes the corpus folder's story files without parsing them; undefined when the folder
 * cannot be read. A file written in the last moments could be rewritten within the same clock
 * tick, same size and all (git's "racy" rule), so such a file is described by its content instead.
 */
export async function scanCorpus(dir: string, now: () => number = Date.now): Promise<CorpusScan | undefined> {
  try {
    const names = storyFileNames(await readdir(dir));
    const infos = await Promise.all(names.map((name) => stat(path.join(dir, name))));
    const settled = now() - RACY_MS;
    const signatures = new Map<string, string>();
    const lines: string[] = [];
    for (const [i, name] of names.entries()) {
      const info = infos[i]!;
      if (isSettled(info, settled)) {
        signatures.set(name, signatureOf(info));
        lines.push(`${name}\t${signatureOf(info)}`);
      } else {
        lines.push(`${name}\tcontent:${sha256(await readFile(path.join(dir, name)))}`);
      }
    }
    return { fingerprint: sha256(lines.join('\n')), signatures };
  } catch {
    return undefined;
  }
}

/** The fingerprint of {@link scanCorpus}. */
export async function corpusFingerprint(dir: string): Promise<string | undefined> {
  return (await scanCorpus(dir))?.fingerprint;
}
