import { loadCoreConfig } from '../config.js';
import { listStoryFiles, removeStoryFile, storySlug } from '../corpus/index.js';
import { parseCommandArgs } from '../entry/run.js';
import { UserError } from '../errors.js';
import { updateIndex } from './update-index.js';

const USAGE = `Usage: npm run remove-story -- [--no-build] <id>...

An id is the story's file name in corpus/ without .md (npm run ask -- --json shows it as source.id).`;

/** `npm run remove-story -- <id>`: deletes stories from corpus/ and brings the index up to date. */
export async function removeStoryCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    {
      args: argv,
      allowPositionals: true,
      options: { 'no-build': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    },
    'see npm run remove-story -- --help',
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const ids = [...new Set(positionals.map((id) => id.trim().replace(/\.md$/i, '')).filter(Boolean))];
  if (ids.length === 0) throw new UserError('Give the id of the story to remove (its file name in the corpus without .md).');
  const config = loadCoreConfig();
  // The ids are the story files' names: nothing needs reading to know them.
  const stories = ((await listStoryFiles(config.corpusDir)) ?? []).map((file) => ({ id: storySlug(file) }));
  const known = new Set(stories.map((story) => story.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) {
    const near = stories.map((story) => story.id).filter((id) => unknown.some((wanted) => id.includes(wanted) || wanted.includes(id))).slice(0, 3);
    throw new UserError(`No story ${unknown.join(', ')} in ${config.corpusDir}${near.length ? `; did you mean ${near.join(', ')}?` : ': the ids are the file names there without .md.'}`);
  }
  if (ids.length >= stories.length) throw new UserError('That would leave the corpus empty: add another story first (npm run add-story), then remove this one.');
  for (const id of ids) {
    await removeStoryFile(config.corpusDir, id);
    process.stdout.write(`Removed ${id}\n`);
  }
  if (!values['no-build']) await updateIndex(config);
  return 0;
}
