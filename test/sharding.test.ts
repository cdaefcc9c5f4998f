// Discord's own sharding, as it runs: real bot processes (the real model, one shared corpus and
// index folder) against the fake Discord, which routes each guild's interactions to the
// connection that holds its shard. Two ways: one `npm start` per shard (SHARD_COUNT + SHARD_IDS,
// as on several hosts), and `npm run start:shards` (discord.js's ShardingManager).
import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { unescapeMarkdown } from '../src/answer/discord.js';
import type { BotConfig } from '../src/config.js';
import { resolveShardPlan } from '../src/discord/shards.js';
import { askCommand, embedsOf } from './helpers/bot-harness.js';
import { PROJECT_ROOT, tempDir } from './helpers/corpus.js';
import { startPageServer, type PageServer } from './helpers/page-server.js';
import { expectedPage } from './helpers/pages.js';
import { STACK_LINE, killChildren, spawnProject, type Spawned } from './helpers/processes.js';
import { guildIdOnShard, startFakeDiscord, type FakeDiscord, type InteractionHandle, type MessageBody } from './fake-discord.js';

const TOKEN = 'fake-bot-token-for-the-sharding-tests';
const GUILD_ON_SHARD = [guildIdOnShard(0, 2), guildIdOnShard(1, 2)] as const;
/** In the shipped story; the reliability tests ask it too. */
const QUESTION = 'Who took photographs of the meeting?';
const QUOTE = 'A Russian photographer took photos';
const BOOT_MS = 90_000;

let fake: FakeDiscord | undefined;
let pages: PageServer;
beforeAll(async () => {
  pages = await startPageServer();
});
afterAll(async () => {
  await pages.close();
});
afterEach(async () => {
  await killChildren(); // the bot processes disconnect before the fake closes
  await fake?.close();
  fake = undefined;
});

/** What every bot process reads: the same corpus and index folders, the fake Discord, no .env. */
function sharedEnv(discord: FakeDiscord): Record<string, string> {
  const root = tempDir();
  const corpusDir = path.join(root, 'corpus');
  cpSync(path.join(PROJECT_ROOT, 'corpus'), corpusDir, { recursive: true });
  return {
    DISCORD_TOKEN: discord.token,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_BASE: discord.apiBase,
    CORPUS_DIR: corpusDir,
    INDEX_DIR: path.join(root, 'index'),
    MODEL_DIR: path.join(PROJECT_ROOT, 'models'),
    COOLDOWN_SECONDS: '0',
  };
}

