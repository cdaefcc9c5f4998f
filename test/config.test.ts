import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EMBED_MODEL, loadBotConfig, loadCoreConfig, loadEnvironment } from '../src/config.js';
import { UserError } from '../src/errors.js';
import { PROJECT_ROOT, tempDir } from './helpers/corpus.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.abcdef.secret-token-value';
const BOT_ENV = { DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: '123456789012345678' };

describe('loadCoreConfig', () => {
  it('fills defaults and resolves folders against the working directory', () => {
    const config = loadCoreConfig({}, '/srv/verbatim');
    expect(config).toMatchObject({ corpusDir: '/srv/verbatim/corpus', indexDir: '/srv/verbatim/index', modelDir: '/srv/verbatim/models' });
    expect(config.embedModel).toBe(DEFAULT_EMBED_MODEL);
    expect(loadCoreConfig({ EF_SEARCH: '' }, '/x').efSearch).toBe(64); // KEY= means the default
  });

  it.each([
    [{ EF_SEARCH: 'abc' }, 'EF_SEARCH must be a whole number from 1 to 4096: it is set in the environment, which wins over .env: fix or unset it there.'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent: it is set in the environment, which wins over .env: fix or unset it there.'],
    [{ EMBED_MODEL: '../../etc' }, /^EMBED_MODEL must be a model name like use-lite-static or Xenova\/all-MiniLM-L6-v2/],
  ])('names the variable and what it must be: %j', (env, message) => {
    expect(() => loadCoreConfig(env, '/x')).toThrow(UserError);
    expect(() => loadCoreConfig(env, '/x')).toThrow(message);
  });
});

describe('loadBotConfig', () => {
  it('reads the Discord settings', () => {
    const config = loadBotConfig({ ...BOT_ENV, ALLOWED_CHANNEL_IDS: '111111111111111111, 222222222222222222', COOLDOWN_SECONDS: '0' }, '/x');
    expect(config.allowedChannelIds).toEqual(['111111111111111111', '222222222222222222']);
    expect(config.cooldownSeconds).toBe(0);
    expect(config.guildId).toBeUndefined();
    expect(config.apiBase).toBeUndefined();
    expect(config).toMatchObject({ staffGuildIds: [], adminUserIds: [], feeds: [], feedPollMinutes: 15, announceChannelId: undefined, allowPrivateUrls: false });
  });

  it('reads the news desk settings', () => {
    const config = loadBotConfig(
      {
        ...BOT_ENV,
        STAFF_GUILD_IDS: '333333333333333333',
        ADMIN_USER_IDS: '444444444444444444,555555555555555555',
        FEEDS: 'https://example.com/rss.xml, https://example.org/atom',
        FEED_POLL_MINUTES: '5',
        ANNOUNCE_CHANNEL_ID: '666666666666666666',
        ALLOW_PRIVATE_URLS: 'true',
      },
      '/x',
    );
    expect(config).toMatchObject({
      staffGuildIds: ['333333333333333333'],
      adminUserIds: ['444444444444444444', '555555555555555555'],
      feeds: ['https://example.com/rss.xml', 'https://example.org/atom'],
      feedPollMinutes: 5,
      announceChannelId: '666666666666666666',
      allowPrivateUrls: true,
    });
  });

  it.each([
    [{ DISCORD_APPLICATION_ID: '123456789012345678' }, 'DISCORD_TOKEN is missing'],
    [{ ...BOT_ENV, DISCORD_TOKEN: 'your-bot-token' }, 'DISCORD_TOKEN is still the placeholder from .env.example'],
    [{ ...BOT_ENV, DISCORD_APPLICATION_ID: '12' }, 'DISCORD_APPLICATION_ID must be a Discord id (17 to 20 digits)'],
    [{ ...BOT_ENV, ALLOWED_CHANNEL_IDS: '1,2' }, 'ALLOWED_CHANNEL_IDS must be a Discord id'],
    [{ ...BOT_ENV, COOLDOWN_SECONDS: '-1' }, 'COOLDOWN_SECONDS must be a number of seconds from 0 to 3600'],
    [{ ...BOT_ENV, DISCORD_API_BASE: 'ftp://x' }, 'DISCORD_API_BASE must be an http(s) URL'],
    [{ ...BOT_ENV, STAFF_GUILD_IDS: 'my server' }, 'STAFF_GUILD_IDS must be a Discord id'],
    [{ ...BOT_ENV, FEEDS: 'feed.xml' }, 'FEEDS must be comma-separated http(s) feed URLs'],
    [{ ...BOT_ENV, FEED_POLL_MINUTES: '0' }, 'FEED_POLL_MINUTES must be a number of minutes from 1 to 1440'],
    [{ ...BOT_ENV, ALLOW_PRIVATE_URLS: 'maybe' }, 'ALLOW_PRIVATE_URLS must be true or false'],
    [{ ...BOT_ENV, SHARD_COUNT: '0' }, 'SHARD_COUNT must be the total number of shards (a whole number from 1) or auto: it is set in the environment, which wins over .env: fix or unset it there.'],
    [{ ...BOT_ENV, SHARD_COUNT: 'lots' }, 'SHARD_COUNT must be the total number of shards (a whole number from 1) or auto'],
    [{ ...BOT_ENV, SHARD_COUNT: '4', SHARD_IDS: 'first' }, 'SHARD_IDS must be comma-separated shard numbers counted from 0, e.g. 0,1: it is set in the environment, which wins over .env: fix or unset it there.'],
    [{ ...BOT_ENV, SHARD_IDS: '0,1' }, 'SHARD_IDS needs SHARD_COUNT set to the total number of shards (a number, not auto): it is set in the environment, which wins over .env: fix or unset it there.'],
    [{ ...BOT_ENV, SHARD_COUNT: 'auto', SHARD_IDS: '0' }, 'SHARD_IDS needs SHARD_COUNT set to the total number of shards (a number, not auto)'],
    [{ ...BOT_ENV, SHARD_COUNT: '4', SHARD_IDS: '2,4' }, 'SHARD_IDS names shard 4, but with SHARD_COUNT=4 the shards are 0 to 3: it is set in the environment, which wins over .env: fix or unset it there.'],
  ])('refuses %j with one sentence naming the variable', (env, message) => {
    expect(() => loadBotConfig(env, '/x')).toThrow(message);
  });

  // Every setting that holds Discord ids: a bad value is refused, naming it, and never read as
  // "unset" (an unset ANNOUNCE_CHANNEL_ID silently stops announcements; an unset guild id deploys
  // commands globally).
  const ID_SETTINGS: Array<[variable: string, read: (config: ReturnType<typeof loadBotConfig>) => unknown]> = [
    ['DISCORD_APPLICATION_ID', (config) => config.applicationId],
    ['DISCORD_GUILD_ID', (config) => config.guildId],
    ['ANNOUNCE_CHANNEL_ID', (config) => config.announceChannelId],
    ['ALLOWED_CHANNEL_IDS', (config) => config.allowedChannelIds],
    ['STAFF_GUILD_IDS', (config) => config.staffGuildIds],
    ['ADMIN_USER_IDS', (config) => config.adminUserIds],
  ];
  const BAD_IDS = ['#news', '12', 'general', '<#123456789012345678>', '123456789012345678x', '1234567890123456789012'];

  describe.each(ID_SETTINGS)('%s', (variable, read) => {
    it.each(BAD_IDS)('refuses %j in one sentence naming it', (bad) => {
      let error: unknown;
      try {
        loadBotConfig({ ...BOT_ENV, [variable]: bad }, '/x');
      } catch (caught) {
        error = caught;
      }
      expect(error, `${variable}=${bad} was accepted`).toBeInstanceOf(UserError);
      const message = (error as Error).message;
      expect(message).toMatch(new RegExp(`^${variable} must be a Discord id`));
      expect(message).not.toMatch(/\n/);
      expect(message).not.toContain(TOKEN);
    });

    it('reads a good id as given, and empty as unset', () => {
      const id = '765432109876543210';
      const good = read(loadBotConfig({ ...BOT_ENV, [variable]: id }, '/x'));
      expect(Array.isArray(good) ? good : [good]).toEqual([id]);
      if (variable !== 'DISCORD_APPLICATION_ID') {
        const empty = read(loadBotConfig({ ...BOT_ENV, [variable]: '' }, '/x'));
        expect(Array.isArray(empty) ? empty : [empty].filter(Boolean)).toEqual([]);
      }
    });
  });

  it('reads the shards: none by default, a count or auto, the ids of this process (discord.js\'s SHARDS wins)', () => {
    expect(loadBotConfig({ ...BOT_ENV, SHARD_COUNT: '', SHARD_IDS: '' }, '/x')).toMatchObject({ shardCount: undefined, shardIds: undefined });
    expect(loadBotConfig({ ...BOT_ENV, SHARD_COUNT: 'AUTO' }, '/x')).toMatchObject({ shardCount: 'auto', shardIds: undefined });
    expect(loadBotConfig({ ...BOT_ENV, SHARD_COUNT: '4', SHARD_IDS: ' 3, 1,1' }, '/x')).toMatchObject({ shardCount: 4, shardIds: [3, 1] });
    // What discord.js's ShardingManager sets in each process it starts, over the SHARD_IDS it inherits.
    expect(loadBotConfig({ ...BOT_ENV, SHARDING_MANAGER: 'true', SHARDS: '1', SHARD_COUNT: '2', SHARD_IDS: '0,1' }, '/x')).toMatchObject({ shardCount: 2, shardIds: [1] });
  });

  it('never puts the token in a message, even when the token itself is wrong', () => {
    const badToken = 'short secret';
    try {
      loadBotConfig({ ...BOT_ENV, DISCORD_TOKEN: badToken }, '/x');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/^DISCORD_TOKEN does not look like a bot token/);
      expect((error as Error).message).not.toContain(badToken);
    }
  });
});

