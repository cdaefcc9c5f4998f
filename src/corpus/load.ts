import { readdir, readFile, stat } from 'node:fs/promises';
import { sha256 } from '../hash.js';
import path from 'node:path';
import { UserError } from '../errors.js';
import { parseStory, type Story } from './story.js';

/**
 * Reads every `*.md` story in `dir`, in file-name order. With `allowEmpty` (for adding the first
 * story) a missing or empty folder is an empty corpus instead of an error.
 */
export async function loadCorpus(dir: string, options: { allowEmpty?: boolean } = {}): Promise<Story[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.toLowerCase().endsWith('.md') && !name.startsWith('.'));
  } catch {
    if (options.allowEmpty) return [];
    throw new UserError(`The corpus folder ${dir} does not exist: create it and put one Markdown story in it (see README, "Add a story").`);
  }
  names = names.filter((name) => name.toLowerCase() !== 'readme.md').sort();
  if (names.length === 0) {
    if (options.allowEmpty) return [];
    throw new UserError(`The corpus folder ${dir} holds no .md stories: add one (see README, "Add a story").`);
  }
  const stories: Story[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
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

/** Files changed more recently than this are not trusted to a fingerprint. */
const RACY_MS = 3000;

/**
 * A hash of the corpus folder's story files as the file system describes them (names, sizes,
 * modification times): equal fingerprints mean nothing was added, removed or edited, which a
 * build can know without reading thousands of files. Undefined when the folder cannot be read.
 */
export async function corpusFingerprint(dir: string): Promise<string | undefined> {
  try {
    const names = (await readdir(dir)).filter((name) => name.toLowerCase().endsWith('.md') && !name.startsWith('.') && name.toLowerCase() !== 'readme.md').sort();
    const infos = await Promise.all(names.map((name) => stat(path.join(dir, name))));
    // A file written in the last moments could be rewritten within the same clock tick, same
    // size and all: no fingerprint then (git's "racy" rule), so the build reads the files.
    const settled = Date.now() - RACY_MS;
    if (infos.some((info) => info.mtimeMs > settled || info.ctimeMs > settled)) return undefined;
    return sha256(names.map((name, i) => `${name}\t${infos[i]!.size}\t${infos[i]!.mtimeMs}\t${infos[i]!.ctimeMs}`).join('\n'));
  } catch {
    return undefined;
  }
}
