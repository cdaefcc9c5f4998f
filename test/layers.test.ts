// The house's floors: every room of src/ (a folder, or a file directly under src/) stands on one
// floor, and a file may import its own room, the ground floor, and rooms on floors below its own;
// never a room on its own floor or above. The README's "Project layout" shows the same table.
// Imports are read with TypeScript's own scanner: static, type-only, re-exports, `import()` and
// `typeof import()` all count (knowing a higher room's types is knowing the room).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

/**
 * Floors from the ground up. Floor 0 holds plain data and functions that import nothing above
 * the ground: every file may import it. Rooms on any other floor may not import each other.
 */
const FLOORS: readonly (readonly string[])[] = [
  // 0. the ground: settings, errors, hashing, logging, text folding, the heap after a load,
  //    declarations, and src/shared (English word lists, seeded random numbers, where the runtime is)
  ['shared', 'config.ts', 'errors.ts', 'hash.ts', 'log.ts', 'fold.ts', 'memory.ts', 'types'],
  // 1. stories on disk
  ['corpus'],
  // 2. stories from the web (written through corpus); the embedder and the model builders
  ['import', 'embed'],
  // 3. the vector index and its generations
  ['index'],
  // 4. retrieval: terms, BM25, fusion, refusal, the answering sentence
  ['search'],
  // 5. answers formatted for a reader; the glue that builds an index from corpus/
  ['answer', 'pipeline.ts'],
  // 6. opening a retriever for answers (on pipeline.ts); what entry points share (runMain,
  //    option parsing, the build stamp, the model built on first use); the news desk (feeds → stories → index)
  ['retrieval.ts', 'entry', 'desk'],
  // 7. the bot; the evaluation sets (the whole pipeline at the size of many stories)
  ['discord', 'eval-sets.ts'],
  // 8. the bench library: it drives the real bot against a fake Discord
  ['bench'],
  // 9. the terminal commands, `npm run bench` and `npm run eval` among them
  ['cli'],
];

/**
 * Imports that leave src/, each with its reason. The bench drives the bot against the tests' fake
 * Discord (loaded lazily: it needs `ws`, a dev dependency); nothing else in src/ knows test/ or scripts/.
 */
const ALLOWED_OUTSIDE_SRC: ReadonlyMap<string, string> = new Map([['bench/discord.ts', '../test/fake-discord.js']]);

const floorOf = new Map(FLOORS.flatMap((rooms, floor) => rooms.map((room) => [room, floor] as const)));

/** The room of a path under src/ ('embed/worker-embedder.ts' → 'embed', 'pipeline.ts' → 'pipeline.ts'). */
function roomOf(relative: string): string {
  const [first] = relative.split('/');
  return first!;
}

/** The relative module paths a TypeScript file names in its imports and re-exports. */
function importedPaths(text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((file) => file.fileName)
    .filter((name) => name.startsWith('.'));
}

/**
 * What is wrong with the imports of one file: `file` is its path under src/ ('embed/x.ts'), `text`
 * its source. One sentence per import that reaches sideways or up, or out of src/.
 */
function forbiddenImports(file: string, text: string): string[] {
  const room = roomOf(file);
  const floor = floorOf.get(room);
  if (floor === undefined) return [`src/${file}: its room ${room} is on no floor (add it to FLOORS in test/layers.test.ts and to the README's "Project layout")`];
  const problems: string[] = [];
  for (const spec of importedPaths(text)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    if (target.startsWith('../')) {
      if (ALLOWED_OUTSIDE_SRC.get(file) === target) continue;
      problems.push(`src/${file} imports ${spec}, outside src/`);
      continue;
    }
    const targetRoom = roomOf(target).replace(/\.js$/, '.ts');
    if (targetRoom === room) continue;
    const targetFloor = floorOf.get(targetRoom);
    if (targetFloor === undefined) problems.push(`src/${file} imports ${spec}: ${targetRoom} is on no floor`);
    else if (targetFloor !== 0 && targetFloor >= floor)
      problems.push(`src/${file} (${room}, floor ${floor}) imports ${spec} (${targetRoom}, floor ${targetFloor}${targetFloor === floor ? ', the same floor' : ', above'})`);
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(SRC, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

describe('the floors of src/', () => {
  it('place every room of src/ on exactly one floor', () => {
    const rooms = readdirSync(SRC).sort();
    expect(rooms.filter((room) => !floorOf.has(room))).toEqual([]);
    expect(FLOORS.flat().filter((room) => !rooms.includes(room))).toEqual([]);
    expect(floorOf.size).toBe(FLOORS.flat().length);
  });

  it('are the floors the README\'s "Project layout" shows', () => {
    const readme = readFileSync(path.resolve(SRC, '../README.md'), 'utf8');
    const layout = readme.slice(readme.indexOf('## Project layout'), readme.indexOf('\n## ', readme.indexOf('## Project layout') + 1));
    const shown = new Map<string, number>();
    for (const [, floor, rooms] of layout.matchAll(/^\| (\d+) \| ([^|]+) \|/gm))
      for (const [, room] of rooms!.matchAll(/`src\/([^`/]+)`/g)) shown.set(room!, Number(floor));
    expect(Object.fromEntries(shown)).toEqual(Object.fromEntries([...floorOf].filter(([room]) => room !== 'types')));
  });

  it('let no file import a room on its own floor or above', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(100);
    const problems = files.flatMap((file) => forbiddenImports(file, readFileSync(path.join(SRC, file), 'utf8')));
    expect(problems).toEqual([]);
  });

  it('catch an upward import in every form, and let the allowed ones through', () => {
    const upward = [
      "import { Retriever } from '../search/retriever.js';",
      "import type { Retriever } from '../search/index.js';",
      "export { STOP_WORDS } from '../search/text.js';",
      "import '../search/index.js';",
      "const module = await import('../entry/runtime.js');",
      'type Runtime = typeof import("../cli/ask.js");',
      "import { x } from '../../test/helpers/corpus.js';",
    ];
    for (const line of upward) expect(forbiddenImports('embed/worker-embedder.ts', line), line).toHaveLength(1);
    // Sideways: import and embed share floor 2.
    expect(forbiddenImports('embed/x.ts', "import { fetchPage } from '../import/fetch.js';")).toHaveLength(1);
    // A top-level file is a room of its own.
    expect(forbiddenImports('pipeline.ts', "import { openRetriever } from './retrieval.js';")).toHaveLength(1);
    expect(forbiddenImports('new-room/x.ts', '')).toHaveLength(1);

    const allowed = [
      "import { UserError } from '../errors.js';",
      "import { STOP_WORDS } from '../shared/english.js';",
      "import { knownIdentity } from './embedder.js';",
      "import { loadCorpus } from '../corpus/index.js';",
      "import { ElementType } from './model-build/use-port/onnx-graph.js';",
      "import { readFileSync } from 'node:fs';",
      '// import { Retriever } from "../search/index.js";',
    ];
    for (const line of allowed) expect(forbiddenImports('embed/x.ts', line), line).toEqual([]);
    expect(forbiddenImports('retrieval.ts', "import { buildIndexFromCorpus } from './pipeline.js';")).toEqual([]);
  });
});
