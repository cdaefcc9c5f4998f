import { addStoryCommand } from '../src/cli/add-story.js';
import { runMain } from '../src/cli/run.js';

runMain(() => addStoryCommand(process.argv.slice(2)));
