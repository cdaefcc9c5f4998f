import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fingerprintBuildInputs, stampedSources, writeStamp } from '../entry/build-stamp.js';
import { bundleCommands } from '../entry/bundle.js';
import { parseCommandArgs } from '../entry/run.js';
import { UserError } from '../errors.js';
import { DIST_DIR, PROJECT_ROOT } from '../shared/runtime.js';

/**
 * `npm run build` (and `npm ci`): compiles src/ and scripts/ with tsc into dist/, source maps
 * beside, bundles the files node runs (src/entry/bundle.ts), and stamps the build with the
 * sources it was made from. tsc writes into a fresh
 * folder that replaces dist/ only once it compiled, so a failed compile leaves the previous build.
 */
export async function buildCommand(argv: string[], root = PROJECT_ROOT): Promise<number> {
  parseCommandArgs({ args: argv, options: {} }, 'usage: npm run build');
  const started = performance.now();
  const distDir = path.join(root, DIST_DIR);
  const nextDir = `${distDir}.next`;
  // Taken before tsc reads them: a file edited during the compile then differs from its stamp.
  const before = fingerprintBuildInputs(root);
  await rm(nextDir, { recursive: true, force: true });
  const tsc = spawn(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', nextDir], { cwd: root, stdio: 'inherit' });
  const [code] = (await once(tsc, 'exit')) as [number | null];
  if (code !== 0) {
    await rm(nextDir, { recursive: true, force: true });
    throw new UserError('The TypeScript did not compile (tsc’s errors are above): fix them, then run npm run build again.');
  }
  const compiled = compiledSources(nextDir);
  await bundleCommands(nextDir);
  writeStamp(nextDir, stampedSources(root, before, compiled));
  const oldDir = `${distDir}.old`;
  await rm(oldDir, { recursive: true, force: true });
  await rename(distDir, oldDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(nextDir, distDir);
  await rm(oldDir, { recursive: true, force: true });
  process.stderr.write(`Compiled ${compiled.size} files into ${DIST_DIR}/ in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
  return 0;
}

/** The TypeScript files tsc compiled, from the JavaScript it wrote (dist/x/y.js came from x/y.ts). */
function compiledSources(outDir: string): Set<string> {
  const files = readdirSync(outDir, { recursive: true, encoding: 'utf8' }) as string[];
  return new Set(files.filter((name) => name.endsWith('.js')).map((name) => name.split(path.sep).join('/').replace(/\.js$/, '.ts')));
}
