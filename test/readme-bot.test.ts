// The self-hoster's path, exactly as README.md's "Run the bot" tells it, on a fresh clone: copy
// .env.example to .env, fill in only what the README says (token and application id, plus the
// REST base of the fake Discord standing in for discord.com), register the commands, then
// `npm start`, `npm run start:shards` and the two-host shard lines through a real shell, each
// answering a question.
// The command lines are read from README.md's sh blocks.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { unescapeMarkdown } from '../src/answer/discord.js';
import { EXIT_CONFIG } from '../src/errors.js';
import { askCommand, embedsOf } from './helpers/bot-harness.js';
import { fillEnvFile, tempCheckout } from './helpers/checkout.js';
import { killChildren, spawnShell, type Spawned } from './helpers/processes.js';
import { blockUnder, commandsUnder } from './helpers/readme.js';
import { guildIdOnShard, startFakeDiscord, type FakeDiscord, type InteractionHandle } from './fake-discord.js';

const TOKEN = 'fake-bot-token-for-the-readme-tests';
/** In the shipped story. */
const QUESTION = 'Who took photographs of the meeting?';
const QUOTE = 'A Russian photographer took photos';
/** The first start builds the index with the real model on a shared machine. */
const BOOT_MS = 240_000;

let fake: FakeDiscord;
let checkout: string;
const run = (line: string) => spawnShell(line, { cwd: checkout });

beforeAll(async () => {
  fake = await startFakeDiscord({ token: TOKEN, timeoutMs: 60_000 });
  checkout = tempCheckout();
  const [copy, ...rest] = commandsUnder('### 2. Configure `.env`');
  expect(rest).toEqual([]);
  const copied = run(copy!);
  expect(await copied.exited).toEqual({ code: 0, signal: null });
});
afterEach(async () => {
  await killChildren();
});
afterAll(async () => {
  await fake.close();
});

/** Asks in a guild (default: the fake's own); the reply quotes the shipped story. */
async function askAndExpectTheQuote(discord = fake, guildId?: string): Promise<InteractionHandle> {
  const asked = discord.sendCommand({ ...askCommand(QUESTION), ...(guildId ? { guildId } : {}) });
  const reply = await asked.reply();
  const shown = embedsOf(reply).map((embed) => unescapeMarkdown((embed.description ?? '').replace(/^> /gm, '').replace(/\*\*/g, '')));
  expect(shown.join('\n')).toContain(QUOTE);
  return asked;
}

/**
 * Ctrl-C in the terminal: SIGINT to npm and everything under it. The bot finishes and disconnects
 * with nothing on stderr; npm then ends itself by the same signal (a shell shows status 130), as npm
 * does after any interrupted script.
 */
async function pressCtrlC(process: Spawned, lastLog: string): Promise<void> {
  const before = process.stdout.length;
  process.signal('SIGINT');
  expect(await process.exited).toEqual({ code: null, signal: 'SIGINT' });
  expect(process.stderr).toBe('');
  const logs = process.stdout
    .slice(before)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string });
  const said = logs.map((line) => line.msg);
  expect(logs.filter((line) => line.level >= 40), said.join(' | ')).toEqual([]); // no warning (a shard restarted) or error
  // A shard process and its launcher write to one pipe, in either order.
  expect(said, said.join(' | ')).toContain(lastLog);
  expect(process.stdout).not.toContain(TOKEN);
}

