// The compiled runtime's freshness check (src/entry/build-stamp.ts) on a small project tree.
import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { fingerprintBuildInputs, stampedSources, staleRuntimeReason, writeStamp } from '../src/entry/build-stamp.js';
import { PROJECT_ROOT, tempDir } from './helpers/corpus.js';

let root: string;
let dist: string;

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

/** The compiler settings of a project like ours, written here by name (not taken from the code under test). */
const SETTINGS = ['tsconfig.json', 'tsconfig.build.json'];

/**
 * What `npm run build` records, by the functions it records with: every source file as it is
 * now, given that tsc compiled src/ and scripts/ (and `extra`).
 */
function stampNow(extra: string[] = []): void {
  const compiled = new Set(['src/a.ts', 'src/deep/b.ts', 'scripts/run.ts', ...extra]);
  writeStamp(dist, stampedSources(root, fingerprintBuildInputs(root), compiled));
}

beforeEach(() => {
  root = tempDir('verbatim-stamp-');
  dist = path.join(root, 'dist');
  mkdirSync(dist);
  write('src/a.ts', 'export const a = 1;\n');
  write('src/deep/b.ts', 'export const b = 2;\n');
  write('scripts/run.ts', "import '../src/a.js';\n");
  write('test/helper.ts', 'export const h = 3;\n');
  for (const file of SETTINGS) write(file, '{}\n');
});

describe('staleRuntimeReason', () => {
  it('lets a build made from the current sources run', () => {
    stampNow();
    expect(staleRuntimeReason(root, dist)).toBeUndefined();
  });

  it('refuses a dist/ without a finished build', () => {
    expect(staleRuntimeReason(root, dist)).toBe('There is no finished build in dist/: run npm run build (or npm ci), then this command again.');
  });

  it('refuses when a source file was edited after the build, naming it', () => {
    stampNow();
    write('src/deep/b.ts', 'export const b = 22;\n');
    expect(staleRuntimeReason(root, dist)).toBe('The compiled code in dist/ is older than src/deep/b.ts: run npm run build (or npm ci), then this command again.');
  });

  it('refuses a file restored with an older time and the same size (git checkout), and runs a copy whose times moved (cp -p, rsync)', () => {
    stampNow();
    const file = path.join(root, 'src/a.ts');
    utimesSync(file, new Date('2030-01-01'), new Date('2030-01-01'));
    expect(staleRuntimeReason(root, dist)).toBeUndefined();
    write('src/a.ts', 'export const a = 7;\n');
    utimesSync(file, new Date('2020-01-01'), new Date('2020-01-01'));
    expect(staleRuntimeReason(root, dist)).toMatch(/older than src\/a\.ts:/);
  });

  it('refuses new and deleted source files, and counts them', () => {
    stampNow();
    write('scripts/new.ts', 'export {};\n');
    rmSync(path.join(root, 'src/a.ts'));
    expect(staleRuntimeReason(root, dist)).toMatch(/older than scripts\/new\.ts and 1 other file:/);
  });

  it('checks the compiler settings and compiled files outside src/ and scripts/', () => {
    stampNow(['test/helper.ts']);
    write('test/helper.ts', 'export const h = 33;\n');
    expect(staleRuntimeReason(root, dist)).toMatch(/older than test\/helper\.ts:/);
    stampNow(['test/helper.ts']);
    write('tsconfig.build.json', '{ "compilerOptions": {} }\n');
    expect(staleRuntimeReason(root, dist)).toMatch(/older than tsconfig\.build\.json:/);
  });

  it('ignores test files the build did not compile', () => {
    stampNow();
    write('test/helper.ts', 'export const h = 33;\n');
    expect(staleRuntimeReason(root, dist)).toBeUndefined();
  });

  it.each(SETTINGS)('refuses when the compiler settings in %s were edited after the build', (file) => {
    stampNow();
    write(file, '{ "compilerOptions": { "target": "es2017" } }\n');
    expect(staleRuntimeReason(root, dist)).toBe(`The compiled code in dist/ is older than ${file}: run npm run build (or npm ci), then this command again.`);
  });

  it('refuses when a declaration file (which compiles to nothing) was edited after the build', () => {
    write('src/types/ambient.d.ts', 'declare const x: number;\n');
    stampNow();
    expect(staleRuntimeReason(root, dist)).toBeUndefined();
    write('src/types/ambient.d.ts', 'declare const x: string;\n');
    expect(staleRuntimeReason(root, dist)).toMatch(/older than src\/types\/ambient\.d\.ts:/);
  });
});

describe('the build of this project', () => {
  it('hashes every tsconfig*.json at the project root', () => {
    const onDisk = readdirSync(PROJECT_ROOT).filter((name) => name.startsWith('tsconfig') && name.endsWith('.json'));
    expect(onDisk).toEqual(expect.arrayContaining(SETTINGS));
    const stamped = stampedSources(PROJECT_ROOT, fingerprintBuildInputs(PROJECT_ROOT), new Set());
    expect(Object.keys(stamped)).toEqual(expect.arrayContaining(onDisk));
  });
});

