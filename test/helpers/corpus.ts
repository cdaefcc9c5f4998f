import { mkdtempSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
export const FIXTURE_CORPUS = path.join(PROJECT_ROOT, 'test/fixtures/corpus');

/** A fresh temporary folder. */
export function tempDir(prefix = 'verbatim-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes a small story file into `dir` and returns its path. */
export function writeStory(dir: string, name: string, paragraphs: string[], front: Partial<Record<string, string>> = {}): string {
  mkdirSync(dir, { recursive: true });
  const meta = {
    title: `Story ${name}`,
    outlet: 'The Test Gazette',
    published: '2021-06-01',
    url: `https://example.com/${name}`,
    ...front,
  };
  const file = path.join(dir, `${name}.md`);
  writeFileSync(
    file,
    `---\ntitle: ${meta.title}\noutlet: ${meta.outlet}\nauthors:\n  - Test Writer\npublished: ${meta.published}\nurl: ${meta.url}\n---\n\n${paragraphs.join('\n\n')}\n`,
  );
  return file;
}

/** A copy of the fixture corpus (three short stories) in a temporary folder. */
export function copyFixtureCorpus(): string {
  const dir = path.join(tempDir(), 'corpus');
  cpSync(FIXTURE_CORPUS, dir, { recursive: true });
  return dir;
}