describe('loadEnvironment: .env, then every empty setting removed', () => {
  /** A folder holding `dotenv` as its .env. */
  const folderWith = (dotenv: string) => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.env'), dotenv);
    return dir;
  };
  const shippedExample = () => readFileSync(path.join(PROJECT_ROOT, '.env.example'), 'utf8');

  it('the shipped .env.example sets nothing but the token placeholder: every default applies, and the placeholder is a sentence', () => {
    const env: Record<string, string | undefined> = { PATH: '/usr/bin' };
    loadEnvironment(env, folderWith(shippedExample()));
    expect(Object.keys(env).sort()).toEqual(['DISCORD_TOKEN', 'PATH']);
    expect(loadCoreConfig(env, '/x')).toEqual(loadCoreConfig({}, '/x'));
    // The placeholder is a sentence, not a crash (and never a login attempt).
    expect(() => loadBotConfig({ ...env, DISCORD_APPLICATION_ID: '123456789012345678' }, '/x')).toThrow(
      'DISCORD_TOKEN is still the placeholder from .env.example: fix it in .env (see .env.example).',
    );
  });

  it('empty means not set for the libraries too: discord.js reads SHARD_COUNT and SHARDS from process.env itself', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { SHARDS: '', DEBUG: ' ' }); // empty in the environment (e.g. systemd's Environment=SHARDS=)
      loadEnvironment(process.env, folderWith('SHARD_COUNT=\nSHARDS=\nDEBUG=\n'));
      expect(['SHARD_COUNT', 'SHARDS', 'DEBUG'].filter((name) => name in process.env)).toEqual([]);
      expect(new Client({ intents: [] }).options).toMatchObject({ shards: [0], shardCount: 1 });
      // Without the clean-up: discord.js reads SHARD_COUNT= as 0 shards, the crash of issue #21.
      process.env.SHARD_COUNT = '';
      expect(() => new Client({ intents: [] })).toThrow(/shardCount/);
    } finally {
      process.env = saved;
    }
  });

  it('SHARD_COUNT=auto reaches discord.js only as the explicit plan (left in process.env, a plan of one shard reads it as NaN)', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, BOT_ENV, { SHARD_COUNT: 'auto' });
      expect(loadBotConfig().shardCount).toBe('auto');
      expect('SHARD_COUNT' in process.env).toBe(false);
      expect(new Client({ intents: [], shards: [0], shardCount: 1 }).options.shardCount).toBe(1);
    } finally {
      process.env = saved;
    }
  });

  it('the environment wins over .env, unless it is empty there', () => {
    const dir = folderWith('EF_SEARCH=16\nCOOLDOWN_SECONDS=5\n');
    const env: Record<string, string | undefined> = { EF_SEARCH: '32', COOLDOWN_SECONDS: ' ' };
    loadEnvironment(env, dir);
    expect(env).toEqual({ EF_SEARCH: '32', COOLDOWN_SECONDS: '5' });
  });

  it('a bad value says where it came from: .env or the environment; a missing one where to set it', () => {
    const dir = folderWith('EF_SEARCH=many\n');
    const fromDotenv: Record<string, string | undefined> = {};
    loadEnvironment(fromDotenv, dir);
    expect(() => loadCoreConfig(fromDotenv, '/x')).toThrow('EF_SEARCH must be a whole number from 1 to 4096: fix it in .env (see .env.example).');
    const fromEnvironment: Record<string, string | undefined> = { EF_SEARCH: 'lots' };
    loadEnvironment(fromEnvironment, dir);
    expect(() => loadCoreConfig(fromEnvironment, '/x')).toThrow(
      'EF_SEARCH must be a whole number from 1 to 4096: it is set in the environment, which wins over .env: fix or unset it there.',
    );
    const empty: Record<string, string | undefined> = {};
    loadEnvironment(empty, folderWith('DISCORD_TOKEN=\n'));
    expect(() => loadBotConfig(empty, '/x')).toThrow('DISCORD_TOKEN is missing: set it in .env (see .env.example) or in the environment.');
  });

  it('no .env is no settings; an unreadable one is one sentence', () => {
    const env: Record<string, string | undefined> = { LOG_LEVEL: 'warn' };
    loadEnvironment(env, tempDir());
    expect(env).toEqual({ LOG_LEVEL: 'warn' });
    const dir = tempDir();
    mkdirSync(path.join(dir, '.env')); // a folder: EISDIR
    expect(() => loadEnvironment({}, dir)).toThrow(/^Could not read .*\.env \(EISDIR\): make it readable by this user, or remove it\.$/);
  });
});
