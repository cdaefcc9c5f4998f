// A fresh clone of the project in a temporary folder, for the tests that follow the README as a
// user does: the project's own files copied (no .env, no index), node_modules and models linked.
import { cpSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, tempDir } from './corpus.js';

/** What a clone does not have (git-ignored or per machine); node_modules and models are linked instead. */
const NOT_CLONED = new Set(['.git', '.env', 'node_modules', 'models', 'index', 'coverage', 'tmp']);
const LINKED = ['node_modules', 'models'];

export function tempCheckout(): string {
  const root = path.join(tempDir('verbatim-checkout-'), 'verbatim');
  for (const entry of readdirSync(PROJECT_ROOT)) {
    if (NOT_CLONED.has(entry) || entry.endsWith('.log')) continue;
    cpSync(path.join(PROJECT_ROOT, entry), path.join(root, entry), { recursive: true, preserveTimestamps: true });
  }
  for (const entry of LINKED) symlinkSync(path.join(PROJECT_ROOT, entry), path.join(root, entry));
  return root;
}

/**
 * Fills settings in `<checkout>/.env` as a user does in an editor: the `KEY=` line of each is
 * given its value (a setting .env has no line for is an error: the README told the user to fill it).
 */
export function fillEnvFile(checkout: string, values: Record<string, string>): void {
  const file = path.join(checkout, '.env');
  let text = readFileSync(file, 'utf8');
  for (const [key, value] of Object.entries(values)) {
    const line = new RegExp(`^${key}=.*$`, 'm');
    if (!line.test(text)) throw new Error(`.env has no ${key}= line to fill`);
    text = text.replace(line, `${key}=${value}`);
  }
  writeFileSync(file, text);
}