describe('README "Run the bot" on a fresh clone, with .env copied from .env.example', () => {
  it('as shipped, not filled in yet: `npm start` stops with one sentence about the token, with the exit code the README\'s systemd unit does not restart on', { timeout: BOOT_MS }, async () => {
    const [start] = commandsUnder('### 4. Start');
    const bot = run(start!);
    expect((await bot.exited).code).toBe(EXIT_CONFIG);
    expect(bot.stderr.trim()).toBe('DISCORD_TOKEN is still the placeholder from .env.example: fix it in .env (see .env.example).');
    expect(fake.identifies).toEqual([]);
    const unit = blockUnder('### Example systemd unit', 'ini');
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(new RegExp(`^RestartPreventExitStatus=${EXIT_CONFIG}$`, 'm'));
  });

  it('.env is .env.example with only the token, the application id and the REST base filled in', () => {
    // What the README says to fill ("### 1. Create the application"), and the fake's address.
    fillEnvFile(checkout, { DISCORD_TOKEN: fake.token, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase });
    const example = readFileSync(path.join(checkout, '.env.example'), 'utf8').split('\n');
    const env = readFileSync(path.join(checkout, '.env'), 'utf8').split('\n');
    expect(env.filter((line, at) => line !== example[at]).map((line) => line.split('=')[0])).toEqual(['DISCORD_TOKEN', 'DISCORD_APPLICATION_ID', 'DISCORD_API_BASE']);
  });

  it('3. `npm run deploy-commands`: in the guild when DISCORD_GUILD_ID is set, globally when empty; --clear removes them', { timeout: 240_000 }, async () => {
    const [inGuild, globally, clear, ...rest] = commandsUnder('### 3. Register the slash commands');
    expect(rest).toEqual([]);
    expect([inGuild, globally, clear]).toEqual([
      expect.stringMatching(/^npm run deploy-commands +# DISCORD_GUILD_ID set/),
      expect.stringMatching(/^npm run deploy-commands +# DISCORD_GUILD_ID empty/),
      expect.stringMatching(/^npm run deploy-commands -- --clear +#/),
    ]);
    const deploy = async (line: string) => {
      const deployed = run(line);
      expect(await deployed.exited, deployed.stderr).toEqual({ code: 0, signal: null });
      expect(deployed.stdout + deployed.stderr).not.toContain(TOKEN);
      return { said: deployed.stdout, put: fake.putCommands.at(-1) };
    };

    fillEnvFile(checkout, { DISCORD_GUILD_ID: fake.guildId });
    const guild = await deploy(inGuild!);
    expect(guild.put?.guildId).toBe(fake.guildId);
    const names = (guild.put?.body ?? []).map((command) => command['name']);
    expect(names).toEqual(expect.arrayContaining(['ask', 'sources', 'story']));
    expect(guild.said).toContain(`Registered /${names.join(', /')} in the server ${fake.guildId}`);

    fillEnvFile(checkout, { DISCORD_GUILD_ID: '' });
    const global = await deploy(globally!);
    expect(global.put?.guildId).toBeNull();
    expect(global.put?.body.map((command) => command['name'])).toEqual(names);
    expect(global.said).toContain('globally');

    const cleared = await deploy(clear!);
    expect(cleared.put).toEqual({ guildId: null, body: [] });
    expect(cleared.said).toContain('Removed all commands globally.');
  });

  it('4. `npm start` (no index yet: it builds one) answers /ask, and Ctrl-C stops it cleanly', { timeout: 2 * BOOT_MS }, async () => {
    const [start, ...rest] = commandsUnder('### 4. Start');
    expect(rest).toEqual([]);
    const bot = run(start!);
    await bot.waitForOutput(/"msg":"ready"/, BOOT_MS);
    expect(fake.identifies.at(-1)?.shard ?? [0, 1]).toEqual([0, 1]);
    await askAndExpectTheQuote();
    await pressCtrlC(bot, 'disconnected');
  });

  it('`npm run start:shards` (SHARD_COUNT empty: as many shards as Discord recommends) answers /ask, and Ctrl-C stops it cleanly', { timeout: 2 * BOOT_MS }, async () => {
    const [launcherLine] = commandsUnder('### Many servers: shards');
    expect(launcherLine).toMatch(/^npm run start:shards +#/);
    const identified = fake.identifies.length;
    const launcher = run(launcherLine!);
    await launcher.waitForOutput(/"msg":"all shard processes ready"/, BOOT_MS);
    expect(fake.identifies.slice(identified).map((identify) => identify.shard)).toEqual([[0, 1]]);
    await askAndExpectTheQuote();
    await pressCtrlC(launcher, 'all shard processes stopped');
  });

  it('two hosts, `SHARD_COUNT=4 SHARD_IDS=0,1 npm start` and `… SHARD_IDS=2,3 …` (one checkout standing in for shared storage): each answers in its shards\' guilds', { timeout: 2 * BOOT_MS }, async () => {
    const [, , firstHost, secondHost, ...rest] = commandsUnder('### Many servers: shards');
    expect(rest).toEqual([]);
    expect([firstHost, secondHost]).toEqual([expect.stringMatching(/^SHARD_COUNT=4 SHARD_IDS=0,1 npm start\b/), expect.stringMatching(/^SHARD_COUNT=4 SHARD_IDS=2,3 npm start\b/)]);
    // A Discord that recommends four shards; the environment wins over the .env's REST base.
    const fourShards = await startFakeDiscord({ token: TOKEN, shards: 4, timeoutMs: 60_000 });
    try {
      const hosts: Spawned[] = [];
      // One after the other, as the sharding tests do: were there no index yet, the first builds it.
      for (const line of [firstHost!, secondHost!]) {
        const host = spawnShell(line, { cwd: checkout, env: { DISCORD_API_BASE: fourShards.apiBase } });
        hosts.push(host);
        await host.waitForOutput(/"msg":"ready"/, BOOT_MS);
      }
      expect(fourShards.identifies.map((identify) => identify.shard).sort()).toEqual([
        [0, 4],
        [1, 4],
        [2, 4],
        [3, 4],
      ]);
      const asked = [];
      for (const shard of [1, 2]) asked.push(await askAndExpectTheQuote(fourShards, guildIdOnShard(shard, 4)));
      expect(asked.map((ix) => ix.deliveredOn)).toEqual([[1], [2]]);
      for (const host of hosts) await pressCtrlC(host, 'disconnected');
    } finally {
      await killChildren();
      await fourShards.close();
    }
  });
});
