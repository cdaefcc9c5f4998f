// Whether an index is behind its corpus folder: story files written by hand, left by an add that
// died before its index update, removed or edited since the build. The manifest records each
// story file's size and times, so this is a readdir and a stat per file; no story is parsed.
import { fileChanges, scanCorpus, type FileChanges } from '../corpus/index.js';
import type { Manifest } from './manifest.js';

/** What the corpus folder holds that the index does not, and the other way round. */
export type IndexDrift = Pick<FileChanges, 'added' | 'removed' | 'changed'>;

/** How the corpus folder differs from the files `manifest` was built from; undefined when in step or the folder cannot be read. */
export async function indexDrift(corpusDir: string, manifest: Pick<Manifest, 'stories'>): Promise<IndexDrift | undefined> {
  const scan = await scanCorpus(corpusDir);
  if (!scan) return undefined;
  // A story recorded without its file's description (changed while it was built) is not known to differ: no false alarm.
  const { added, removed, changed } = await fileChanges(corpusDir, scan, manifest.stories);
  return added.length + removed.length + changed.length > 0 ? { added, removed, changed } : undefined;
}

/** Names shown in the sentence before "and N more". */
const NAMES_SHOWN = 3;

/** The drift in one sentence, with the command that ends it. */
export function driftSentence(drift: IndexDrift): string {
  const parts = [
    drift.added.length > 0 && `${count(drift.added, 'story file is', 'story files are')} not indexed (${names(drift.added)})`,
    drift.removed.length > 0 && `${count(drift.removed, "indexed story's file is", "indexed stories' files are")} gone (${names(drift.removed)})`,
    drift.changed.length > 0 && `${count(drift.changed, 'story file has', 'story files have')} changed since the build (${names(drift.changed)})`,
  ].filter((part): part is string => typeof part === 'string');
  const listed = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0];
  return `The index is behind the corpus: ${listed}; run npm run build-index.`;
}

function count(files: readonly string[], one: string, many: string): string {
  return `${files.length} ${files.length === 1 ? one : many}`;
}

function names(files: readonly string[]): string {
  const shown = files.slice(0, NAMES_SHOWN).join(', ');
  return files.length > NAMES_SHOWN ? `${shown} and ${files.length - NAMES_SHOWN} more` : shown;
}
