// Whether dist/ was compiled from the sources as they are now. `npm run build` records a hash of
// the content of every TypeScript file it compiled (taken before tsc starts, so an edit made
// during the compile counts as a change); the compiled runtime compares them at start-up and
// refuses to run stale code. Content, not times: a file restored with an older time (git
// checkout, tar) is caught, and a project copied with its times rounded (cp -p, rsync, a
// container image) is not refused for nothing.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { sha256 } from '../hash.js';

/** Written into dist/ last, so its presence means the compile finished. */
export const STAMP_FILE = 'build-stamp.json';
/** Folders whose every .ts file is compiled (a new file there makes dist/ stale too). */
export const SOURCE_DIRS = ['src', 'scripts'];
/** The compiler settings, every tsconfig*.json at the project's root: a change to them changes the output as well. */
export function settingsFiles(root: string): string[] {
  return readdirSync(root)
    .filter((name) => /^tsconfig(\..+)?\.json$/.test(name))
    .sort();
}

/** Folders whose .ts files may be compiled: the source folders, and test helpers the bench imports. */
const COMPILED_DIRS = [...SOURCE_DIRS, 'test'];

/**
 * What `npm run build` hashes before it compiles: every TypeScript file that may be compiled and
 * the compiler settings. {@link stampedSources} keeps those the stamp holds once tsc has run.
 */
export function fingerprintBuildInputs(root: string): Fingerprints {
  return fingerprintFiles(root, [...listSourceFiles(root, COMPILED_DIRS), ...settingsFiles(root)]);
}

/** The stamp's files: those tsc compiled (`compiled`, as .ts paths), declaration files and the compiler settings. */
export function stampedSources(root: string, before: Fingerprints, compiled: ReadonlySet<string>): Fingerprints {
  const settings = new Set(settingsFiles(root));
  // Declaration files emit nothing but are sources all the same: what compiles depends on them.
  return Object.fromEntries(Object.entries(before).filter(([file]) => compiled.has(file) || file.endsWith('.d.ts') || settings.has(file)));
}

/** The SHA-256 of one file's content, by its project-relative path. */
export type Fingerprints = Record<string, string>;
export interface BuildStamp {
  version: 2;
  sources: Fingerprints;
}

/** Every .ts file under the source folders, as project-relative paths with forward slashes. */
export function listSourceFiles(root: string, dirs: readonly string[] = SOURCE_DIRS): string[] {
  return dirs.flatMap((dir) =>
    (readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' }) as string[])
      .filter((name) => name.endsWith('.ts'))
      .map((name) => `${dir}/${name.split(path.sep).join('/')}`),
  );
}

/** The content hash of each file; a file that is gone is left out. */
export function fingerprintFiles(root: string, files: Iterable<string>): Fingerprints {
  const hashes: Fingerprints = {};
  for (const file of files) {
    const where = path.join(root, file);
    if (existsSync(where)) hashes[file] = sha256(readFileSync(where));
  }
  return hashes;
}

export function writeStamp(distDir: string, sources: Fingerprints): void {
  const stamp: BuildStamp = { version: 2, sources };
  writeFileSync(path.join(distDir, STAMP_FILE), `${JSON.stringify(stamp)}\n`);
}

/**
 * Why the compiled runtime in `distDir` must not run, as one sentence, or undefined when it was
 * compiled from exactly the sources in `root` now.
 */
export function staleRuntimeReason(root: string, distDir: string): string | undefined {
  const stamp = readStamp(distDir);
  if (!stamp) return 'There is no finished build in dist/: run npm run build (or npm ci), then this command again.';
  // The stamp's files outside the source folders (settings, test helpers the bench imports) are checked by name.
  const sourcePrefixes = SOURCE_DIRS.map((dir) => `${dir}/`);
  const extras = Object.keys(stamp.sources).filter((file) => !sourcePrefixes.some((prefix) => file.startsWith(prefix)));
  const current = fingerprintFiles(root, [...listSourceFiles(root), ...extras]);
  const changed = new Set<string>();
  for (const [file, hash] of Object.entries(current)) {
    if (stamp.sources[file] !== hash) changed.add(file);
  }
  for (const file of Object.keys(stamp.sources)) if (!(file in current)) changed.add(file);
  if (changed.size === 0) return undefined;
  const [first] = [...changed].sort();
  const others = changed.size > 1 ? ` and ${changed.size - 1} other file${changed.size > 2 ? 's' : ''}` : '';
  return `The compiled code in dist/ is older than ${first}${others}: run npm run build (or npm ci), then this command again.`;
}

/** Throws the one-sentence refusal when dist/ is stale or unfinished. */
export function assertFreshRuntime(root: string, distDir: string): void {
  const reason = staleRuntimeReason(root, distDir);
  if (reason) throw new UserError(reason);
}

function readStamp(distDir: string): BuildStamp | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(distDir, STAMP_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const stamp = JSON.parse(text) as Partial<BuildStamp>;
    return stamp.version === 2 && typeof stamp.sources === 'object' && stamp.sources !== null ? (stamp as BuildStamp) : undefined;
  } catch {
    return undefined;
  }
}
