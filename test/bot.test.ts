// The product bot (startBot) with the real discord.js client against test/fake-discord.ts,
// a temporary copy of the fixture corpus and the fake embedder: offline, no model needed.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DISCORD_LIMITS, unescapeMarkdown } from '../src/answer/discord.js';
import { startBot } from '../src/discord/bot-runtime.js';
import { commandDefinitions } from '../src/discord/commands/index.js';
import { deployCommands } from '../src/discord/deploy.js';
import type { LiveIndex, ReloadEvent } from '../src/discord/live-index.js';
import type { Embedder } from '../src/embed/index.js';
import { CURRENT_FILE } from '../src/index/index.js';
import { createLogger } from '../src/log.js';
import { buildIndexFromCorpus } from '../src/pipeline.js';
import { loadCoreConfig } from '../src/config.js';
import { tempDir, writeStory } from './helpers/corpus.js';
import { askCommand, embedsOf, sentMessages, startBotHarness, type BotHarness } from './helpers/bot-harness.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';
import { startFakeDiscord, type MessageBody } from './fake-discord.js';

const TOKEN = 'fake-bot-token-that-must-never-be-logged';
const BRIDGE_LEAD =
  'The Harbor Bridge will close to all traffic for six weeks starting July 10 while engineers replace its corroded steel cables, the state highway department said.';

let running: BotHarness | undefined;

afterEach(async () => {
  const harness = running;
  running = undefined;
  if (!harness) return;
  await harness.close(); // destroys the client before closing the fake
  // Every message the bot sent (replies, edits, follow-ups) turned all mentions off.
  for (const body of sentMessages(harness.fake)) expect(body.allowed_mentions).toEqual({ parse: [] });
  expect(harness.rawLogs.join('\n')).not.toContain(TOKEN);
});

async function start(options: { cooldownSeconds?: number; allowedChannelIds?: string[]; embedder?: Embedder; threads?: Array<{ id: string; parentId: string }> } = {}): Promise<BotHarness> {
  running = await startBotHarness({ token: TOKEN, timeoutMs: 5000, ...options });
  return running;
}

const buttonsOf = (body: MessageBody) =>
  (body.components ?? []).flatMap((row) => (row as { components: Array<{ custom_id: string; label: string }> }).components);
/** A quote as the reader sees it. */
const shown = (description = '') => unescapeMarkdown(description.replace(/^> /gm, '').replace(/\*\*/g, '').replace(/ \[…\]$/, ''));

/** An embedder that can hold the next question in mid-answer until released. */
function holdableEmbedder() {
  const inner = fakeEmbedder();
  let pending: { entered: () => void; released: Promise<void> } | undefined;
  const embedder: Embedder = {
    modelId: inner.modelId,
    modelHash: inner.modelHash,
    dimensions: inner.dimensions,
    async embed(texts) {
      const hold = texts.length === 1 ? pending : undefined;
      if (hold) {
        pending = undefined;
        hold.entered();
        await hold.released;
      }
      return inner.embed(texts);
    },
  };
  const holdNext = () => {
    let release!: () => void;
    let entered!: () => void;
    const isEntered = new Promise<void>((resolve) => (entered = resolve));
    pending = { entered, released: new Promise<void>((resolve) => (release = resolve)) };
    return { entered: isEntered, release };
  };
  return { embedder, holdNext };
}

function nextReload(index: LiveIndex): Promise<ReloadEvent> {
  return new Promise((resolve) => {
    const stop = index.onReload((event) => {
      stop();
      resolve(event);
    });
  });
}

