// What every entry point shares (scripts/, src/cli, src/discord/bot.ts): .env, one-sentence failures, options.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadEnvironment } from '../config.js';
import { ConfigError, EXIT_CONFIG, UserError, describeError } from '../errors.js';

/**
 * Runs a command-line entry point: loads `.env` (and drops empty settings, src/config.ts), and
 * turns any failure into one sentence on stderr and exit code 1 (EXIT_CONFIG for a bad setting; the
 * stack only with LOG_LEVEL=debug).
 */
export function runMain(main: () => Promise<number | void>): void {
  Promise.resolve().then(() => {
    loadEnvironment();
    return main();
  }).then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      process.stderr.write(`${describeError(error)}\n`);
      if (process.env.LOG_LEVEL === 'debug' && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      process.exitCode = error instanceof ConfigError ? EXIT_CONFIG : 1;
    },
  );
}

/** node's `parseArgs`, with a mistyped option turned into one sentence ending in `usageHint`. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T, usageHint: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UserError(`${error instanceof Error ? error.message : String(error)}; ${usageHint}.`);
  }
}
