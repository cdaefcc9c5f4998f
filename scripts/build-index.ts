import { buildIndexCommand } from '../src/cli/build-index.js';
import { runMain } from '../src/entry/run.js';

runMain(() => buildIndexCommand(process.argv.slice(2)));