describe('the bot against a fake Discord', () => {
  it('logs in with the Guilds intent and deploys the registry (guild, global, --clear)', async () => {
    const { fake, bot, config, logs } = await start();
    const identify = await fake.waitForIdentify();
    expect(identify.intents).toBe(1); // Guilds only
    expect(bot.client.user.id).toBe(fake.botUserId);
    expect(logs.some((line) => line['msg'] === 'ready')).toBe(true);

    const rest = { retries: 0, timeout: 2000 };
    const names = ['ask', 'sources', 'story', 'Check against the story'];
    expect(await deployCommands(config, { rest })).toEqual({ scope: 'guild', names });
    expect(await deployCommands({ ...config, guildId: undefined }, { rest })).toEqual({ scope: 'global', names });
    await deployCommands(config, { rest, clear: true });
    expect(fake.putCommands.map((put) => [put.guildId, put.body.map((command) => command['name'])])).toEqual([
      [fake.guildId, names],
      [null, names],
      [fake.guildId, []],
    ]);
    const ask = commandDefinitions().find((command) => command.name === 'ask');
    expect(ask && 'options' in ask && ask.options?.map((option) => [option.name, option.type, 'required' in option ? Boolean(option.required) : false])).toEqual([
      ['question', 3, true],
      ['results', 4, false],
      ['story', 3, false],
      ['private', 5, false],
    ]);
  });

  it('/ask defers, then edits in the verbatim paragraph with its attribution and buttons', async () => {
    const { fake, bot, logs } = await start();
    const ix = fake.sendCommand(askCommand('When will the Harbor Bridge close?'));
    expect(await ix.callback()).toEqual({ type: 5, data: { flags: 0 } });
    const reply = await ix.reply();
    expect(reply.content).toBe('**Q:** When will the Harbor Bridge close?');
    const [top] = embedsOf(reply);
    expect(shown(top?.description)).toBe(BRIDGE_LEAD);
    expect(top?.description).toMatch(/^> \*\*The Harbor Bridge will close/);
    expect(top).toMatchObject({
      author: { name: 'The Coastal Courier' },
      title: 'Harbor Bridge to close for six weeks of repairs',
      url: expect.stringMatching(/^https:\/\/example\.com\/coastal\/harbor-bridge#:~:text=The%20Harbor%20Bridge%20will/),
      footer: { text: expect.stringMatching(/^Miguel Santos · June 2, 2023 · ¶ 1 of 4 · relevance \d\.\d\d$/) },
    });
    expect(embedsOf(reply)).toHaveLength(3);
    expect(buttonsOf(reply).map((button) => button.label)).toEqual(['More passages', 'Show context']);
    expect(ix.original?.flags).toBe(0);

    await bot.whenIdle();
    const line = logs.find((entry) => entry['msg'] === 'interaction' && entry['interaction'] === ix.id);
    expect(line).toMatchObject({ kind: 'command', command: 'ask', passages: 3, refused: null, latencyMs: expect.any(Number) });
  });

  it('private: the deferred reply and the answer are ephemeral (flag 64)', async () => {
    const { fake } = await start();
    const ix = fake.sendCommand(askCommand('When will the Harbor Bridge close?', [{ name: 'private', type: 5, value: true }]));
    expect(await ix.callback()).toEqual({ type: 5, data: { flags: 64 } });
    await ix.reply();
    expect(ix.original?.flags).toBe(64);
  });

  it('"More passages" and "Show context" answer the presser privately, from the message alone', async () => {
    const { fake } = await start();
    const ix = fake.sendCommand(askCommand('When will the Harbor Bridge close?', [{ name: 'results', type: 4, value: 1 }]));
    const first = await ix.reply();
    expect(embedsOf(first)).toHaveLength(1);
    const [more, context] = buttonsOf(first);
    expect(more?.custom_id).toBe('v1:more:1:1:');
    expect(context?.custom_id).toBe('v1:ctx:1:harbor-bridge-repairs');

    const pressMore = fake.sendButton({ customId: more!.custom_id, message: ix.original!, userId: '222222222222222222' });
    expect(await pressMore.callback()).toEqual({ type: 5, data: { flags: 64 } });
    const next = await pressMore.reply();
    expect(next.content).toBe('**Q:** When will the Harbor Bridge close?\nMore passages (2–2):');
    expect(embedsOf(next)).toHaveLength(1);
    expect(shown(embedsOf(next)[0]?.description)).not.toBe(BRIDGE_LEAD);
    expect(buttonsOf(next)[0]?.custom_id).toBe('v1:more:2:1:');
    expect(ix.original?.embeds).toEqual(first.embeds); // the public answer is left as asked

    const pressContext = fake.sendButton({ customId: context!.custom_id, message: ix.original! });
    const shownContext = await pressContext.callback();
    expect(shownContext.type).toBe(4);
    expect(shownContext.data?.flags).toBe(64);
    const around = embedsOf(shownContext.data!);
    expect(around.map((embed) => embed.footer?.text.split(' · ').at(-1))).toEqual(['¶ 1 of 4', '¶ 2 of 4']);
    expect(shown(around[0]?.description)).toBe(BRIDGE_LEAD);
    expect(shown(around[1]?.description)).toMatch(/^Drivers will be detoured through the Old Mill Road/);
  });

  it('buttons it did not make get a polite private notice', async () => {
    const { fake } = await start();
    const press = fake.sendButton({ customId: 'v0:something-old' });
    const callback = await press.callback();
    expect(callback).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringMatching(/older version.*\/ask/) } });
  });

  it('autocompletes story titles to ids, and the story option limits the search', async () => {
    const { fake } = await start();
    const typed = fake.sendAutocomplete({
      name: 'ask',
      options: [
        { name: 'question', type: 3, value: 'bridge' },
        { name: 'story', type: 3, value: 'river', focused: true },
      ],
    });
    expect(await typed.callback()).toEqual({
      type: 8,
      data: {
        // Equally good matches: the newer story first.
        choices: [
          { name: 'Riverton library reopens a year after the flood (The Riverton Ledger)', value: 'riverton-library-reopens' },
          { name: 'Riverton council approves protected bike lanes on Harbor Avenue (The Riverton Ledger)', value: 'riverton-bike-lanes' },
        ],
      },
    });

    const limited = fake.sendCommand(askCommand('When will the Harbor Bridge close?', [{ name: 'story', type: 3, value: 'riverton-library-reopens' }]));
    const reply = await limited.reply();
    expect(reply.content).toBe(
      "**Q:** When will the Harbor Bridge close?\nThe story doesn't say. I searched “Riverton library reopens a year after the flood” (The Riverton Ledger).",
    );
    const unknown = fake.sendCommand(askCommand('When?', [{ name: 'story', type: 3, value: 'no-such-story' }]));
    expect(await unknown.callback()).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringMatching(/no story called “no-such-story”/) } });
  });

  it('says plainly when the stories do not say, naming them, and asks for a question in words', async () => {
    const { fake } = await start();
    const notThere = await fake.sendCommand(askCommand('Who won the football game?')).reply();
    expect(notThere.content).toMatch(/^\*\*Q:\*\* Who won the football game\?\nThe 3 stories don't say\. I searched /);
    for (const title of ['Harbor Bridge to close for six weeks of repairs', 'Riverton library reopens a year after the flood']) {
      expect(notThere.content).toContain(title);
    }
    expect(notThere.embeds).toEqual([]);
    expect(notThere.components).toEqual([]);

    const empty = await fake.sendCommand(askCommand('???')).reply();
    expect(empty.content).toMatch(/Ask me a question in words/);
  });

  it('a hostile question pings no one and renders no live markdown', async () => {
    const { fake } = await start();
    // Hostile in form, on the story's topic in words: a masked link's text and a code block's words are kept as words.
    const hostile = '@everyone <@123456789012345678> [bridge](https://evil.example) ```js closing``` when does the Harbor Bridge close?';
    const reply = await fake.sendCommand(askCommand(hostile)).reply();
    expect(reply.allowed_mentions).toEqual({ parse: [] });
    const content = reply.content ?? '';
    expect(content).not.toMatch(/(?<!\\)(?:@everyone|<@|\[click\]\(|```)/);
    expect(content).not.toContain('https://');
    expect(unescapeMarkdown(content)).toBe(`**Q:** ${hostile}`);
    expect(shown(embedsOf(reply)[0]?.description)).toBe(BRIDGE_LEAD);
  });

  it('cooldown: a second question too soon gets a polite private notice', async () => {
    const { fake, bot, logs } = await start({ cooldownSeconds: 60 });
    await fake.sendCommand(askCommand('When will the Harbor Bridge close?')).reply();
    const again = fake.sendCommand(askCommand('How long will the bridge be closed?'));
    const callback = await again.callback();
    expect(callback).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringMatching(/^You're asking quickly! Please wait \d+ s/) } });
    const otherUser = fake.sendCommand({ ...askCommand('How long will the bridge be closed?'), userId: '333333333333333333' });
    expect((await otherUser.callback()).type).toBe(5);
    await otherUser.reply();
    const sources = fake.sendCommand({ name: 'sources' });
    expect((await sources.callback()).type).toBe(4); // /sources does not search: no cooldown
    await bot.whenIdle();
    expect(logs.find((line) => line['interaction'] === again.id && line['msg'] === 'interaction')).toMatchObject({ refused: 'cooldown' });
  });

  it('ALLOWED_CHANNEL_IDS: a thread counts as its channel; a thread of another channel does not', async () => {
    const restricted = await start({
      allowedChannelIds: ['111111111111111111'],
      threads: [
        { id: '111111111111111222', parentId: '111111111111111111' },
        { id: '111111111111111333', parentId: '111111111111111444' },
      ],
    });
    const question = askCommand('When will the Harbor Bridge close?');
    const inThread = restricted.fake.sendCommand({ ...question, channelId: '111111111111111222', threadOf: '111111111111111111' });
    expect((await inThread.callback()).type).toBe(5);
    expect(shown(embedsOf(await inThread.reply())[0]?.description)).toBe(BRIDGE_LEAD);
    const elsewhere = restricted.fake.sendCommand({ ...question, channelId: '111111111111111333', threadOf: '111111111111111444' });
    expect(await elsewhere.callback()).toMatchObject({ type: 4, data: { flags: 64, content: 'I only answer in <#111111111111111111>. Ask me there!' } });
  });

  it('answers only in ALLOWED_CHANNEL_IDS', async () => {
    const restricted = await start({ allowedChannelIds: ['111111111111111111'] });
    const elsewhere = restricted.fake.sendCommand(askCommand('When will the Harbor Bridge close?'));
    expect(await elsewhere.callback()).toMatchObject({ type: 4, data: { flags: 64, content: 'I only answer in <#111111111111111111>. Ask me there!' } });
    const there = restricted.fake.sendCommand({ ...askCommand('When will the Harbor Bridge close?'), channelId: '111111111111111111' });
    expect((await there.callback()).type).toBe(5);
    await there.reply();
  });

  it('/sources lists the stories with outlet, date, paragraphs and the build time', async () => {
    const { fake, index } = await start();
    const callback = await fake.sendCommand({ name: 'sources' }).callback();
    expect(callback.type).toBe(4);
    expect(callback.data?.flags).toBe(64);
    const [embed] = embedsOf(callback.data!);
    expect(embed?.description).toContain('**Harbor Bridge to close for six weeks of repairs** — The Coastal Courier, June 2, 2023, 4 paragraphs');
    expect(embed?.footer?.text).toContain(`Index built ${index.current().index.manifest.builtAt.slice(0, 10)}`);
    expect(callback.data?.content).toBe('I quote from 3 stories (14 paragraphs).');
  });

  it('an error inside a command is logged with the interaction id; the user gets a private apology; the bot carries on', async () => {
    const { fake, index, logs } = await start();
    const healthy = index.current;
    index.current = () => {
      const snapshot = healthy();
      const broken = Object.create(snapshot.retriever) as typeof snapshot.retriever;
      broken.search = async () => {
        throw new Error('boom in /secret/stack/path');
      };
      return { ...snapshot, retriever: broken };
    };
    const ix = fake.sendCommand(askCommand('When will the Harbor Bridge close?'));
    expect((await ix.callback()).type).toBe(5);
    const apology = await ix.followUp();
    expect(apology).toMatchObject({ flags: 64, content: expect.stringMatching(/^Sorry, something went wrong/) });
    expect(JSON.stringify(apology)).not.toContain('boom');
    expect(ix.originalDeleted).toBe(true); // the public "thinking…" message does not linger
    const failure = logs.find((line) => line['msg'] === 'interaction failed');
    expect(failure).toMatchObject({ interaction: ix.id, command: 'ask', err: { message: 'boom in /secret/stack/path' } });

    index.current = healthy;
    const after = await fake.sendCommand(askCommand('When will the Harbor Bridge close?')).reply();
    expect(shown(embedsOf(after)[0]?.description)).toBe(BRIDGE_LEAD);
  });

  it('hot reload: a rebuilt index is answered from without a restart', async () => {
    const { fake, index, config } = await start();
    const before = await fake.sendCommand(askCommand('Where will the new aquarium open?')).reply();
    expect(before.content).toMatch(/The 3 stories don't say/);

    writeStory(config.corpusDir, 'aquarium', ['The new aquarium will open on Pier 9 next spring, the city announced.'], {
      title: 'City picks Pier 9 for the new aquarium',
    });
    const reloaded = nextReload(index);
    await buildIndexFromCorpus(config, fakeEmbedder()); // what `npm run build-index` does from another process
    expect(await reloaded).toMatchObject({ ok: true });

    const after = await fake.sendCommand(askCommand('Where will the new aquarium open?')).reply();
    expect(embedsOf(after)[0]).toMatchObject({ title: 'City picks Pier 9 for the new aquarium' });
    expect(shown(embedsOf(after)[0]?.description)).toBe('The new aquarium will open on Pier 9 next spring, the city announced.');
  });

  it('an answer in flight during the swap still completes from the index it started with', async () => {
    const { embedder, holdNext } = holdableEmbedder();
    const { fake, index, config } = await start({ embedder });
    const hold = holdNext();
    const ix = fake.sendCommand(askCommand('When will the Harbor Bridge close?'));
    await hold.entered; // the question is being embedded

    writeStory(config.corpusDir, 'aquarium', ['The new aquarium will open on Pier 9 next spring.']);
    const reloaded = nextReload(index);
    await buildIndexFromCorpus(config, fakeEmbedder());
    expect(await reloaded).toMatchObject({ ok: true });
    hold.release();

    expect(shown(embedsOf(await ix.reply())[0]?.description)).toBe(BRIDGE_LEAD);
    expect(index.current().retriever.stories.map((story) => story.id)).toContain('aquarium');
  });

  it('a failed reload keeps answering from the previous index, and logs why', async () => {
    const { fake, index, config, logs } = await start();
    const reloaded = nextReload(index);
    const pointer = path.join(config.indexDir, CURRENT_FILE);
    const previous = readFileSync(pointer, 'utf8');
    writeFileSync(`${pointer}.tmp`, 'gen-that-does-not-exist\n');
    renameSync(`${pointer}.tmp`, pointer);
    expect(await reloaded).toMatchObject({ ok: false });
    expect(logs.find((line) => line['msg']?.toString().startsWith('index reload failed'))).toMatchObject({ level: 50 });

    const reply = await fake.sendCommand(askCommand('When will the Harbor Bridge close?')).reply();
    expect(shown(embedsOf(reply)[0]?.description)).toBe(BRIDGE_LEAD);
    writeFileSync(pointer, previous);
  });

  it('stop() lets an answer in flight finish, then disconnects', async () => {
    const { embedder, holdNext } = holdableEmbedder();
    const { fake, bot } = await start({ embedder });
    const hold = holdNext();
    const ix = fake.sendCommand(askCommand('When will the Harbor Bridge close?'));
    await hold.entered;
    const stopped = bot.stop();
    hold.release();
    await stopped;
    expect(ix.edits).toHaveLength(1);
    expect(shown(embedsOf(ix.edits[0]!)[0]?.description)).toBe(BRIDGE_LEAD);
    expect(bot.client.isReady()).toBe(false);
  });

  it('never logs the token, even when handed it', async () => {
    const { bot, config, rawLogs } = await start();
    const logger = createLogger('info', { write: (line: string) => rawLogs.push(line) });
    logger.info({ config, token: TOKEN, headers: { authorization: `Bot ${TOKEN}` } }, 'config dump');
    expect(rawLogs.at(-1)).toContain('[redacted]');
    expect(bot.client.token).toBe(TOKEN);
    // the afterEach hook checks every log line of every test for the token
  });

  it('a token Discord refuses stops start-up with one sentence, without the token', async () => {
    const fake = await startFakeDiscord({ token: TOKEN });
    const logger = createLogger('silent');
    const config = { ...loadCoreConfig({}, tempDir()), discordToken: 'wrong-token-aaaaaaaaaaaaaaaaaaaa', apiBase: fake.apiBase, allowedChannelIds: [], cooldownSeconds: 0 };
    try {
      const failed = startBot({ config, logger, index: undefined as never, clientOptions: { rest: { retries: 0, timeout: 2000 } } });
      await expect(failed).rejects.toThrow(/^Discord refused DISCORD_TOKEN: reset the token/);
      await expect(failed).rejects.not.toThrow(/wrong-token/);
    } finally {
      await fake.close();
    }
  });

  it('keeps every reply within Discord limits', async () => {
    const { fake } = await start();
    const reply = await fake.sendCommand(askCommand('bridge', [{ name: 'results', type: 4, value: 5 }])).reply();
    expect((reply.content ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
    expect(embedsOf(reply).length).toBeLessThanOrEqual(5);
  });
});
