import dotenv from 'dotenv';
import { describeError } from '../errors.js';

/**
 * Runs a command-line entry point: loads `.env`, and turns any failure into one sentence on
 * stderr and exit code 1 (the stack only with LOG_LEVEL=debug).
 */
export function runMain(main: () => Promise<number | void>): void {
  dotenv.config({ quiet: true });
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      process.stderr.write(`${describeError(error)}\n`);
      if (process.env.LOG_LEVEL === 'debug' && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      process.exitCode = 1;
    },
  );
}
