// What every entry point shares (scripts/, src/cli, src/discord/bot.ts): the stale-dist/ check, .env, one-sentence failures, options.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadEnvironment } from '../config.js';
import { ConfigError, EXIT_CONFIG, UserError, describeError } from '../errors.js';
import { DIST_PATH, PROJECT_ROOT, RUNNING_COMPILED } from '../shared/runtime.js';
import { assertFreshRuntime } from './build-stamp.js';

/**
 * Runs a command-line entry point: refuses compiled code older than its sources, loads `.env`
 * (and drops empty settings, src/config.ts), and turns any failure into one sentence on stderr
 * and exit code 1 (EXIT_CONFIG for a bad setting; the stack only with LOG_LEVEL=debug).
 */
export function runMain(main: () => Promise<number | void>): void {
  Promise.resolve().then(() => {
    if (RUNNING_COMPILED) assertFreshRuntime(PROJECT_ROOT, DIST_PATH);
    loadEnvironment();
    return main();
  }).then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      if (error instanceof HelpRequested) {
        process.stdout.write(`${helpText(error.usage)}\n`);
        process.exitCode = 0;
        return;
      }
      process.stderr.write(`${describeError(error)}\n`);
      if (process.env.LOG_LEVEL === 'debug' && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      process.exitCode = error instanceof ConfigError ? EXIT_CONFIG : 1;
    },
  );
}

/** `--help` or `-h` given to a command that has no help text of its own: its usage line is printed, exit 0. */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super(usage);
  }
}

/**
 * node's `parseArgs`, with a mistyped option turned into one sentence ending in `usageHint`;
 * `--help` (or `-h`) on a command without a help option of its own prints `usageHint`.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T, usageHint: string): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? [];
  const beforeText = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  if (!config.options?.['help'] && beforeText.some((arg) => arg === '--help' || arg === '-h')) throw new HelpRequested(usageHint);
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UserError(argumentProblem(error, usageHint));
  }
}

/** "usage: npm run x -- [--y], or …" as a help text: "Usage: npm run x -- [--y]" and the alternatives on lines of their own. */
function helpText(usageHint: string): string {
  return `Usage: ${usageHint.replace(/^usage:\s*/i, '').replace(/, or /g, '\n       ')}`;
}

/**
 * What `parseArgs` refused, in our words: its own messages run to two sentences, and the one for
 * an unknown option leaves a quote open (`as in '-- "--bogus"`).
 */
export function argumentProblem(error: unknown, usageHint: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  // The option or argument, as parseArgs quotes it first: '--bogus', '--top-k <value>', 'x'.
  const given = /'([^']*)'/.exec(message)?.[1]?.split(' ')[0];
  if (given !== undefined) {
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      // parseArgs adds the "after --" advice only where the command takes text.
      const text = message.includes("after '--'") ? ` (text that starts with "-" goes after --, as in -- "${given}")` : '';
      return `Unknown option ${given}${text}; ${usageHint}.`;
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `Unexpected argument "${given}" (this command takes options only); ${usageHint}.`;
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /argument missing/.test(message)) return `${given} needs a value; ${usageHint}.`;
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /does not take an argument/.test(message)) return `${given} takes no value; ${usageHint}.`;
  }
  return `${message.replace(/\.$/, '')}; ${usageHint}.`;
}
