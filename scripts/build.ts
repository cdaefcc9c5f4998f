// Run with tsx (there is no compiled code yet the first time): npm run build, and npm ci's postinstall.
import { buildCommand } from '../src/cli/build.js';
import { runMain } from '../src/entry/run.js';

runMain(() => buildCommand(process.argv.slice(2)));
