// The bot under load and faults, against test/fake-discord.ts: concurrency, a dropped gateway,
// REST 429/500 on the reply, an index rebuilt while questions arrive, and SIGTERM mid-answer.
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { unescapeMarkdown } from '../src/answer/discord.js';
import { buildIndexFromCorpus } from '../src/pipeline.js';
import { askCommand, embedsOf, sentMessages, startBotHarness, type BotHarness } from './helpers/bot-harness.js';
import { PROJECT_ROOT, tempDir, writeStory } from './helpers/corpus.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';
import { STACK_LINE, killChildren, spawnProject } from './helpers/processes.js';
import { startFakeDiscord, type FakeDiscord, type MessageBody } from './fake-discord.js';

const BRIDGE = 'When will the Harbor Bridge close?';
const BRIDGE_LEAD = /^The Harbor Bridge will close to all traffic for six weeks/;
const shown = (reply: MessageBody) => unescapeMarkdown((embedsOf(reply)[0]?.description ?? '').replace(/^> /gm, '').replace(/\*\*/g, ''));
const refused = (reply: MessageBody) => embedsOf(reply).length === 0 && /The (story doesn't|\d+ stories don't) say/.test(reply.content ?? '');
const AQUARIUM = 'Where will the new aquarium open?';
const AQUARIUM_TITLE = 'City picks Pier 9 for the new aquarium';
const AQUARIUM_PASSAGE = 'The new aquarium will open on Pier 9 next spring, the city announced.';
const AQUARIUM_LEAD = /^The new aquarium will open on Pier 9 next spring/;

let harness: BotHarness | undefined;
let fake: FakeDiscord | undefined;

afterEach(async () => {
  await killChildren();
  await harness?.close(); // destroys the client before closing the fake
  if (harness) expect(harness.rawLogs.join('\n')).not.toContain(harness.config.discordToken);
  harness = undefined;
  await fake?.close();
  fake = undefined;
});

function failures(logs: Array<Record<string, unknown>>) {
  return logs.filter((line) => line['msg'] === 'interaction failed' || line['msg'] === 'interaction handler crashed');
}

