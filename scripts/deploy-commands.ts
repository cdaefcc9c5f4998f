import { runMain } from '../src/cli/run.js';
import { deployCommandsCommand } from '../src/discord/deploy.js';

runMain(() => deployCommandsCommand(process.argv.slice(2)));
