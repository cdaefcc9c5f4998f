import { removeStoryCommand } from '../src/cli/remove-story.js';
import { runMain } from '../src/entry/run.js';

runMain(() => removeStoryCommand(process.argv.slice(2)));
