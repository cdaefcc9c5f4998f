/**
 * An error whose message is meant for the person running Verbatim: one sentence that says
 * what is wrong and what to do. Entry points print it without a stack trace.
 */
export class UserError extends Error {
  override name = 'UserError';
}

/**
 * A setting is missing or malformed: trying again cannot help until it is fixed. Entry points exit
 * with EXIT_CONFIG for it, which a service manager can be told not to restart on (README, systemd).
 */
export class ConfigError extends UserError {
  override name = 'ConfigError';
}

/** sysexits.h's EX_CONFIG: "configuration error". */
export const EXIT_CONFIG = 78;

/** The one-sentence message for any error: user errors as written, others summarised. */
export function describeError(error: unknown): string {
  if (error instanceof UserError) return error.message;
  const detail = error instanceof Error ? error.message : String(error);
  return `Unexpected error: ${firstLine(detail)} (set LOG_LEVEL=debug for details).`;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * The reason to give a Discord member: a user error as written; anything else only as "my side",
 * since a member can neither read the bot's log nor set LOG_LEVEL (the error is logged in full).
 */
export function memberReason(error: unknown): string {
  return error instanceof UserError ? error.message : 'something went wrong on my side (the details are in the bot’s log).';
}