type LogLine = Record<string, unknown>;
const logLines = (output: string): LogLine[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
/** The one-per-interaction log line of `ix`, from whichever process wrote it. */
const interactionLogs = (output: string, ix: InteractionHandle) => logLines(output).filter((line) => line['msg'] === 'interaction' && line['interaction'] === ix.id);

/** The log line comes after the reply: waits for it in the process that answered. */
const logged = (process: Spawned, ix: InteractionHandle) => process.waitForOutput(new RegExp(`"msg":"interaction".*"interaction":"${ix.id}"|"interaction":"${ix.id}".*"msg":"interaction"`));

const shown = (body: MessageBody) => embedsOf(body).map((embed) => unescapeMarkdown((embed.description ?? '').replace(/^> /gm, '').replace(/\*\*/g, '')));

/** Asks in a guild on each shard at once; each is answered with the quote, delivered on its shard's connection only. */
async function askOnBothShards(discord: FakeDiscord): Promise<InteractionHandle[]> {
  const asked = GUILD_ON_SHARD.map((guildId) => discord.sendCommand({ ...askCommand(QUESTION), guildId }));
  const replies = await Promise.all(asked.map((ix) => ix.reply()));
  for (const reply of replies) expect(shown(reply).join('\n')).toContain(QUOTE);
  expect(asked.map((ix) => ix.deliveredOn)).toEqual([[0], [1]]);
  return asked;
}

describe('two `npm start` processes, SHARD_COUNT=2 with SHARD_IDS=0 and SHARD_IDS=1', () => {
  it('each answers in its own guilds, only shard 0 polls the feeds, and a story added through one is quoted by the other', { timeout: 240_000 }, async () => {
    const discord = (fake = await startFakeDiscord({ token: TOKEN, shards: 2, timeoutMs: 60_000 }));
    const env = {
      ...sharedEnv(discord),
      SHARD_COUNT: '2',
      ADMIN_USER_IDS: discord.userId,
      ALLOW_PRIVATE_URLS: 'true',
      FEEDS: `${pages.base}/no-such-feed.rss`, // fails: the log says which process polled it
    };
    const shard: Spawned[] = [];
    // One after the other: the first builds the shared index, the second loads it.
    shard[0] = spawnProject('src/discord/bot.ts', [], { cwd: tempDir(), env: { ...env, SHARD_IDS: '0' } });
    await shard[0].waitForOutput(/"msg":"ready"/, BOOT_MS);
    shard[1] = spawnProject('src/discord/bot.ts', [], { cwd: tempDir(), env: { ...env, SHARD_IDS: '1' } });
    await shard[1].waitForOutput(/"msg":"ready"/, BOOT_MS);
    expect(discord.identifies.map((identify) => identify.shard)).toEqual([
      [0, 2],
      [1, 2],
    ]);

    const asked = await askOnBothShards(discord);
    await Promise.all(asked.map((ix, holder) => logged(shard[holder]!, ix)));
    asked.forEach((ix, holder) => {
      const other = 1 - holder;
      expect(interactionLogs(shard[holder]!.stdout, ix)).toEqual([expect.objectContaining({ shards: [holder], guild: GUILD_ON_SHARD[holder] })]);
      expect(interactionLogs(shard[other]!.stdout, ix)).toEqual([]);
    });

    // Feeds are polled by shard 0's process alone. Each process logs "start-up feed poll over"
    // once its start-up poll is done (or left to another process): a poll it made is logged before.
    await Promise.all(shard.map((process) => process.waitForOutput(/"msg":"start-up feed poll over"/)));
    const ready = shard.map((process) => logLines(process.stdout).find((line) => line['msg'] === 'ready'));
    expect(ready).toEqual([
      expect.objectContaining({ shards: [0], shardCount: 2, pollsFeeds: true }),
      expect.objectContaining({ shards: [1], shardCount: 2, pollsFeeds: false }),
    ]);
    const pollOver = shard.map((process) => logLines(process.stdout).filter((line) => line['msg'] === 'start-up feed poll over'));
    expect(pollOver).toEqual([[expect.objectContaining({ feeds: 1, polled: 1, pollsHere: true })], [expect.objectContaining({ feeds: 1, polled: 0, pollsHere: false })]]);
    expect(shard[0].stdout).toMatch(/"msg":"feed could not be read; will try again on the next poll"/);
    expect(shard[1].stdout).not.toMatch(/feed could not be read/);
    expect(pages.hitsOf('/no-such-feed.rss')).toBe(1);
    const feedsOnShard1 = await discord.sendCommand({ name: 'story', options: [{ name: 'feeds', type: 1 }], guildId: GUILD_ON_SHARD[1], permissions: '0' }).reply();
    expect(feedsOnShard1.content).toContain('polled by another of my processes (the one connected to shard 0)');

    // An admin adds a story in shard 1's guild; shard 0's process reloads the shared index and quotes it.
    const ferry = expectedPage('opengraph-only');
    const admin = { guildId: GUILD_ON_SHARD[1], permissions: '0' };
    const add = discord.sendCommand({ name: 'story', options: [{ name: 'add', type: 1, options: [{ name: 'url', type: 3, value: `${pages.base}/opengraph-only.html` }] }], ...admin });
    const preview = await add.reply();
    const addButton = (preview.components ?? []).flatMap((row) => (row as { components: Array<{ label: string; custom_id: string }> }).components).find((button) => button.label === 'Add');
    expect(addButton, JSON.stringify(preview)).toBeDefined();
    const reloaded = shard[0].waitForOutput(/"msg":"index reloaded"/, BOOT_MS);
    const added = await discord.sendButton({ customId: addButton!.custom_id, message: add.original!, ...admin }).reply((body) => /^(Added|Nothing was added)/.test(body.content ?? ''));
    expect(added.content).toMatch(/^Added /);
    await reloaded;
    const onShard0 = discord.sendCommand({ ...askCommand('How much is the fare on the late boats for adults?'), guildId: GUILD_ON_SHARD[0] });
    const [top] = embedsOf(await onShard0.reply());
    expect(top?.title).toBe(ferry.titles[0]);
    await logged(shard[0], onShard0);
    expect(interactionLogs(shard[0].stdout, onShard0)).toHaveLength(1);

    for (const process of shard) process.child.kill('SIGTERM');
    expect(await Promise.all(shard.map((process) => process.exited))).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    for (const process of shard) {
      expect(process.stderr).not.toMatch(STACK_LINE);
      expect(process.stdout + process.stderr).not.toContain(TOKEN);
    }
  });
});

describe('`npm run start:shards`: discord.js ShardingManager, SHARD_COUNT=auto', () => {
  it("starts one process per recommended shard; each answers its guilds; SIGTERM stops them all and exits 0", { timeout: 240_000 }, async () => {
    const discord = (fake = await startFakeDiscord({ token: TOKEN, shards: 2, timeoutMs: 60_000 }));
    const launcher = spawnProject('src/discord/shard-launcher.ts', [], { cwd: tempDir(), env: { ...sharedEnv(discord), SHARD_COUNT: 'auto' } });
    await launcher.waitForOutput(/"msg":"all shard processes ready"/, 2 * BOOT_MS);
    expect(discord.identifies.map((identify) => identify.shard)).toEqual([
      [0, 2],
      [1, 2],
    ]);

    const asked = await askOnBothShards(discord);
    await Promise.all(asked.map((ix) => logged(launcher, ix)));
    // The shard processes write to the launcher's output; each line names its shards.
    asked.forEach((ix, holder) => expect(interactionLogs(launcher.stdout, ix)).toEqual([expect.objectContaining({ shards: [holder] })]));

    launcher.child.kill('SIGTERM');
    expect(await launcher.exited).toEqual({ code: 0, signal: null });
    const logs = logLines(launcher.stdout);
    expect(logs.filter((line) => line['msg'] === 'disconnected').map((line) => line['shards'])).toEqual(expect.arrayContaining([[0], [1]]));
    expect(logs.at(-1)).toMatchObject({ msg: 'all shard processes stopped' });
    expect(launcher.stderr).not.toMatch(STACK_LINE);
    expect(launcher.stdout + launcher.stderr).not.toContain(TOKEN);
  });
});

describe('resolveShardPlan', () => {
  const config = (discord: FakeDiscord, shards: Pick<BotConfig, 'shardCount' | 'shardIds'>) => ({ discordToken: discord.token, apiBase: discord.apiBase, ...shards });

  it('none without SHARD_COUNT; all shards of a count; the given ones; auto asks GET /gateway/bot through DISCORD_API_BASE', async () => {
    const discord = (fake = await startFakeDiscord({ token: TOKEN, shards: 3 }));
    expect(await resolveShardPlan(config(discord, {}))).toBeUndefined();
    expect(await resolveShardPlan(config(discord, { shardCount: 2 }))).toEqual({ ids: [0, 1], count: 2 });
    expect(await resolveShardPlan(config(discord, { shardCount: 4, shardIds: [2, 3] }))).toEqual({ ids: [2, 3], count: 4 });
    expect(await resolveShardPlan(config(discord, { shardCount: 'auto' }))).toEqual({ ids: [0, 1, 2], count: 3 });
  });

  it('auto with a token Discord refuses: one sentence, without the token', async () => {
    const discord = (fake = await startFakeDiscord({ token: TOKEN }));
    const refused = resolveShardPlan({ ...config(discord, { shardCount: 'auto' }), discordToken: 'a-token-discord-does-not-know-at-all' });
    await expect(refused).rejects.toThrow(/^Discord refused DISCORD_TOKEN: reset the token in the developer portal \(Bot -> Reset Token\) and put the new one in \.env\.$/);
  });
});
