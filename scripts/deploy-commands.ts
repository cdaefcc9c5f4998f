import { runMain } from '../src/entry/run.js';
import { deployCommandsCommand } from '../src/discord/deploy.js';

runMain(() => deployCommandsCommand(process.argv.slice(2)));
