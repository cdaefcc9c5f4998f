// Proves test/fake-discord.ts speaks enough Discord for the real discord.js client.
// The bot here is a tiny inline one, not the product bot.
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  HTTPError,
  MessageFlags,
  RESTEvents,
  type Interaction,
  type RateLimitData,
} from 'discord.js';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from './fake-discord.js';

interface TestBot {
  client: Client;
  /** Errors thrown by the interaction handler, in order. */
  errors: Array<unknown>;
  nextError(): Promise<unknown>;
}

let discord: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  // destroy first: a client left connected keeps reconnecting to a closed server
  await client?.destroy();
  await discord?.close();
  client = undefined;
  discord = undefined;
});

function askRow(): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId('more').setLabel('More').setStyle(ButtonStyle.Primary),
  );
}

async function handle(interaction: Interaction): Promise<void> {
  if (interaction.isAutocomplete()) {
    const typed = interaction.options.getFocused();
    await interaction.respond([
      { name: `${typed} in 2024?`, value: `${typed} in 2024?` },
      { name: `${typed} today?`, value: `${typed} today?` },
    ]);
  } else if (interaction.isChatInputCommand() && interaction.commandName === 'ping') {
    await interaction.reply({ content: 'pong', flags: MessageFlags.Ephemeral });
  } else if (interaction.isChatInputCommand()) {
    const question = interaction.options.getString('question', true);
    const isPrivate = interaction.options.getBoolean('private') ?? false;
    await interaction.deferReply(isPrivate ? { flags: MessageFlags.Ephemeral } : {});
    await interaction.editReply({
      content: `You asked: ${question}`,
      components: [askRow()],
      allowedMentions: { parse: [] },
    });
  } else if (interaction.isButton()) {
    await interaction.update({ content: 'More detail', components: [] });
  }
}

async function start(options: FakeDiscordOptions = {}): Promise<{ fake: FakeDiscord; bot: TestBot }> {
  const fake = await startFakeDiscord(options);
  discord = fake;
  const botClient = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: fake.apiBase, retries: 0, timeout: 2000 },
  });
  client = botClient;
  const errors: unknown[] = [];
  const errorWaiters: Array<(error: unknown) => void> = [];
  botClient.on(Events.InteractionCreate, (interaction) => {
    handle(interaction).catch((error: unknown) => {
      errors.push(error);
      errorWaiters.shift()?.(error);
    });
  });
  const ready = once(botClient, Events.ClientReady);
  await botClient.login(fake.token);
  await ready;
  const nextError = (): Promise<unknown> =>
    errors.length > 0 ? Promise.resolve(errors.shift()) : new Promise((resolve) => errorWaiters.push(resolve));
  return { fake, bot: { client: botClient, errors, nextError } };
}

const ask = (question: string, extra: Array<{ name: string; type: number; value: boolean }> = []) => ({
  name: 'ask',
  options: [{ name: 'question', type: 3, value: question }, ...extra],
});

