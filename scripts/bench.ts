import { benchCommand } from '../src/cli/bench.js';
import { runMain } from '../src/entry/run.js';

runMain(() => benchCommand(process.argv.slice(2)));
