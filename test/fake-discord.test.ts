// Proves test/fake-discord.ts speaks enough Discord for the real discord.js client.
// The bot here is a tiny inline one, not the product bot.
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ActionRowBuilder,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  ContextMenuCommandBuilder,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  HTTPError,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  RESTEvents,
  Routes,
  SlashCommandBuilder,
  type Interaction,
  type RateLimitData,
} from 'discord.js';
import { guildIdOnShard, shardOf, startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from './fake-discord.js';

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
  } else if (interaction.isMessageContextMenuCommand()) {
    await interaction.reply({ content: `Quoted: ${interaction.targetMessage.content}`, flags: MessageFlags.Ephemeral });
  }
}

/** The next interaction the client emits (registered before the fake sends it). */
function nextInteraction(bot: TestBot): Promise<Interaction> {
  return once(bot.client, Events.InteractionCreate).then(([interaction]) => interaction as Interaction);
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

  it('member permissions per actor; none in DMs', async () => {
    const { fake, bot } = await start();
    const cases: Array<{ permissions?: string; manageGuild: boolean }> = [
      { manageGuild: false }, // the default: an ordinary member's permissions (no Manage Guild, no Administrator)
      { permissions: '0', manageGuild: false },
      { permissions: String(PermissionFlagsBits.ManageGuild), manageGuild: true },
    ];
    for (const { permissions, manageGuild } of cases) {
      const seen = nextInteraction(bot);
      const ix = fake.sendCommand({ name: 'ping', ...(permissions === undefined ? {} : { permissions }) });
      const interaction = await seen;
      expect(interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(manageGuild);
      expect(interaction.memberPermissions?.has(PermissionFlagsBits.Administrator)).toBe(false);
      expect((ix.payload['member'] as { permissions: string }).permissions).toBe(permissions ?? '2248473465835073');
      await ix.reply();
    }
    const seen = nextInteraction(bot);
    const dm = fake.sendCommand({ name: 'ping', guildId: null, permissions: String(PermissionFlagsBits.ManageGuild) });
    const interaction = await seen;
    expect(interaction.memberPermissions).toBeNull();
    expect(dm.payload['member']).toBeUndefined();
    await dm.reply();
  });

  it('message context-menu command: targetMessage, registered id, reply', async () => {
    const { fake, bot } = await start();
    const registered = await bot.client.application!.commands.set(
      [
        { name: 'Quote this', type: ApplicationCommandType.Message },
        { name: 'quote this', description: 'A slash command with a similar name', type: ApplicationCommandType.ChatInput },
      ],
      fake.guildId,
    );
    const seen = nextInteraction(bot);
    const ix = fake.sendMessageCommand({
      name: 'Quote this',
      target: { id: '123456789012345678', content: 'The bridge closes in July.', authorId: '42', authorName: 'reporter' },
    });
    const interaction = await seen;
    expect(interaction.isMessageContextMenuCommand()).toBe(true);
    if (!interaction.isMessageContextMenuCommand()) return;
    expect(interaction.targetMessage.content).toBe('The bridge closes in July.');
    expect(interaction.targetId).toBe('123456789012345678');
    expect(interaction.targetMessage.id).toBe('123456789012345678');
    expect(interaction.targetMessage.author.id).toBe('42');
    expect(interaction.targetMessage.author.username).toBe('reporter');
    expect(interaction.targetMessage.channelId).toBe(fake.channelId);
    expect(interaction.commandName).toBe('Quote this');
    expect(interaction.commandId).toBe(registered.find((command) => command.type === ApplicationCommandType.Message)?.id);
    expect(interaction.commandGuildId).toBe(fake.guildId);
    expect(await ix.callback()).toMatchObject({ type: 4, data: { content: 'Quoted: The bridge closes in July.', flags: 64 } });

    // not registered: a made-up command id, made-up target id and author
    const seenUnregistered = nextInteraction(bot);
    const unregistered = fake.sendMessageCommand({ name: 'Other', target: { content: 'hello' }, guildId: null });
    const other = await seenUnregistered;
    expect(other.isMessageContextMenuCommand() && other.targetMessage.content).toBe('hello');
    const data = unregistered.payload['data'] as { id: string; type: number; target_id: string; resolved: { messages: Record<string, { author: { id: string } }> } };
    expect(data.type).toBe(3);
    expect(data.id).toMatch(/^\d+$/);
    expect(registered.has(data.id)).toBe(false);
    expect(data.resolved.messages[data.target_id]?.author.id).toMatch(/^\d+$/);
    expect((await unregistered.reply()).content).toBe('Quoted: hello');
  });

  it('channel messages: POSTs are recorded and answered with a message from the bot', async () => {
    const { fake, bot } = await start();
    const news = '987654321098765432';
    const answer = (await bot.client.rest.post(Routes.channelMessages(news), {
      body: { content: 'Breaking', embeds: [{ title: 'Story' }], allowed_mentions: { parse: [] } },
    })) as { id: string; channel_id: string; content: string; author: { id: string; bot?: boolean }; embeds: unknown[] };
    expect(answer).toMatchObject({ channel_id: news, content: 'Breaking', embeds: [{ title: 'Story' }], author: { id: fake.botUserId, bot: true } });
    expect(answer.id).toMatch(/^\d+$/);
    expect(fake.channelMessages).toHaveLength(1);
    expect(fake.channelMessages[0]).toMatchObject({
      channelId: news,
      body: { content: 'Breaking', allowed_mentions: { parse: [] } },
      message: { id: answer.id },
    });
    const later = fake.waitForChannelMessage((message) => message.body.content === 'Second');
    await bot.client.rest.post(Routes.channelMessages(fake.channelId), { body: { content: 'Second' } });
    expect((await later).channelId).toBe(fake.channelId);
    expect((await fake.waitForChannelMessage()).body.content).toBe('Breaking'); // already there: at once
  });

  it('channels.fetch needs the guild cached: null by default, a TextChannel with sendGuildCreate', async () => {
    const news = '987654321098765432';
    {
      const { bot } = await start();
      // discord.js drops channels of guilds it has not cached (no GUILD_CREATE by default)
      expect(await bot.client.channels.fetch(news)).toBeNull();
      await client?.destroy();
      await discord?.close();
    }
    const { fake, bot } = await start({ sendGuildCreate: true });
    expect(bot.client.guilds.cache.get(fake.guildId)?.name).toBe('Fake Guild');
    const channel = await bot.client.channels.fetch(news);
    expect(channel?.type).toBe(ChannelType.GuildText);
    if (channel?.type !== ChannelType.GuildText) return;
    expect(channel.name).toBe('news');
    expect(channel.guildId).toBe(fake.guildId);
    const get = fake.requests.find((request) => request.method === 'GET' && request.path === `/channels/${news}`);
    expect(get?.status).toBe(200);
    const sent = await channel.send({ content: 'Update', allowedMentions: { parse: [] } });
    expect(sent.author.id).toBe(fake.botUserId);
    expect(sent.channelId).toBe(news);
    expect(await fake.waitForChannelMessage()).toMatchObject({ channelId: news, body: { content: 'Update', allowed_mentions: { parse: [] } } });
    // the default channel comes with GUILD_CREATE; interactions then come from a cached guild
    expect(bot.client.channels.cache.get(fake.channelId)).toMatchObject({ name: 'general' });
    const seen = nextInteraction(bot);
    const ix = fake.sendCommand(ask('Cached?'));
    expect((await seen).inCachedGuild()).toBe(true);
    expect((await ix.reply()).content).toBe('You asked: Cached?');
    // a message command in a cached channel goes through channel.messages
    const seenQuote = nextInteraction(bot);
    const quote = fake.sendMessageCommand({ name: 'Quote this', target: { content: 'In the cache' } });
    const quoted = await seenQuote;
    expect(quoted.isMessageContextMenuCommand() && quoted.targetMessage.channel.id).toBe(fake.channelId);
    expect((await quote.reply()).content).toBe('Quoted: In the cache');
  });

  it('failNext targets channel routes: POST messages, GET channel', async () => {
    const { fake, bot } = await start({ sendGuildCreate: true });
    const news = '987654321098765432';
    fake.failNext({
      method: 'POST',
      path: `/channels/${news}/messages`,
      status: 403,
      times: Infinity,
      body: { message: 'Missing Permissions', code: 50013 },
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await bot.client.rest
        .post(Routes.channelMessages(news), { body: { content: 'x', allowed_mentions: { parse: [] } } })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DiscordAPIError);
      expect((error as DiscordAPIError).code).toBe(50013);
    }
    expect(fake.channelMessages).toHaveLength(0);
    expect(fake.requests.filter((request) => request.path === `/channels/${news}/messages`).map((request) => request.status)).toEqual([403, 403]);
    await bot.client.rest.post(Routes.channelMessages(fake.channelId), { body: { content: 'other channel' } });
    expect(fake.channelMessages.map((message) => message.channelId)).toEqual([fake.channelId]);

    fake.failNext({ method: 'GET', path: new RegExp(`^/channels/${news}$`), status: 404, body: { message: 'Unknown Channel', code: 10003 } });
    const error = await bot.client.channels.fetch(news).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(10003);
    expect((await bot.client.channels.fetch(news))?.id).toBe(news); // only the next one failed
  });

  it('command registration keeps default_member_permissions, contexts, type and integration_types', async () => {
    const { fake, bot } = await start();
    const story = new SlashCommandBuilder()
      .setName('story')
      .setDescription('Manage stories')
      .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
      .setContexts(InteractionContextType.Guild)
      .setIntegrationTypes(ApplicationIntegrationType.GuildInstall);
    const quote = new ContextMenuCommandBuilder().setName('Quote this').setType(ApplicationCommandType.Message);
    const plain = { name: 'ask', description: 'Ask' };
    const route = Routes.applicationGuildCommands(fake.applicationId, fake.guildId);
    const answered = (await bot.client.rest.put(route, { body: [story.toJSON(), quote.toJSON(), plain] })) as Array<Record<string, unknown>>;
    const sent = fake.putCommands[0]?.body ?? [];
    expect(sent.find((command) => command['name'] === 'story')).toMatchObject({
      type: 1,
      default_member_permissions: String(PermissionFlagsBits.ManageGuild),
      contexts: [InteractionContextType.Guild],
      integration_types: [ApplicationIntegrationType.GuildInstall],
    });
    expect(sent.find((command) => command['name'] === 'Quote this')).toMatchObject({ type: ApplicationCommandType.Message });
    // what the fake stores and answers keeps them too; unset permissions read back as null
    const stored = (await bot.client.rest.get(route)) as Array<Record<string, unknown>>;
    for (const commands of [answered, stored]) {
      expect(commands.find((command) => command['name'] === 'story')).toMatchObject({
        type: 1,
        default_member_permissions: '32',
        contexts: [0],
        integration_types: [0],
        guild_id: fake.guildId,
      });
      expect(commands.find((command) => command['name'] === 'Quote this')).toMatchObject({ type: 3 });
      expect(commands.find((command) => command['name'] === 'ask')).toMatchObject({ type: 1, default_member_permissions: null });
    }
    // the same through discord.js's own manager
    await bot.client.application!.commands.set([{ name: 'story', description: 'Manage', defaultMemberPermissions: PermissionFlagsBits.ManageGuild }]);
    expect(fake.putCommands[1]).toMatchObject({ guildId: null, body: [{ name: 'story', default_member_permissions: '32' }] });
  });

  it('interactions from another guild carry that guild id everywhere', async () => {
    const { fake, bot } = await start();
    const otherGuild = '111111111111111111';
    const [registered] = (await bot.client.rest.put(Routes.applicationGuildCommands(fake.applicationId, otherGuild), {
      body: [{ name: 'ask', description: 'Ask', options: [{ name: 'question', description: 'Q', type: 3 }] }],
    })) as Array<{ id: string }>;
    const seen = nextInteraction(bot);
    const ix = fake.sendCommand({ ...ask('Elsewhere?'), guildId: otherGuild, channelId: '222222222222222222' });
    const interaction = await seen;
    expect(interaction.guildId).toBe(otherGuild);
    expect(interaction.channelId).toBe('222222222222222222');
    expect(interaction.inGuild()).toBe(true);
    expect(interaction.member?.user.id).toBe(fake.userId);
    expect(interaction.authorizingIntegrationOwners[ApplicationIntegrationType.GuildInstall]).toBe(otherGuild);
    expect(interaction.isChatInputCommand() && interaction.commandId).toBe(registered?.id); // that guild's command
    expect(ix.payload).toMatchObject({ guild_id: otherGuild, channel: { guild_id: otherGuild }, authorizing_integration_owners: { '0': otherGuild } });
    expect((await ix.reply()).content).toBe('You asked: Elsewhere?');
    // the default guild does not see the other guild's command
    const home = fake.sendCommand(ask('Home?'));
    expect((home.payload['data'] as { id: string }).id).not.toBe(registered?.id);
    await home.reply();
  });

  it('waitForChannelMessage times out with a clear error', async () => {
    discord = await startFakeDiscord({ timeoutMs: 100 });
    await expect(discord.waitForChannelMessage()).rejects.toThrow(/timed out after 100 ms waiting for a matching channel message/);
  });

  it('handles time out with a clear error instead of hanging', async () => {
    discord = await startFakeDiscord({ timeoutMs: 100 });
    const ix = discord.sendCommand(ask('Anyone?')); // no client connected
    await expect(ix.callback()).rejects.toThrow(/timed out after 100 ms waiting for the callback/);
  });
});

