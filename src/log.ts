import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Fields that may hold a secret: the bot token, interaction tokens (inside webhook URLs and
 * request bodies of discord.js errors) and HTTP authorization headers.
 */
const REDACTED_PATHS = [
  'token',
  '*.token',
  'discordToken',
  '*.discordToken',
  'DISCORD_TOKEN',
  '*.DISCORD_TOKEN',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'err.url',
  'err.requestBody',
  'error.url',
  'error.requestBody',
];

/**
 * JSON lines on stdout (or `destination`), one object per event; secrets are censored.
 * Pipe through `npx pino-pretty` to read them in a terminal.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'verbatim' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
