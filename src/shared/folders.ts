// Making the folders a setting names (INDEX_DIR, CORPUS_DIR) one level at a time: node's recursive
// mkdir never returns on a path some file systems refuse without saying why (/proc/nope spins at
// 100 % CPU in Node 20), and its errors name no setting.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

/**
 * Creates `dir` and any missing parents, or throws one sentence naming the folder and the setting
 * (`what`, e.g. "The index folder" and "INDEX_DIR") that says what to do.
 */
export function makeFolder(dir: string, what: { folder: string; setting: string }): void {
  const refused = (reason: string) =>
    new UserError(`${what.folder} ${dir} cannot be created (${reason}): set ${what.setting} to a folder you can write to.`);
  const missing: string[] = [];
  for (let at = path.resolve(dir); !existsSync(at); ) {
    missing.unshift(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      throw refused(code ?? String(error));
    }
  }
  if (!statSync(dir).isDirectory()) throw refused('a file of that name is in the way');
}