describe('the bot under load and faults', () => {
  it('50 concurrent /ask from 50 members get 50 answers', async () => {
    harness = await startBotHarness({ cooldownSeconds: 10 });
    const { fake, bot, logs } = harness;
    const handles = Array.from({ length: 50 }, (_, i) => fake.sendCommand({ ...askCommand(BRIDGE), userId: String(200000000000000000n + BigInt(i)) }));
    const replies = await Promise.all(handles.map((ix) => ix.reply()));
    expect(replies.filter((reply) => BRIDGE_LEAD.test(shown(reply)))).toHaveLength(50);
    await bot.whenIdle();
    expect(logs.filter((line) => line['msg'] === 'interaction' && line['passages'] === 3)).toHaveLength(50);
    expect(failures(logs)).toEqual([]);
  });

  it('a dropped gateway is resumed; a question sent while it was down and the next one are answered', async () => {
    harness = await startBotHarness();
    const { fake, logs } = harness;
    const dropped = fake.dropGateway();
    const duringDrop = fake.sendCommand(askCommand(BRIDGE)); // queued by Discord, replayed on RESUME
    expect(await dropped).toBe('resumed');
    expect(shown(await duringDrop.reply())).toMatch(BRIDGE_LEAD);
    expect(shown(await fake.sendCommand(askCommand(BRIDGE)).reply())).toMatch(BRIDGE_LEAD);
    expect(fake.identifies).toHaveLength(1); // resumed, not a new session
    await vi.waitFor(() => expect(logs.some((line) => line['msg'] === 'gateway resumed')).toBe(true));
  });

  it('429 on the deferral and on the reply: waited out and retried; the answer arrives', async () => {
    harness = await startBotHarness();
    const { fake, bot, logs } = harness;
    fake.failNext({ method: 'POST', path: /\/callback$/, status: 429, retryAfter: 0.2 });
    fake.failNext({ method: 'PATCH', path: '/messages/@original', status: 429, retryAfter: 0.2 });
    const ix = fake.sendCommand(askCommand(BRIDGE));
    expect(shown(await ix.reply())).toMatch(BRIDGE_LEAD);
    expect(fake.requests.filter((request) => request.status === 429)).toHaveLength(2);
    expect(shown(await fake.sendCommand(askCommand(BRIDGE)).reply())).toMatch(BRIDGE_LEAD);
    await bot.whenIdle();
    expect(failures(logs)).toEqual([]);
  });

  it('500 on the reply: logged with the interaction id, the asker gets a private apology, the next one is answered', async () => {
    harness = await startBotHarness();
    const { fake, bot, logs } = harness;
    fake.failNext({ method: 'PATCH', path: '/messages/@original', status: 500 });
    const ix = fake.sendCommand(askCommand(BRIDGE));
    const apology = await ix.followUp();
    expect(apology).toMatchObject({ flags: 64, content: expect.stringMatching(/^Sorry, something went wrong/) });
    await bot.whenIdle();
    expect(failures(logs)).toEqual([expect.objectContaining({ interaction: ix.id, err: expect.objectContaining({ status: 500 }) })]);
    expect(shown(await fake.sendCommand(askCommand(BRIDGE)).reply())).toMatch(BRIDGE_LEAD);
  });

  it('500 on the reply and on removing the public "thinking…": the last try is a private follow-up, never a public message', async () => {
    harness = await startBotHarness();
    const { fake, bot, logs } = harness;
    fake.failNext({ method: 'PATCH', path: '/messages/@original', status: 500 });
    fake.failNext({ method: 'DELETE', path: '/messages/@original', status: 500 });
    const ix = fake.sendCommand(askCommand(BRIDGE));
    expect(await ix.callback()).toEqual({ type: 5, data: { flags: 0 } }); // a public deferral
    const apology = await ix.followUp();
    expect(apology).toMatchObject({ flags: 64, content: expect.stringMatching(/^Sorry, something went wrong/) });
    expect(apology.allowed_mentions).toEqual({ parse: [] });
    await bot.whenIdle();
    // It was the last try: the DELETE was attempted and failed first.
    expect(fake.requests.filter((request) => request.method === 'DELETE' && request.status === 500)).toHaveLength(1);
    // Nothing the bot sent for this interaction was public after the deferral.
    expect(sentMessages(fake).filter((body) => /^Sorry, something went wrong/.test(body.content ?? '') && body.flags !== 64)).toEqual([]);
    expect(failures(logs)).toEqual([expect.objectContaining({ interaction: ix.id })]);
  });

  it('a story added and the index rebuilt while questions keep arriving: every question answered from its story, the new story as soon as it is loaded', async () => {
    harness = await startBotHarness();
    const { fake, bot, config, logs } = harness;
    const reloaded = () => logs.some((line) => line['msg'] === 'index reloaded');
    const asked: Array<{ question: string; reloadedBefore: boolean; reply: MessageBody }> = [];
    let rebuilding = false;
    let askedDuringRebuild = 0;
    let asking = true;
    // Three members asking in a loop, each as soon as their last answer arrives.
    const askers = [0, 1, 2].map(async (member) => {
      while (asking) {
        const question = member === 2 ? AQUARIUM : BRIDGE;
        const reloadedBefore = reloaded();
        if (rebuilding && !reloadedBefore) askedDuringRebuild++;
        const reply = await fake.sendCommand({ ...askCommand(question), userId: String(300000000000000000n + BigInt(member)) }).reply();
        asked.push({ question, reloadedBefore, reply });
      }
    });
    await vi.waitFor(() => expect(asked.length).toBeGreaterThanOrEqual(6));

    rebuilding = true;
    writeStory(config.corpusDir, 'aquarium', [AQUARIUM_PASSAGE], { title: AQUARIUM_TITLE });
    await buildIndexFromCorpus(config, fakeEmbedder()); // what `npm run build-index` does, from another process
    await vi.waitFor(() => expect(asked.some((entry) => entry.reloadedBefore && entry.question === AQUARIUM)).toBe(true), { timeout: 5000, interval: 50 });
    asking = false;
    await Promise.all(askers);
    await bot.whenIdle();

    expect(asked.length).toBeGreaterThan(6);
    expect(askedDuringRebuild).toBeGreaterThan(0); // the swap happened under load
    // The bridge question has its answer in the story before, during and after the swap: a refusal is a failure.
    const bridge = asked.filter((entry) => entry.question === BRIDGE);
    expect(bridge.length).toBeGreaterThan(4);
    for (const { reply } of bridge) expect(shown(reply)).toMatch(BRIDGE_LEAD);
    // The aquarium question: "the story doesn't say" until the new story is loaded (or its answer, if the
    // swap came while it was in flight), its passage once the reload was logged before it was asked.
    for (const { reloadedBefore, reply } of asked.filter((entry) => entry.question === AQUARIUM)) {
      if (reloadedBefore || !refused(reply)) {
        expect(embedsOf(reply)[0]?.title).toBe(AQUARIUM_TITLE);
        expect(shown(reply)).toMatch(AQUARIUM_LEAD);
      }
    }
    expect(failures(logs)).toEqual([]);
    expect(logs.filter((line) => line['msg'] === 'index reloaded')).toHaveLength(1);
    for (const body of sentMessages(fake)) expect(body.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('npm start (src/discord/bot.ts) stopped with SIGTERM', () => {
  it('in the middle of an answer: the answer completes, then the process exits 0', async () => {
    fake = await startFakeDiscord({ token: 'fake-bot-token-for-the-sigterm-test', timeoutMs: 20_000 });
    const cwd = tempDir();
    const bot = spawnProject('src/discord/bot.ts', [], {
      cwd,
      env: {
        DISCORD_TOKEN: fake.token,
        DISCORD_APPLICATION_ID: fake.applicationId,
        DISCORD_API_BASE: fake.apiBase,
        CORPUS_DIR: path.join(PROJECT_ROOT, 'corpus'),
        INDEX_DIR: path.join(cwd, 'index'),
        MODEL_DIR: path.join(PROJECT_ROOT, 'models'),
        COOLDOWN_SECONDS: '0',
      },
    });
    await bot.waitForOutput(/"msg":"ready"/);

    // The edit that carries the answer is rate-limited for a second: SIGTERM lands while the bot waits to retry it.
    fake.failNext({ method: 'PATCH', path: '/messages/@original', status: 429, retryAfter: 1 });
    const ix = fake.sendCommand(askCommand('Who took photographs of the meeting?'));
    await fake.waitForRequest((request) => request.method === 'PATCH' && request.status === 429);
    expect(ix.edits).toHaveLength(0);
    bot.child.kill('SIGTERM'); // to the main process, as `docker stop` or systemd would

    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(ix.edits).toHaveLength(1);
    expect(shown(ix.edits[0]!)).toContain('A Russian photographer took photos');
    const logs = bot.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs.map((line) => line['msg'])).toEqual(expect.arrayContaining(['shutting down', 'finishing answers in flight', 'disconnected']));
    expect(failures(logs)).toEqual([]);
    expect(bot.stderr).not.toMatch(STACK_LINE);
  });
});
