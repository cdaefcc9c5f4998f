import { askCommand } from '../src/cli/ask.js';
import { runMain } from '../src/entry/run.js';

runMain(() => askCommand(process.argv.slice(2)));
