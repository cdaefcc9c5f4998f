import { readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import * as z from 'zod';
import { ConfigError } from './errors.js';

/** The model built on install (and by `npm run build-model`) when EMBED_MODEL is not set. */
export const DEFAULT_EMBED_MODEL = 'use-lite';
/** HNSW efSearch when EF_SEARCH is not set: recall@10 0.999 at 100,000 vectors (npm run bench, docs/performance.md). */
export const DEFAULT_EF_SEARCH = 64;

/**
 * With RERANK_MODEL set, the re-ranker's probability below which the stories do not say, whatever
 * words and encoder found (a veto; from READER_SURE_SCORE, src/search/rerank.ts, the reader
 * answers; in between, words and encoder decide). Measured with ms-marco-MiniLM-L-12-v2
 * (docs/quality.md, "A real cross-encoder"): 0.001 (logit -6.9) refuses 59 of 60 off-topic
 * questions on each corpus and costs one answerable question of 130; as the only judge, its own
 * boundary 0.5 wrongly refused 5-14 of 40 answerable questions and still answered 11 of 15 near-topic ones.
 */
export const DEFAULT_RERANK_MIN_SCORE = 0.001;
/** Passages the re-ranker reads per question: docs/quality.md measures where the answer ranks. */
export const DEFAULT_RERANK_CANDIDATES = 20;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const logLevel = z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` });

/** A whole number setting from `min` to `max`, each wrong value refused with the same sentence. */
function wholeNumber(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ message }).int(message).min(min, message).max(max, message);
}
const PROBABILITY = 'must be a probability from 0 to 1, e.g. 0.5';

/** Settings every entry point needs: where the corpus, index and model live. */
const coreSchema = z.object({
  CORPUS_DIR: z.string().min(1).default('corpus'),
  INDEX_DIR: z.string().min(1).default('index'),
  MODEL_DIR: z.string().min(1).default('models'),
  EMBED_MODEL: z
    .string()
    .regex(/^[\w.-]+(\/[\w.-]+)?$/, 'must be a model name like use-lite-static or Xenova/all-MiniLM-L6-v2')
    .default(DEFAULT_EMBED_MODEL),
  EF_SEARCH: wholeNumber(1, 4096).default(DEFAULT_EF_SEARCH),
  LOG_LEVEL: logLevel.default('info'),
  EMBED_QUERY_PREFIX: z.string().optional(),
  EMBED_PASSAGE_PREFIX: z.string().optional(),
  RERANK_MODEL: z.string().trim().min(1).optional(),
  RERANK_MIN_SCORE: z.coerce
    .number({ message: PROBABILITY })
    .min(0, PROBABILITY)
    .max(1, PROBABILITY)
    .default(DEFAULT_RERANK_MIN_SCORE),
  RERANK_CANDIDATES: wholeNumber(1, 100).default(DEFAULT_RERANK_CANDIDATES),
  ALLOW_PRIVATE_URLS: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes'),
});

export type CoreConfig = {
  corpusDir: string;
  indexDir: string;
  modelDir: string;
  embedModel: string;
  efSearch: number;
  logLevel: z.infer<typeof logLevel>;
  /** Let add-story fetch pages on loopback and private addresses (off: a typed URL must not reach the local network). */
  allowPrivateUrls: boolean;
  /** Text put before questions / passages when embedding, overriding the model family's (src/embed/prefixes.ts). */
  embedPrefixes?: { query?: string; passage?: string } | undefined;
  /** The cross-encoder that re-ranks passages and decides refusals (hub id or folder); unset = none. */
  rerank?: { model: string; minScore: number; candidates: number } | undefined;
};

const PLACEHOLDER_TOKEN = /^(your[-_ ]?(bot[-_ ]?)?token.*|changeme|x{3,}|<.*>|token)$/i;
const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17 to 20 digits)');
const emptyAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
/** A comma-separated list of Discord ids; empty = none. */
const snowflakeList = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',').map((id) => id.trim()).filter(Boolean) : []))
    .pipe(z.array(snowflake)),
);

/** A comma-separated list of shard numbers (0, 1, …) without repeats; empty = none. */
function shardList(message: string) {
  return z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\s*\d{1,5}\s*(,\s*\d{1,5}\s*)*$/, message)
      .transform((value) => [...new Set(value.split(',').map(Number))])
      .optional(),
  );
}

const botSchema = z.object({
  DISCORD_TOKEN: z
    .string({ message: 'is missing' })
    .trim()
    .min(1, 'is missing')
    .refine((token) => !PLACEHOLDER_TOKEN.test(token), 'is still the placeholder from .env.example')
    .refine((token) => /^[\w.-]{20,}$/.test(token), 'does not look like a bot token'),
  DISCORD_APPLICATION_ID: z.preprocess(emptyAsUndefined, snowflake),
  DISCORD_GUILD_ID: z.preprocess(emptyAsUndefined, snowflake.optional()),
  DISCORD_API_BASE: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. https://discord.com/api' }).optional()),
  ALLOWED_CHANNEL_IDS: snowflakeList,
  STAFF_GUILD_IDS: snowflakeList,
  ADMIN_USER_IDS: snowflakeList,
  FEEDS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((value) => (value ? value.split(',').map((url) => url.trim()).filter(Boolean) : []))
      .pipe(z.array(z.url({ protocol: /^https?$/, message: 'must be comma-separated http(s) feed URLs' }))),
  ),
  FEED_POLL_MINUTES: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ message: 'must be a number of minutes from 1 to 1440' })
      .min(1, 'must be a number of minutes from 1 to 1440')
      .max(1440, 'must be a number of minutes from 1 to 1440')
      .default(15),
  ),
  ANNOUNCE_CHANNEL_ID: z.preprocess(emptyAsUndefined, snowflake.optional()),
  COOLDOWN_SECONDS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ message: 'must be a number of seconds from 0 to 3600' })
      .min(0, 'must be a number of seconds from 0 to 3600')
      .max(3600, 'must be a number of seconds from 0 to 3600')
      .default(10),
  ),
  SHARD_COUNT: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .regex(/^(auto|[1-9]\d{0,4})$/i, 'must be the total number of shards (a whole number from 1) or auto')
      .transform((value): number | 'auto' => (value.toLowerCase() === 'auto' ? 'auto' : Number(value)))
      .optional(),
  ),
  SHARD_IDS: shardList('must be comma-separated shard numbers counted from 0, e.g. 0,1'),
  // Set by discord.js's ShardingManager in each process it starts (JSON: one shard number); wins over SHARD_IDS.
  SHARDS: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? value.replace(/[[\]\s]/g, '') : undefined),
    shardList('must be the shard number discord.js\'s ShardingManager gives each process'),
  ),
}).superRefine((env, context) => {
  const ids = env.SHARDS ?? env.SHARD_IDS;
  if (!Array.isArray(ids)) return; // unset, or already reported as malformed
  const variable = env.SHARDS ? 'SHARDS' : 'SHARD_IDS';
  if (typeof env.SHARD_COUNT !== 'number') {
    context.addIssue({ code: 'custom', path: [variable], message: 'needs SHARD_COUNT set to the total number of shards (a number, not auto)' });
    return;
  }
  const outside = ids.find((id) => id >= (env.SHARD_COUNT as number));
  if (outside !== undefined) {
    context.addIssue({ code: 'custom', path: [variable], message: `names shard ${outside}, but with SHARD_COUNT=${env.SHARD_COUNT} the shards are 0 to ${env.SHARD_COUNT - 1}` });
  }
});

export type BotConfig = CoreConfig & {
  discordToken: string;
  applicationId: string;
  guildId: string | undefined;
  apiBase: string | undefined;
  allowedChannelIds: string[];
  cooldownSeconds: number;
  /** Servers whose Manage Server members may change the stories (every server shares them). */
  staffGuildIds: string[];
  /** Users who may change the stories from any server. */
  adminUserIds: string[];
  /** RSS/Atom feeds the bot follows. */
  feeds: string[];
  feedPollMinutes: number;
  /** Where new feed stories are announced; none = not announced. */
  announceChannelId: string | undefined;
  /** Gateway shards of the whole bot (every process): a number, `auto` (Discord's recommendation), or unset (one shard). */
  shardCount?: number | 'auto' | undefined;
  /** The shards this process connects; unset = all of `shardCount`. */
  shardIds?: number[] | undefined;
};

type Env = Record<string, string | undefined>;

function parseOrExplain<T extends z.ZodType>(schema: T, env: Env): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const variable = String(issue?.path[0] ?? 'the environment');
  const given = env[variable];
  // Never echo the value: it may be the bot token.
  if (given === undefined || given.trim() === '') throw new ConfigError(`${variable} is missing: set it in .env (see .env.example) or in the environment.`);
  const where = variablesFromDotenv.has(variable)
    ? 'fix it in .env (see .env.example)'
    : 'it is set in the environment, which wins over .env: fix or unset it there';
  throw new ConfigError(`${variable} ${issue?.message}: ${where}.`);
}

/** Reads and validates the settings shared by the terminal, the index build and the bot. */
export function loadCoreConfig(env: Env = process.env, cwd = process.cwd()): CoreConfig {
  const raw = parseOrExplain(coreSchema, stripEmpty(env));
  return {
    corpusDir: path.resolve(cwd, raw.CORPUS_DIR),
    indexDir: path.resolve(cwd, raw.INDEX_DIR),
    modelDir: path.resolve(cwd, raw.MODEL_DIR),
    embedModel: raw.EMBED_MODEL,
    efSearch: raw.EF_SEARCH,
    logLevel: raw.LOG_LEVEL,
    allowPrivateUrls: raw.ALLOW_PRIVATE_URLS,
    embedPrefixes: { ...(raw.EMBED_QUERY_PREFIX === undefined ? {} : { query: raw.EMBED_QUERY_PREFIX }), ...(raw.EMBED_PASSAGE_PREFIX === undefined ? {} : { passage: raw.EMBED_PASSAGE_PREFIX }) },
    rerank: raw.RERANK_MODEL === undefined ? undefined : { model: raw.RERANK_MODEL, minScore: raw.RERANK_MIN_SCORE, candidates: raw.RERANK_CANDIDATES },
  };
}

/** Reads and validates everything the Discord bot and the deploy script need. */
export function loadBotConfig(env: Env = process.env, cwd = process.cwd()): BotConfig {
  const core = loadCoreConfig(env, cwd);
  const raw = parseOrExplain(botSchema, env);
  // discord.js reads these itself whenever its shard options equal its defaults (one shard), e.g.
  // SHARD_COUNT=auto as NaN: read here, they reach it only as the plan passed explicitly (bot-runtime.ts).
  if (env === process.env) for (const name of ['SHARD_COUNT', 'SHARDS']) delete process.env[name];
  return {
    ...core,
    discordToken: raw.DISCORD_TOKEN,
    applicationId: raw.DISCORD_APPLICATION_ID,
    guildId: raw.DISCORD_GUILD_ID,
    apiBase: raw.DISCORD_API_BASE,
    allowedChannelIds: raw.ALLOWED_CHANNEL_IDS,
    cooldownSeconds: raw.COOLDOWN_SECONDS,
    staffGuildIds: raw.STAFF_GUILD_IDS,
    adminUserIds: raw.ADMIN_USER_IDS,
    feeds: raw.FEEDS,
    feedPollMinutes: raw.FEED_POLL_MINUTES,
    announceChannelId: raw.ANNOUNCE_CHANNEL_ID,
    shardCount: raw.SHARD_COUNT,
    shardIds: raw.SHARDS ?? raw.SHARD_IDS,
  };
}

/** `KEY=` in .env means "use the default", not "the empty string". */
function stripEmpty(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
}

/** The variables the last `loadEnvironment` took from .env (the others came from the environment). */
const variablesFromDotenv = new Set<string>();

/**
 * Every entry point's first step: loads `.env` (in `cwd`) into the environment, then removes every
 * empty variable, so that `KEY=` means "not set" for Verbatim and for the libraries that read the
 * environment themselves (discord.js reads SHARD_COUNT as a number and SHARDS as JSON: empty, they
 * crash it). A variable set in the environment wins over .env, unless it is empty there.
 */
export function loadEnvironment(env: Env = process.env, cwd = process.cwd()): void {
  variablesFromDotenv.clear();
  for (const [name, value] of Object.entries(readDotenv(path.join(cwd, '.env')))) {
    if (value.trim() === '' || (env[name] ?? '').trim() !== '') continue;
    env[name] = value;
    variablesFromDotenv.add(name);
  }
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value.trim() === '') delete env[name];
  }
}

function readDotenv(file: string): Record<string, string> {
  try {
    return dotenv.parse(readFileSync(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`Could not read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}): make it readable by this user, or remove it.`);
  }
}
