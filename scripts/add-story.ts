import { addStoryCommand } from '../src/cli/add-story.js';
import { runMain } from '../src/entry/run.js';

runMain(() => addStoryCommand(process.argv.slice(2)));
