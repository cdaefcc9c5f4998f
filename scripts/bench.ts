import { benchCommand } from '../src/cli/bench.js';
import { runMain } from '../src/cli/run.js';

runMain(() => benchCommand(process.argv.slice(2)));
