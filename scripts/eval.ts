import { evalCommand } from '../src/cli/eval.js';
import { runMain } from '../src/entry/run.js';

runMain(() => evalCommand(process.argv.slice(2)));
