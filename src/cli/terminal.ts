import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';
import type { PipelineReporter } from '../pipeline.js';

// Loaded when a bar is first drawn: most commands never draw one, and it is 40 ms of modules.
const require = createRequire(import.meta.url);

/** Messages on stderr (stdout is for answers); a progress bar only when stderr is a terminal. */
export function terminalReporter(label: string): PipelineReporter {
  let bar: CliProgress.SingleBar | undefined;
  return {
    info: (message) => process.stderr.write(`${message}\n`),
    progress(done, total) {
      if (total === 0) return;
      if (!process.stderr.isTTY) {
        // Logs and pipes get one line when the work starts, so a long build shows it is alive.
        if (done === 0) process.stderr.write(`${label} ${total} ${total === 1 ? 'paragraph' : 'paragraphs'}…\n`);
        return;
      }
      if (!bar) {
        const { SingleBar, Presets } = require('cli-progress') as typeof CliProgress;
        bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} paragraphs, {eta_formatted} left`, etaBuffer: 200, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
        bar.start(total, done);
      }
      bar.update(done);
    },
    progressDone() {
      bar?.stop();
      bar = undefined;
    },
  };
}