describe('fake Discord with sharded clients', () => {
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((shardClient) => shardClient.destroy()));
  });

  /** A client connecting `shards` of `shardCount`, as one shard process of a bot would; it records what it receives. */
  async function connect(fake: FakeDiscord, shards: number[], shardCount: number) {
    const shardClient = new Client({ intents: [GatewayIntentBits.Guilds], shards, shardCount, rest: { api: fake.apiBase, retries: 0, timeout: 2000 } });
    clients.push(shardClient);
    const received: string[] = [];
    shardClient.on(Events.InteractionCreate, (interaction) => {
      received.push(interaction.id);
      if (interaction.isRepliable()) void interaction.reply({ content: `shards ${shards.join(',')}`, flags: MessageFlags.Ephemeral });
    });
    const ready = once(shardClient, Events.ClientReady);
    await shardClient.login(fake.token);
    await ready;
    return { received, guilds: () => [...shardClient.guilds.cache.keys()] };
  }

  it("Discord's formula: (guild_id >> 22) % shard_count; DMs on shard 0", () => {
    // 41771983423143937 >> 22 = 9959216934 (the id's milliseconds since 2015).
    expect(shardOf('41771983423143937', 1)).toBe(0);
    expect(shardOf('41771983423143937', 2)).toBe(0);
    expect(shardOf('41771983423143937', 4)).toBe(2);
    expect(shardOf('41771983423143937', 5)).toBe(4);
    expect(shardOf(null, 4)).toBe(0);
    for (const count of [1, 2, 3, 16]) {
      for (let shard = 0; shard < count; shard++) {
        expect(shardOf(guildIdOnShard(shard, count), count)).toBe(shard);
        expect(guildIdOnShard(shard, count, 2)).not.toBe(guildIdOnShard(shard, count, 1));
      }
    }
  });

  it('GET /gateway/bot recommends the configured shard count', async () => {
    discord = await startFakeDiscord({ shards: 3 });
    const response = await fetch(`${discord.apiBase}/v10/gateway/bot`, { headers: { authorization: `Bot ${discord.token}` } });
    expect(await response.json()).toMatchObject({ url: discord.gatewayUrl, shards: 3 });
  });

  it("routes each guild's interactions to the one connection that holds its shard", async () => {
    const fake = await startFakeDiscord({ shards: 2 });
    discord = fake;
    const shard0 = await connect(fake, [0], 2);
    const shard1 = await connect(fake, [1], 2);
    expect(fake.identifies.map((identify) => identify.shard)).toEqual([
      [0, 2],
      [1, 2],
    ]);

    const onShard0 = fake.sendCommand({ ...ask('Here?'), guildId: guildIdOnShard(0, 2) });
    const onShard1 = fake.sendCommand({ ...ask('There?'), guildId: guildIdOnShard(1, 2) });
    const inDm = fake.sendCommand({ ...ask('Privately?'), guildId: null });
    expect((await onShard0.reply()).content).toBe('shards 0');
    expect((await onShard1.reply()).content).toBe('shards 1');
    expect((await inDm.reply()).content).toBe('shards 0');
    expect([onShard0.deliveredOn, onShard1.deliveredOn, inDm.deliveredOn]).toEqual([[0], [1], [0]]);
    expect(shard0.received).toEqual([onShard0.id, inDm.id]);
    expect(shard1.received).toEqual([onShard1.id]);
  });

  it("holds a guild's interactions until its shard connects, and sends GUILD_CREATE only there", async () => {
    const fake = await startFakeDiscord({ shards: 2, sendGuildCreate: true });
    discord = fake;
    const home = shardOf(fake.guildId, 2);
    const other = 1 - home;
    const early = fake.sendCommand({ ...ask('Anyone?'), guildId: guildIdOnShard(other, 2) });
    const first = await connect(fake, [home], 2);
    expect(first.guilds()).toEqual([fake.guildId]);
    expect(early.deliveredOn).toEqual([]); // its shard is not connected yet
    const second = await connect(fake, [other], 2);
    expect((await early.reply()).content).toBe(`shards ${other}`);
    expect(early.deliveredOn).toEqual([other]);
    expect(second.guilds()).toEqual([]);
  });
});