describe('fake Discord with the real discord.js client', () => {
  it('logs in: gateway/bot over REST, IDENTIFY with the token, READY', async () => {
    const { fake, bot } = await start({ token: 'secret-token' });
    const identify = await fake.waitForIdentify();
    expect(identify.token).toBe('secret-token');
    expect(identify.intents).toBe(GatewayIntentBits.Guilds);
    expect(bot.client.user?.id).toBe(fake.botUserId);
    expect(bot.client.application?.id).toBe(fake.applicationId);
    const gatewayRequest = fake.requests.find((request) => request.path === '/gateway/bot');
    expect(gatewayRequest?.authorization).toBe('Bot secret-token');
  });

  it('answers heartbeats so the shard stays up', async () => {
    const { fake, bot } = await start({ heartbeatIntervalMs: 100 });
    // Waits for beats instead of a fixed window, so a slow machine cannot make this flaky.
    await vi.waitFor(() => expect(fake.heartbeats).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 50 });
    expect(bot.client.ws.ping).toBeGreaterThanOrEqual(0);
    expect(fake.identifies).toHaveLength(1); // no zombie reconnects
  });

  it('command -> deferReply -> editReply', async () => {
    const { fake } = await start();
    const ix = fake.sendCommand(ask('Who won?'));
    expect(await ix.callback()).toEqual({ type: 5, data: { flags: 0 } });
    const reply = await ix.reply();
    expect(reply.content).toBe('You asked: Who won?');
    expect(reply.allowed_mentions).toEqual({ parse: [] });
    expect(reply.components?.[0]).toMatchObject({ type: 1, components: [{ type: 2, custom_id: 'more' }] });
    expect(ix.original?.content).toBe('You asked: Who won?');
    const patch = fake.requests.find((request) => request.method === 'PATCH');
    expect(patch?.path).toBe(`/webhooks/${fake.applicationId}/${ix.token}/messages/@original`);
    expect(patch?.status).toBe(200);
  });

  it('ephemeral: flags 64 on deferReply and on reply, also from a DM', async () => {
    const { fake } = await start();
    const deferred = fake.sendCommand(ask('Secret?', [{ name: 'private', type: 5, value: true }]));
    expect(await deferred.callback()).toEqual({ type: 5, data: { flags: 64 } });
    await deferred.reply();
    expect(deferred.original?.flags).toBe(64); // the edit cleared "loading" but kept ephemeral

    const ping = fake.sendCommand({ name: 'ping', guildId: null });
    const callback = await ping.callback();
    expect(callback.type).toBe(4);
    expect(callback.data?.flags).toBe(64);
    expect((await ping.reply()).content).toBe('pong');
  });

  it('button -> update (callback type 7) on the message that carried it', async () => {
    const { fake } = await start();
    const command = fake.sendCommand(ask('Who won?'));
    await command.reply();
    const press = fake.sendButton({ customId: 'more', message: command.original! });
    const callback = await press.callback();
    expect(callback).toMatchObject({ type: 7, data: { content: 'More detail', components: [] } });
    expect(command.original?.content).toBe('More detail');
  });

  it('autocomplete -> respond (callback type 8 with choices)', async () => {
    const { fake } = await start();
    const ix = fake.sendAutocomplete({
      name: 'ask',
      options: [{ name: 'question', type: 3, value: 'Who won', focused: true }],
    });
    expect(await ix.callback()).toEqual({
      type: 8,
      data: {
        choices: [
          { name: 'Who won in 2024?', value: 'Who won in 2024?' },
          { name: 'Who won today?', value: 'Who won today?' },
        ],
      },
    });
  });

  it('a 500 on the editReply PATCH reaches the bot as an HTTPError', async () => {
    const { fake, bot } = await start();
    fake.failNext({ method: 'PATCH', path: '/messages/@original', status: 500 });
    const ix = fake.sendCommand(ask('Who won?'));
    expect((await ix.callback()).type).toBe(5);
    const error = await bot.nextError();
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).status).toBe(500);
    expect(ix.edits).toHaveLength(0);
  });

  it('a 429 is waited out and retried by discord.js', async () => {
    const { fake, bot } = await start();
    const rateLimits: RateLimitData[] = [];
    bot.client.rest.on(RESTEvents.RateLimited, (info) => rateLimits.push(info));
    fake.failNext({ method: 'PATCH', path: /@original$/, status: 429, times: 2, retryAfter: 0.1 });
    const ix = fake.sendCommand(ask('Who won?'));
    expect((await ix.reply()).content).toBe('You asked: Who won?');
    const patches = fake.requests.filter((request) => request.method === 'PATCH').map((request) => request.status);
    expect(patches).toEqual([429, 429, 200]);
    expect(rateLimits.length).toBeGreaterThanOrEqual(1);
    expect(bot.errors).toEqual([]);
  });

  it('gateway drop -> the client resumes and handles the next interaction', async () => {
    const { fake } = await start();
    expect(await fake.dropGateway()).toBe('resumed');
    const ix = fake.sendCommand(ask('Still there?'));
    expect((await ix.reply()).content).toBe('You asked: Still there?');
    expect(fake.identifies).toHaveLength(1);
  });

  it('an interaction sent while the gateway is down is delivered on resume', async () => {
    const { fake } = await start();
    const back = fake.dropGateway();
    const ix = fake.sendCommand(ask('Missed me?'));
    expect(await back).toBe('resumed');
    expect((await ix.reply()).content).toBe('You asked: Missed me?');
  });

  it('a refused RESUME makes the client IDENTIFY again', { timeout: 15_000 }, async () => {
    const { fake } = await start();
    expect(await fake.dropGateway({ resumable: false })).toBe('identified');
    expect(fake.identifies).toHaveLength(2);
    const ix = fake.sendCommand(ask('New session?'));
    expect((await ix.reply()).content).toBe('You asked: New session?');
  });

  it('records command registration and gives the commands ids', async () => {
    const { fake, bot } = await start();
    const definition = {
      name: 'ask',
      description: 'Ask about the story',
      options: [{ name: 'question', description: 'Your question', type: 3, required: true }],
    };
    const global = await bot.client.application!.commands.set([definition]);
    const inGuild = await bot.client.application!.commands.set([definition], fake.guildId);
    expect(fake.putCommands.map((put) => put.guildId)).toEqual([null, fake.guildId]);
    expect(fake.putCommands[0]?.body[0]).toMatchObject({ name: 'ask', description: 'Ask about the story' });
    expect(global.first()?.id).toMatch(/^\d+$/);
    // the guild command's id shows up in later interactions
    const ix = fake.sendCommand(ask('Which id?'));
    expect((ix.payload['data'] as { id: string }).id).toBe(inGuild.first()?.id);
    await ix.reply();
  });

  it('unknown routes answer a Discord-shaped 404', async () => {
    const { bot } = await start();
    const error = await bot.client.rest.get('/channels/1/pins').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).status).toBe(404);
    expect((error as DiscordAPIError).message).toMatch(/does not serve GET \/channels\/1\/pins/);
  });

  it('handles time out with a clear error instead of hanging', async () => {
    discord = await startFakeDiscord({ timeoutMs: 100 });
    const ix = discord.sendCommand(ask('Anyone?')); // no client connected
    await expect(ix.callback()).rejects.toThrow(/timed out after 100 ms waiting for the callback/);
  });
});
