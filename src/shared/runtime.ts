// Where the project is and how its commands run: as the JavaScript `npm run build` compiles into
// dist/ (every npm command a user runs), or as TypeScript under tsx (`npm run dev`, the tests).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder tsc writes the compiled runtime to, under the project. */
export const DIST_DIR = 'dist';

const THIS_FILE = fileURLToPath(import.meta.url);

/** True when this process runs the compiled JavaScript (dist/src/shared/runtime.js), false under tsx. */
export const RUNNING_COMPILED = THIS_FILE.endsWith('.js');

/**
 * The project folder: this file is src/shared/runtime.ts under tsx; compiled, it is bundled into a
 * file somewhere under dist/ (an entry or a shared chunk), so the folder above dist/ is the project.
 */
export const PROJECT_ROOT = RUNNING_COMPILED ? compiledProjectRoot(THIS_FILE) : path.resolve(path.dirname(THIS_FILE), '../..');

function compiledProjectRoot(file: string): string {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (path.basename(dir) === DIST_DIR) return path.dirname(dir);
  }
  throw new Error(`${file} is not under a ${DIST_DIR}/ folder.`);
}

/** The compiled runtime of this project. */
export const DIST_PATH = path.join(PROJECT_ROOT, DIST_DIR);

/** The compiled file of a project source file: scripts/ask.ts -> <project>/dist/scripts/ask.js. */
export function compiledPath(source: string): string {
  return path.join(DIST_PATH, source.replace(/\.ts$/, '.js'));
}

/** A project source file (scripts/ask.ts) or its compiled twin, whichever this process runs. */
export function runtimePath(source: string): string {
  return RUNNING_COMPILED ? compiledPath(source) : path.join(PROJECT_ROOT, source);
}

/**
 * node's options for a child process (a fork's execArgv) that runs `runtimePath(…)` files as this
 * process runs: source maps on when compiled, tsx's loader otherwise.
 */
export function runtimeExecArgv(): string[] {
  return RUNNING_COMPILED ? ['--enable-source-maps'] : ['--import', import.meta.resolve('tsx')];
}

/**
 * node's arguments to run a project script the way this process runs: `--enable-source-maps
 * dist/scripts/x.js` when compiled, tsx's command line on scripts/x.ts otherwise.
 */
export function scriptArgs(source: string): string[] {
  if (RUNNING_COMPILED) return [...runtimeExecArgv(), compiledPath(source)];
  return [path.join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(PROJECT_ROOT, source)];
}
