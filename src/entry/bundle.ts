// The second half of `npm run build`: each command tsc compiled is bundled with esbuild into one
// entry file plus shared chunks, written over tsc's files of the same name. A start then reads a
// few files instead of ~180 modules, and the libraries that cost most to load come without what
// they load but we never use (zod's 64 locales, transformers.js's sharp and onnxruntime-web):
// ~0.25 s of every command (docs/performance.md, "Commands that start in a second").
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

/** The files node runs (npm scripts, the bot and its shards, worker threads), relative to dist/. */
export function bundleEntries(distDir: string): string[] {
  const scripts = readdirSync(path.join(distDir, 'scripts')).filter((name) => name.endsWith('.js')).map((name) => `scripts/${name}`);
  return [...scripts, 'src/discord/bot.js', 'src/discord/shard-launcher.js', 'src/embed/embed-worker.js'];
}

/**
 * Libraries bundled into the commands: the ones whose loading took longest at start (zod 0.1 s,
 * transformers.js 0.25 s). Others stay in node_modules: native addons must, and discord.js and
 * pino find their own files at run time.
 */
const BUNDLED_PACKAGES = new Set(['zod', '@xenova/transformers', 'dotenv', 'stemmer']);
/** Loaded by transformers.js at import but never used here (images; the browser's runtime). */
const UNUSED_BY_TRANSFORMERS = new Set(['sharp', 'onnxruntime-web']);
/** Native addons: they load their binary relative to their own package. */
const NATIVE_PACKAGES = new Set(['onnxruntime-node', 'hnswlib-node']);

/** Stands in for a package transformers.js imports and we never call. */
const STUB_SOURCE = `export default function unused() { throw new Error('This library is not part of the Verbatim build.'); }\nexport const env = { wasm: {} };\n`;

/** Bundled CommonJS code (dotenv, parts of transformers.js) calls require for node's modules. */
const REQUIRE_BANNER = "import { createRequire as verbatimCreateRequire } from 'node:module'; const require = verbatimCreateRequire(import.meta.url);";

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Bundles the commands in `distDir` (tsc's output, source maps beside) in place. */
export async function bundleCommands(distDir: string): Promise<void> {
  const entries = bundleEntries(distDir);
  const result = await esbuild.build({
    absWorkingDir: distDir,
    entryPoints: entries,
    outdir: distDir,
    outbase: distDir,
    // Shared code in one folder, beside the commands' own files.
    chunkNames: 'chunks/[name]-[hash]',
    allowOverwrite: true,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Linked maps, composed with tsc's: a stack trace points at the .ts line.
    sourcemap: 'linked',
    sourcesContent: false,
    banner: { js: REQUIRE_BANNER },
    metafile: true,
    logLevel: 'warning',
    plugins: [
      {
        name: 'verbatim-packages',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, ({ path: specifier, importer }) => {
            if (specifier.startsWith('node:')) return { external: true };
            const name = packageName(specifier);
            if (UNUSED_BY_TRANSFORMERS.has(name)) return { path: name, namespace: 'verbatim-unused' };
            if (NATIVE_PACKAGES.has(name)) return { external: true };
            // What a bundled library imports is bundled with it; our own imports only when listed.
            const fromLibrary = importer.split(path.sep).includes('node_modules');
            return fromLibrary || BUNDLED_PACKAGES.has(name) ? undefined : { external: true };
          });
          build.onLoad({ filter: /.*/, namespace: 'verbatim-unused' }, () => ({ contents: STUB_SOURCE, loader: 'js' }));
        },
      },
    ],
  });
  dropLibraryOnlyMaps(distDir, result.metafile);
}

/**
 * A chunk made only of library code keeps no source map: maps are read at every start under
 * --enable-source-maps (~30 ms for zod's and transformers.js's), and a trace through a library
 * is rarely read at its source line. Chunks holding our code keep theirs.
 */
function dropLibraryOnlyMaps(distDir: string, metafile: esbuild.Metafile): void {
  for (const [output, info] of Object.entries(metafile.outputs)) {
    if (!output.endsWith('.js')) continue;
    const inputs = Object.keys(info.inputs);
    if (inputs.length === 0 || !inputs.every((input) => input.includes('node_modules/') || input.startsWith('verbatim-unused:'))) continue;
    const file = path.resolve(distDir, output);
    const code = readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    writeFileSync(file, code);
    rmSync(`${file}.map`, { force: true });
  }
}
