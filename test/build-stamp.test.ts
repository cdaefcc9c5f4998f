// The compiled runtime's freshness check (src/entry/build-stamp.ts) on a small project tree.
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { SETTINGS_FILES, listSourceFiles, staleRuntimeReason, fingerprintFiles, writeStamp } from '../src/entry/build-stamp.js';
import { tempDir } from './helpers/corpus.js';

let root: string;
let dist: string;

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

/** What `npm run build` records: every source file and the settings, as they are now. */
function stampNow(extra: string[] = []): void {
  writeStamp(dist, fingerprintFiles(root, [...listSourceFiles(root), ...SETTINGS_FILES, ...extra]));
}

beforeEach(() => {
  root = tempDir('verbatim-stamp-');
  dist = path.join(root, 'dist');
  mkdirSync(dist);
  write('src/a.ts', 'export const a = 1;\n');
  write('src/deep/b.ts', 'export const b = 2;\n');
  write('scripts/run.ts', "import '../src/a.js';\n");
  write('test/helper.ts', 'export const h = 3;\n');
  for (const file of SETTINGS_FILES) write(file, '{}\n');
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
});
