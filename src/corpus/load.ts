import { readdir, readFile } from 'node:fs/promises';
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
