// End to end: the news desk from Discord. The product bot (real discord.js) against the fake
// Discord, a temporary copy of the fixture corpus and the fake embedder; the articles and feeds are
// the fixture pages (test/fixtures/pages, all invented) served from 127.0.0.1.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../src/answer/attribution.js';
import { unescapeMarkdown } from '../src/answer/discord.js';
import { CHECK_COMMAND_NAME } from '../src/discord/commands/check.js';
import type { Embedder } from '../src/embed/index.js';
import { CURRENT_FILE } from '../src/index/index.js';
import { buildIndexFromCorpus } from '../src/pipeline.js';
import type { InteractionHandle, MessageBody } from './fake-discord.js';
import { askCommand, embedsOf, sentMessages, startBotHarness, type BotHarness, type NewsDeskSettings } from './helpers/bot-harness.js';
import { writeStory } from './helpers/corpus.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';
import { startPageServer, type PageServer } from './helpers/page-server.js';
import { expectedPage } from './helpers/pages.js';

// ---- the fixture pages ----

const expected = expectedPage;
const CANNERY = expected('jsonld-only');
const FERRY = expected('opengraph-only');
const STORM = expected('multiple-authors');
const BUSES = expected('byline-in-body');

/** A question each page answers, and words of the paragraph that answers it. */
const QUESTIONS: Record<string, { question: string; answer: string }> = {
  'jsonld-only': { question: 'When is the first public workshop on the park design?', answer: 'April 9' },
  'opengraph-only': { question: 'How much is the fare on the late boats for adults?', answer: '$6.50 for adults' },
  'multiple-authors': { question: 'How many blocks in the Port Alder harbor district could see two feet of water?', answer: '42 blocks' },
  'byline-in-body': { question: 'Why did the Northfield school board postpone the school bus contract vote?', answer: 'Prairie Line' },
};

// ---- the page server (shared by every harness) ----

/** /flaky-feed.rss answers 500 until this is set, then an empty, valid feed. */
let flakyFeedHealthy = false;
/** /late-feed.rss lists nothing until this is set, then the Northfield bus story. */
let lateFeedHasItem = false;

function route(url: URL, response: ServerResponse): boolean {
  const rss = (items: string) =>
    void response
      .writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' })
      .end(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Test feed</title><link>https://feeds.example/</link><description>Test</description>${items}</channel></rss>`);
  switch (url.pathname) {
    case '/flaky-feed.rss':
      if (!flakyFeedHealthy) response.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
      else rss('');
      return true;
    case '/late-feed.rss':
      rss(lateFeedHasItem ? `<item><title>Bus vote delayed</title><link>${pages.base}/byline-in-body.html</link><guid>bus-1</guid></item>` : '');
      return true;
  }
  return false;
}

let pages: PageServer;
const page = (name: string) => `${pages.base}/${name}.html`;

beforeAll(async () => {
  pages = await startPageServer(route);
});
afterAll(async () => {
  await pages.close();
});

// ---- Discord actors ----

const STAFF_GUILD = '700000000000000001';
const OTHER_GUILD = '700000000000000002';
const ADMIN = '710000000000000001';
/** A second admin: /story add has a per-member cooldown. */
const DM_ADMIN = '710000000000000002';
const ANNOUNCE_CHANNEL = '720000000000000001';
const MANAGE_GUILD = String(PermissionFlagsBits.ManageGuild);

/** /story add has a 30 s per-member cooldown: every add comes from a member of its own. */
let members = 800000000000000000n;
const newMember = () => String(++members);
/** A new member with Manage Server in a staff server. */
const newStaff = () => ({ userId: newMember(), guildId: STAFF_GUILD, permissions: MANAGE_GUILD });
type Who = { userId: string; guildId?: string | null; permissions?: string };

const storyCommand = (sub: string, options: Array<{ name: string; type: number; value: string }> = []) => ({
  name: 'story',
  options: [{ name: sub, type: 1, options }],
});
const addCommand = (url: string) => storyCommand('add', [{ name: 'url', type: 3, value: url }]);

type Button = { custom_id: string; label: string };
const buttonsOf = (body: MessageBody): Button[] => (body.components ?? []).flatMap((row) => (row as { components: Button[] }).components);
const button = (body: MessageBody, label: string): Button => {
  const found = buttonsOf(body).find((candidate) => candidate.label === label);
  if (!found) throw new Error(`no ${label} button in ${JSON.stringify(body.components)}`);
  return found;
};
/** A quote as the reader sees it. */
const shown = (description = '') => unescapeMarkdown(description.replace(/^> /gm, '').replace(/\*\*/g, '').replace(/ \[…\]$/, ''));

/** One sentence: one line, ends with a full stop, no second sentence. */
function expectOneSentence(text: unknown): void {
  expect(typeof text).toBe('string');
  const sentence = text as string;
  expect(sentence, sentence).not.toMatch(/[\r\n]/);
  expect(sentence, sentence).toMatch(/\S\.$/);
  expect(sentence.slice(0, -1), sentence).not.toMatch(/[.!?]["”’)]?\s+[A-Z]/);
}

/** Every entry of a folder (dot files too) with its bytes. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(path.join(dir, name), 'latin1')]));
}
const storyFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.md'));
const indexedIds = (h: BotHarness) => h.index.current().retriever.stories.map((story) => story.id);

// ---- flows ----

/** `/story add url:` and the preview it shows (the edit of the deferred, private reply). */
async function preview(h: BotHarness, url: string, who: Who): Promise<{ ix: InteractionHandle; reply: MessageBody }> {
  const ix = h.fake.sendCommand({ ...addCommand(url), ...who });
  const reply = await ix.reply();
  return { ix, reply };
}

/** Presses a button of the preview message, as `who`. */
const press = (h: BotHarness, ix: InteractionHandle, customId: string, who: Who) => h.fake.sendButton({ customId, message: ix.original!, ...who });

const isAdded = (body: MessageBody) => /^Added /.test(body.content ?? '');

/** Preview, then Add; the id of the story written. */
async function addFromDiscord(h: BotHarness, url: string, who: Who = newStaff()): Promise<string> {
  const logged = h.logs.length;
  const { ix, reply } = await preview(h, url, who);
  const added = await press(h, ix, button(reply, 'Add').custom_id, who).reply(isAdded);
  expect(added.content).toMatch(/members can ask about it now/);
  const line = h.logs.slice(logged).find((entry) => entry['msg'] === 'story added');
  expect(line).toBeDefined();
  return line!['story'] as string;
}

/** The log line of the story added from this article (its own address, not the page's). */
const addedLog = (h: BotHarness, url: string) => h.logs.find((line) => line['msg'] === 'story added' && line['url'] === url);

async function ask(h: BotHarness, question: string): Promise<MessageBody> {
  return h.fake.sendCommand(askCommand(question)).reply();
}

/** Asks the page's question: the top passage must be that page's answering paragraph. */
async function expectAnswersFrom(h: BotHarness, name: string): Promise<void> {
  const story = expected(name);
  const { question, answer } = QUESTIONS[name]!;
  const reply = await ask(h, question);
  const [top] = embedsOf(reply);
  expect(top?.title, `${question} → ${JSON.stringify(embedsOf(reply).map((embed) => embed.title))}`).toBe(story.titles[0]);
  expect(top?.author?.name).toBe(story.outlets[0]);
  // The story's address, opened on the quoted sentence where a text fragment names it uniquely.
  expect(top?.url?.replace(/#:~:text=[^#]*$/, '')).toBe(story.url);
  expect(shown(top?.description)).toContain(answer);
  expect(story.paragraphs).toContain(shown(top?.description));
}

/** Every message body the bot sent turned mentions off; the token was never logged. */
async function closeHarness(h: BotHarness | undefined): Promise<void> {
  if (!h) return;
  await h.close();
  for (const body of sentMessages(h.fake)) expect(body.allowed_mentions).toEqual({ parse: [] });
  for (const message of h.fake.channelMessages) expect(message.body.allowed_mentions).toEqual({ parse: [] });
  expect(h.rawLogs.join('\n')).not.toContain(h.config.discordToken);
}

function startDesk(desk: Partial<NewsDeskSettings>, embedder?: Embedder): Promise<BotHarness> {
  return startBotHarness({ desk: { staffGuildIds: [STAFF_GUILD], adminUserIds: [ADMIN], allowPrivateUrls: true, ...desk }, embedder });
}

/**
 * The fake embedder, with two controls for the index rebuilds (any call of more than one text; a
 * question is one): `failBuilds` makes them throw, and `maxConcurrentBuilds` records how many ran
 * at once (each takes a little while, so overlapping rebuilds would show).
 */
function controllableEmbedder() {
  const inner = fakeEmbedder();
  const state = { failBuilds: false, building: 0, maxConcurrentBuilds: 0 };
  const embedder: Embedder = {
    modelId: inner.modelId,
    modelHash: inner.modelHash,
    dimensions: inner.dimensions,
    async embed(texts) {
      if (texts.length <= 1) return inner.embed(texts);
      state.building++;
      state.maxConcurrentBuilds = Math.max(state.maxConcurrentBuilds, state.building);
      try {
        await new Promise((resolve) => setTimeout(resolve, 40));
        if (state.failBuilds) throw new Error('the embedding model ran out of memory');
        return await inner.embed(texts);
      } finally {
        state.building--;
      }
    },
  };
  return { embedder, state };
}

// ---- tests ----

describe('/story add, remove, list and feeds', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startDesk({ adminUserIds: [ADMIN, DM_ADMIN] });
  });
  afterAll(async () => closeHarness(h));

  it('only Manage Server in a staff server, or an admin anywhere, may add; a refusal is one private sentence and writes nothing', async () => {
    const corpus = h.config.corpusDir;
    const before = snapshot(corpus);
    const fetched = pages.hitsOf('/byline-in-body.html');

    // A member without Manage Server, in a staff server.
    const plain = await h.fake.sendCommand({ ...addCommand(page('byline-in-body')), userId: newMember(), guildId: STAFF_GUILD }).callback();
    expect(plain).toMatchObject({ type: 4, data: { flags: 64, embeds: [], components: [] } });
    expect(plain.data?.content).toBe('You need the Manage Server permission here to change the stories.');

    // Manage Server, but in a server that is not a staff server.
    const elsewhere = await h.fake.sendCommand({ ...addCommand(page('byline-in-body')), userId: newMember(), guildId: OTHER_GUILD, permissions: MANAGE_GUILD }).callback();
    expect(elsewhere).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(elsewhere.data?.content).toMatch(/staff servers/);
    expectOneSentence(elsewhere.data?.content);

    // Removing is checked the same way.
    const remove = await h.fake
      .sendCommand({ ...storyCommand('remove', [{ name: 'story', type: 3, value: 'harbor-bridge-repairs' }]), userId: newMember(), guildId: STAFF_GUILD })
      .callback();
    expect(remove.data?.content).toBe('You need the Manage Server permission here to change the stories.');

    await h.bot.whenIdle();
    expect(snapshot(corpus)).toEqual(before);
    expect(pages.hitsOf('/byline-in-body.html')).toBe(fetched); // refused before anything was fetched
    expect(indexedIds(h)).toHaveLength(3);
    const refusals = h.logs.filter((line) => line['msg'] === 'interaction' && line['command'] === 'story').map((line) => line['refused']);
    expect(refusals).toEqual(['not-staff', 'not-staff', 'not-staff']);

    // An admin with no permission at all, in a server that is not a staff server: allowed.
    const admin = { userId: ADMIN, guildId: OTHER_GUILD, permissions: '0' };
    const id = await addFromDiscord(h, page('byline-in-body'), admin);
    expect(storyFiles(corpus)).toContain(`${id}.md`);
    expect(addedLog(h, BUSES.url)).toMatchObject({ change: 'story-added', user: ADMIN, guild: OTHER_GUILD, story: id });
    await expectAnswersFrom(h, 'byline-in-body');
  });

  it('in a DM (no server, no member permissions) only an admin may change the stories; anyone else is told where they can, and nothing is fetched', async () => {
    const corpus = h.config.corpusDir;
    const before = snapshot(corpus);
    const fetched = pages.hitsOf('/wire-story.html');
    const refusedBefore = h.logs.filter((line) => line['refused'] === 'not-staff').length;

    // Even with Manage Server in the payload (Discord sends none in a DM): there is no server to hold it.
    for (const permissions of ['0', MANAGE_GUILD]) {
      const member = newMember();
      const add = await h.fake.sendCommand({ ...addCommand(page('wire-story')), userId: member, guildId: null, permissions }).callback();
      expect(add).toMatchObject({ type: 4, data: { flags: 64 } });
      expect(add.data?.content).toBe('Stories can only be changed from the bot’s staff servers (STAFF_GUILD_IDS) or by its admins: ask whoever runs me.');
      const remove = await h.fake.sendCommand({ ...storyCommand('remove', [{ name: 'story', type: 3, value: 'harbor-bridge-repairs' }]), userId: member, guildId: null, permissions }).callback();
      expect(remove.data?.content).toBe(add.data?.content);
    }
    await h.bot.whenIdle();
    expect(snapshot(corpus)).toEqual(before);
    expect(pages.hitsOf('/wire-story.html')).toBe(fetched);
    expect(h.logs.filter((line) => line['refused'] === 'not-staff')).toHaveLength(refusedBefore + 4);

    // The bot's admin, in a DM: previewed and added.
    const id = await addFromDiscord(h, page('wire-story'), { userId: DM_ADMIN, guildId: null });
    expect(storyFiles(corpus)).toContain(`${id}.md`);
    expect(h.logs.find((line) => line['msg'] === 'story added' && line['story'] === id)).toMatchObject({ user: DM_ADMIN, guild: null });
  });

  it('previews a page (headline, attribution, paragraphs, first paragraph), adds it on Add, and /ask quotes it at once', async () => {
    const staff = newStaff();
    const filesBefore = storyFiles(h.config.corpusDir);
    const ix = h.fake.sendCommand({ ...addCommand(page('jsonld-only')), ...staff });
    expect(await ix.callback()).toEqual({ type: 5, data: { flags: 64 } });
    const shownPreview = await ix.reply();
    expect(shownPreview.content).toBe('This is what I would add. Check the headline, byline, date and first paragraph:');
    const [embed, ...more] = embedsOf(shownPreview);
    expect(more).toEqual([]);
    expect(unescapeMarkdown(embed!.title!)).toBe(CANNERY.titles[0]);
    expect(embed!.author?.name).toBe('The Riverton Ledger · by Marisol Keane and Theo Brandt · March 5, 2024');
    expect(embed!.url).toBe(CANNERY.url);
    expect(embed!.footer?.text).toBe(`${CANNERY.paragraphs.length} paragraphs · ${CANNERY.url}`);
    expect(shown(embed!.description)).toBe(CANNERY.paragraphs[0]);
    expect(buttonsOf(shownPreview).map((b) => b.label)).toEqual(['Add', 'Cancel']);
    expect(ix.original?.flags).toBe(64);
    // Nothing is written by a preview.
    expect(storyFiles(h.config.corpusDir)).toEqual(filesBefore);
    expect(addedLog(h, CANNERY.url)).toBeUndefined();

    const before = await ask(h, QUESTIONS['jsonld-only']!.question);
    expect(embedsOf(before).map((e) => e.title)).not.toContain(CANNERY.titles[0]);

    const add = press(h, ix, button(shownPreview, 'Add').custom_id, staff);
    const adding = await add.callback();
    expect(adding.type).toBe(7);
    expect(adding.data?.content).toMatch(/^Adding “Riverton council votes 5-2 to buy shuttered cannery for riverfront park”…/);
    expect(adding.data?.components).toEqual([]); // no second press
    expect(adding.data?.embeds).toEqual([]);
    const added = await add.reply(isAdded);
    expect(added.content).toMatch(/^Added “Riverton council votes 5-2 to buy shuttered cannery for riverfront park” in \d+\.\d s: members can ask about it now with \/ask\.$/);
    expect(add.original?.content).toBe(added.content);

    const log = addedLog(h, CANNERY.url);
    expect(log).toMatchObject({ change: 'story-added', user: staff.userId, guild: STAFF_GUILD, story: expect.stringMatching(/^[a-z0-9-]+$/) });
    const id = log!['story'] as string;
    expect(storyFiles(h.config.corpusDir).sort()).toEqual([...filesBefore, `${id}.md`].sort());
    expect(indexedIds(h)).toContain(id);

    // The same run, no restart: the new story answers.
    await expectAnswersFrom(h, 'jsonld-only');
    const reply = await ask(h, QUESTIONS['jsonld-only']!.question);
    expect(embedsOf(reply)[0]?.footer?.text).toMatch(/^Marisol Keane and Theo Brandt · March 5, 2024 · ¶ 11 of 13 · /);
  });

  it('/story add outlet: corrects the outlet the page gives: in the preview, the story file and /ask', async () => {
    // A harness of its own: the other tests here count the stories and the removals.
    const h = await startDesk({});
    try {
      const staff = newStaff();
      const url = page('byline-span-author-link');
      // Without it: a page on 127.0.0.1 that names itself keeps its own name, never "0.1".
      const plain = await preview(h, url, staff);
      expect(embedsOf(plain.reply)[0]?.author?.name).toMatch(/^The Riverton Ledger · /);
      const asker = newStaff();
      const ix = h.fake.sendCommand({ ...storyCommand('add', [{ name: 'url', type: 3, value: url }, { name: 'outlet', type: 3, value: 'Riverton Ledger Weekend' }]), ...asker });
      const shownPreview = await ix.reply();
      expect(embedsOf(shownPreview)[0]?.author?.name).toMatch(/^Riverton Ledger Weekend · by Marguerite \(M\.T\.\) Quill · /);
      await press(h, ix, button(shownPreview, 'Add').custom_id, asker).reply(isAdded);
      const line = h.logs.find((entry) => entry['msg'] === 'story added' && entry['url'] === 'https://ledger.example/2030/02/11/fare-freeze');
      const file = readFileSync(path.join(h.config.corpusDir, `${line!['story'] as string}.md`), 'utf8');
      expect(file).toMatch(/^outlet: "?Riverton Ledger Weekend"?$/m);
      const reply = await ask(h, 'How much would the fare freeze cost the transit authority over the winter?');
      expect(embedsOf(reply)[0]).toMatchObject({ title: 'Riverton transit board weighs a fare freeze for the winter', author: { name: 'Riverton Ledger Weekend' } });
    } finally {
      await closeHarness(h);
    }
  });

  it('Cancel adds nothing; only the member who asked (and still may) can press Add; a spent or unknown preview says so', async () => {
    const owner = newStaff();
    const other = newStaff();
    const before = snapshot(h.config.corpusDir);
    const stories = indexedIds(h);
    const { ix, reply } = await preview(h, page('opengraph-only'), owner);
    const addId = button(reply, 'Add').custom_id;
    const cancelId = button(reply, 'Cancel').custom_id;
    expect(addId).toMatch(/^v1:sadd:[0-9a-f]+$/);

    // Another staff member may not add someone else's preview; the preview stays as it was.
    const stolen = await press(h, ix, addId, other).callback();
    expect(stolen).toMatchObject({ type: 4, data: { flags: 64, content: 'Only the member who asked for this preview can use its buttons.' } });
    const stolenCancel = await press(h, ix, cancelId, other).callback();
    expect(stolenCancel.data?.content).toBe('Only the member who asked for this preview can use its buttons.');
    // The owner is checked again on Add: without Manage Server any more, they may not.
    const demoted = await press(h, ix, addId, { ...owner, permissions: '0' }).callback();
    expect(demoted).toMatchObject({ type: 4, data: { flags: 64, content: 'You need the Manage Server permission here to change the stories.' } });
    expect(buttonsOf(ix.original!).map((b) => b.label)).toEqual(['Add', 'Cancel']);

    const cancelled = await press(h, ix, cancelId, owner).callback();
    expect(cancelled).toMatchObject({ type: 7, data: { content: 'Cancelled: nothing was added.', embeds: [], components: [] } });

    // Add on the cancelled preview, and on one that never was.
    const spent = await press(h, ix, addId, owner).callback();
    expect(spent).toMatchObject({ type: 7, data: { content: 'This preview has expired (or I restarted): run /story add again.', components: [] } });
    const unknown = await h.fake.sendButton({ customId: 'v1:sadd:0123456789abcdef', ...owner }).callback();
    expect(unknown.data?.content).toMatch(/^This preview has expired/);

    await h.bot.whenIdle();
    expect(snapshot(h.config.corpusDir)).toEqual(before);
    expect(indexedIds(h)).toEqual(stories);
    expect(addedLog(h, FERRY.url)).toBeUndefined();
    expect(h.logs.some((line) => line['msg'] === 'story added' && String(line['url']).includes('ferry'))).toBe(false);
  });

  it('the same article twice: the second /story add names the story that holds it, and a stale preview adds nothing', async () => {
    const first = newStaff();
    const late = newStaff();
    // Two previews of the same page before either is added.
    const a = await preview(h, page('multiple-authors'), first);
    const b = await preview(h, page('multiple-authors'), late);
    expect(embedsOf(b.reply)).toHaveLength(1);
    await press(h, a.ix, button(a.reply, 'Add').custom_id, first).reply(isAdded);
    const id = addedLog(h, STORM.url)!['story'] as string;
    const after = snapshot(h.config.corpusDir);

    const again = await preview(h, page('multiple-authors'), newStaff());
    expect(again.reply.content).toBe(`That article is already a story: “${STORM.titles[0]}” (${id}).`);
    expect(again.reply.embeds).toEqual([]);
    expect(again.reply.components).toEqual([]);
    expect(again.ix.original?.flags).toBe(64);

    // The stale preview's Add: the desk checks again when it adds.
    const stale = press(h, b.ix, button(b.reply, 'Add').custom_id, late);
    const refused = await stale.reply((body) => /^Nothing was added/.test(body.content ?? ''));
    expect(refused.content).toContain(`“${STORM.titles[0]}” (${id})`);
    expect(snapshot(h.config.corpusDir)).toEqual(after);
    expect(h.logs.filter((line) => line['msg'] === 'story added' && line['url'] === STORM.url)).toHaveLength(1);
  });

  it('/story remove (autocompleted) removes a story, and /ask no longer quotes it', async () => {
    const staff = newStaff();
    const library = 'riverton-library-reopens';
    const title = 'Riverton library reopens a year after the flood';
    const question = 'How much did the library repairs cost?';
    expect(embedsOf(await ask(h, question))[0]?.title).toBe(title);

    const typed = await h.fake
      .sendAutocomplete({ name: 'story', options: [{ name: 'remove', type: 1, options: [{ name: 'story', type: 3, value: 'library', focused: true }] }], ...staff })
      .callback();
    expect(typed).toEqual({ type: 8, data: { choices: [{ name: `${title} (The Riverton Ledger)`, value: library }] } });

    const unknown = await h.fake.sendCommand({ ...storyCommand('remove', [{ name: 'story', type: 3, value: 'no-such-story' }]), ...staff }).callback();
    expect(unknown).toMatchObject({ type: 4, data: { flags: 64, content: 'I have no story called “no-such-story”: pick one from the list.' } });

    const ix = h.fake.sendCommand({ ...storyCommand('remove', [{ name: 'story', type: 3, value: library }]), ...staff });
    expect(await ix.callback()).toEqual({ type: 5, data: { flags: 64 } });
    expect((await ix.reply()).content).toBe(`Removed “${title}”. It can no longer be quoted.`);
    expect(existsSync(path.join(h.config.corpusDir, `${library}.md`))).toBe(false);
    expect(indexedIds(h)).not.toContain(library);
    expect(h.logs.find((line) => line['msg'] === 'story removed')).toMatchObject({
      change: 'story-removed',
      user: staff.userId,
      guild: STAFF_GUILD,
      story: library,
      url: 'https://example.com/riverton/library',
    });

    const after = await ask(h, question);
    expect(embedsOf(after).map((embed) => embed.title)).not.toContain(title);
    expect(JSON.stringify(after)).not.toContain('$1.8 million');
  });

  it('/story feeds without feeds says how to add them', async () => {
    const reply = await h.fake.sendCommand({ ...storyCommand('feeds'), ...newStaff() }).callback();
    expect(reply).toMatchObject({ type: 4, data: { flags: 64, embeds: [] } });
    expect(reply.data?.content).toMatch(/^I follow no feeds\. List them in FEEDS/);
  });

  it('/story list pages through the stories, newest first, ten to a page, with Next and Previous', async () => {
    // Ten more stories, dated after every other one, through the same rebuild the desk uses.
    for (let i = 1; i <= 10; i++) {
      const n = String(i).padStart(2, '0');
      writeStory(h.config.corpusDir, `extra-${n}`, [`Paragraph of extra story ${n} about the county fair and its prize-winning pumpkins.`], {
        published: `2030-01-${n}`,
        title: `Extra story ${n}`,
      });
    }
    await buildIndexFromCorpus(h.config, h.index.embedder);
    await h.index.checkNow();
    const total = storyFiles(h.config.corpusDir).length;
    expect(indexedIds(h)).toHaveLength(total);
    expect(total).toBeGreaterThan(10);
    expect(total).toBeLessThanOrEqual(20);

    const lineIds = (body: MessageBody) => [...(embedsOf(body)[0]?.description ?? '').matchAll(/`([a-z0-9-]+)`$/gm)].map((match) => match[1]);
    // Anyone may list (it changes nothing).
    const member = { userId: newMember() };
    const list = h.fake.sendCommand({ ...storyCommand('list'), ...member });
    const first = await list.callback();
    expect(first).toMatchObject({ type: 4, data: { flags: 64 } });
    const [embed] = embedsOf(first.data!);
    expect(embed?.title).toBe(`Stories (${total})`);
    expect(embed?.footer?.text).toBe('Page 1 of 2');
    expect(lineIds(first.data!)).toEqual(['10', '09', '08', '07', '06', '05', '04', '03', '02', '01'].map((n) => `extra-${n}`));
    expect(embed?.description?.split('\n')[0]).toBe('**Extra story 10** — The Test Gazette, January 10, 2030, 1 ¶ · `extra-10`');
    expect(buttonsOf(first.data!).map((b) => b.label)).toEqual(['Next']);

    const next = await h.fake.sendButton({ customId: button(first.data!, 'Next').custom_id, message: list.original!, ...member }).callback();
    expect(next.type).toBe(7);
    expect(embedsOf(next.data!)[0]?.footer?.text).toBe('Page 2 of 2');
    const rest = lineIds(next.data!);
    expect(rest).toHaveLength(total - 10);
    expect(new Set([...lineIds(first.data!), ...rest])).toEqual(new Set(indexedIds(h)));
    expect(buttonsOf(next.data!).map((b) => b.label)).toEqual(['Previous']);

    const back = await h.fake.sendButton({ customId: button(next.data!, 'Previous').custom_id, message: list.original!, ...member }).callback();
    expect(embedsOf(back.data!)[0]?.footer?.text).toBe('Page 1 of 2');
    expect(lineIds(back.data!)).toEqual(lineIds(first.data!));
  });
});

describe('feeds: polled at start-up, announced, retried', () => {
  let h: BotHarness;
  let control: ReturnType<typeof controllableEmbedder>['state'];
  const feed = () => `${pages.base}/feed.rss`;
  const flaky = () => `${pages.base}/flaky-feed.rss`;
  const notAFeed = () => page('short-brief');
  const FEED_STORIES = [STORM, CANNERY, FERRY];
  const announcementOf = (story: ReturnType<typeof expectedPage>) =>
    `New story: **${story.titles[0]}** — ${story.outlets[0]}, ${formatDate(story.published ?? "")} <${story.url}>`;

  beforeAll(async () => {
    const { embedder, state } = controllableEmbedder();
    control = state;
    h = await startDesk({ feeds: [feed(), flaky(), notAFeed(), `${pages.base}/late-feed.rss`], announceChannelId: ANNOUNCE_CHANNEL }, embedder);
  });
  afterAll(async () => closeHarness(h));

  it('the start-up poll adds the three items, announces each once without pings, and each can be asked about', async () => {
    for (const story of FEED_STORIES) {
      await h.fake.waitForChannelMessage((message) => unescapeMarkdown(message.body.content ?? '').includes(story.titles[0]!));
    }
    // A second poll (the first call may join the start-up poll still finishing) announces nothing more.
    await h.bot.feeds.pollNow();
    const fetched = pages.hitsOf('/feed.rss');
    await h.bot.feeds.pollNow();
    expect(pages.hitsOf('/feed.rss')).toBe(fetched + 1);

    const announced = h.fake.channelMessages;
    expect(announced).toHaveLength(3);
    expect(announced.map((message) => message.channelId)).toEqual([ANNOUNCE_CHANNEL, ANNOUNCE_CHANNEL, ANNOUNCE_CHANNEL]);
    expect(announced.map((message) => message.body.content)).toEqual(FEED_STORIES.map(announcementOf));
    for (const message of announced) expect(message.body.allowed_mentions).toEqual({ parse: [] });

    expect(storyFiles(h.config.corpusDir)).toHaveLength(6);
    const added = h.logs.filter((line) => line['msg'] === 'story added from a feed');
    expect(added.map((line) => line['url'])).toEqual(FEED_STORIES.map((story) => story.url));
    expect(added.every((line) => line['feed'] === feed())).toBe(true);
    for (const name of ['multiple-authors', 'jsonld-only', 'opengraph-only']) await expectAnswersFrom(h, name);
  });

  it('a feed that fails (HTTP 500, or not a feed) is logged, shown in /story feeds, retried on the next poll; the bot keeps answering', async () => {
    const warned = (feedUrl: string) => h.logs.filter((line) => line['msg'] === 'feed could not be read; will try again on the next poll' && line['feed'] === feedUrl);
    expect(warned(flaky())[0]?.['reason']).toMatch(/HTTP 500/);
    expect(warned(notAFeed())[0]?.['reason']).toMatch(/not a feed|not an RSS or Atom feed/);

    const tries = pages.hitsOf('/flaky-feed.rss');
    await h.bot.feeds.pollNow();
    expect(pages.hitsOf('/flaky-feed.rss')).toBe(tries + 1);
    expect(warned(flaky()).length).toBeGreaterThanOrEqual(2);

    const status = await h.fake.sendCommand({ ...storyCommand('feeds'), ...newStaff() }).callback();
    expect(status).toMatchObject({ type: 4, data: { flags: 64 } });
    const lines = unescapeMarkdown(status.data?.content ?? '').split('\n');
    expect(lines[0]).toBe('Feeds (polled every 15 min):');
    const lineOf = (feedUrl: string) => {
      const at = lines.findIndex((line) => line.startsWith(`• ${feedUrl}:`));
      expect(at, feedUrl).toBeGreaterThan(0);
      return [lines[at]!, lines[at + 1]?.startsWith('  ⚠') ? lines[at + 1]! : ''];
    };
    const [ok, okError] = lineOf(feed());
    expect(ok).toMatch(/: last polled \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, 3 stories added$/);
    expect(okError).toBe('');
    const [bad, badError] = lineOf(flaky());
    expect(bad).toMatch(/: last polled .* UTC, 0 stories added$/);
    expect(badError).toMatch(/HTTP 500/);
    expect(lineOf(notAFeed())[1]).toMatch(/⚠ .*feed/);

    // The feed recovers: the next poll clears its error.
    flakyFeedHealthy = true;
    await h.bot.feeds.pollNow();
    const healed = await h.fake.sendCommand({ ...storyCommand('feeds'), ...newStaff() }).callback();
    expect(unescapeMarkdown(healed.data?.content ?? '')).toMatch(new RegExp(`• ${flaky().replace(/[.?]/g, '\\$&')}: last polled .* UTC, 0 stories added(\n• |$)`));

    await expectAnswersFrom(h, 'jsonld-only');
    expect(h.fake.channelMessages).toHaveLength(3);
  });

  it('a rebuild that fails after a poll shows in /story feeds; once rebuilds work, the story is answerable and announced once', async () => {
    const files = storyFiles(h.config.corpusDir);
    control.failBuilds = true;
    lateFeedHasItem = true;
    await h.bot.feeds.pollNow();
    expect(h.logs.some((line) => String(line['msg']).startsWith('the index could not be rebuilt after a feed poll'))).toBe(true);
    const status = await h.fake.sendCommand({ ...storyCommand('feeds'), ...newStaff() }).callback();
    expect(unescapeMarkdown(status.data?.content ?? '')).toContain('The new stories could not be indexed yet');
    expect(h.fake.channelMessages).toHaveLength(3); // not announced: it cannot be asked about yet

    // The failed poll left the story's file in the corpus (news-desk.ts: "the next build (or poll) picks them up").
    const written = storyFiles(h.config.corpusDir).filter((file) => !files.includes(file));
    expect(written).toHaveLength(1);
    const id = written[0]!.replace(/\.md$/, '');

    control.failBuilds = false;
    await h.bot.feeds.pollNow();
    await h.bot.feeds.pollNow();
    // The next polls skip the item (its file and feed link are already there), so nothing rebuilds
    // and nothing announces it unless the desk remembers what the failed poll left behind.
    // Once rebuilds work again, the story is in the index, answerable, and announced exactly once.
    const buses = h.fake.channelMessages.filter((message) => unescapeMarkdown(message.body.content ?? '').includes(BUSES.titles[0]!));
    expect({ indexed: indexedIds(h).includes(id), announcements: buses.map((message) => message.body.content) }).toEqual({
      indexed: true,
      announcements: [announcementOf(BUSES)],
    });
    await expectAnswersFrom(h, 'byline-in-body');
  });
});

describe('Apps → Check against the story', () => {
  let h: BotHarness;
  const BRIDGE_TITLE = 'Harbor Bridge to close for six weeks of repairs';
  const BRIDGE_LEAD =
    'The Harbor Bridge will close to all traffic for six weeks starting July 10 while engineers replace its corroded steel cables, the state highway department said.';
  beforeAll(async () => {
    h = await startBotHarness({});
  });
  afterAll(async () => closeHarness(h));

  const check = (content: string) => h.fake.sendMessageCommand({ name: CHECK_COMMAND_NAME, target: { content } });

  it('quotes the paragraph that bears on a claim, privately', async () => {
    const ix = check('Apparently the Harbor Bridge is shutting down for six weeks from July 10 so they can swap out the corroded cables.');
    expect(await ix.callback()).toEqual({ type: 5, data: { flags: 64 } });
    const reply = await ix.reply();
    expect(reply.content).toBe('What the story says about this (quoted word for word; judge for yourself):');
    const [top] = embedsOf(reply);
    expect(top?.title).toBe(BRIDGE_TITLE);
    expect(top?.author?.name).toBe('The Coastal Courier');
    expect(shown(top?.description)).toBe(BRIDGE_LEAD);
    expect(reply.components).toEqual([]);
    expect(ix.original?.flags).toBe(64);
    await h.bot.whenIdle();
    expect(h.logs.find((line) => line['interaction'] === ix.id && line['msg'] === 'interaction')).toMatchObject({
      kind: 'message-command',
      command: CHECK_COMMAND_NAME,
      refused: null,
    });
  });

  it('says the stories do not cover an unrelated message, with no quotes', async () => {
    const reply = await check('Manchester United have signed the Benfica striker for 80 million euros on transfer deadline day.').reply();
    expect(reply.content).toBe("The stories don't cover this: I found no passage about it, so I can't say what they say.");
    expect(reply.embeds).toEqual([]);
  });

  it('finds the story in a long message where only one sentence is about it', async () => {
    const message = [
      'What a weekend, we took the kids to the beach and the ice cream stand was finally open again.',
      'My cousin says the Harbor Bridge closes to all traffic for six weeks starting July 10 while engineers replace the corroded steel cables.',
      'Anyway, see you all at the barbecue on Sunday afternoon, bring chairs and something to drink.',
    ].join(' ');
    expect(message.length).toBeGreaterThan(200);
    const reply = await check(message).reply();
    const [top] = embedsOf(reply);
    expect(top?.title).toBe(BRIDGE_TITLE);
    expect(shown(top?.description)).toBe(BRIDGE_LEAD);
  });

  it('a message with @everyone and a markdown link pings no one and renders nothing live', async () => {
    const hostile = '@everyone <@123456789012345678> read [this](https://evil.example/phish): the Harbor Bridge closes for six weeks starting July 10!';
    const ix = check(hostile);
    const reply = await ix.reply();
    expect(reply.allowed_mentions).toEqual({ parse: [] });
    expect(embedsOf(reply)[0]?.title).toBe(BRIDGE_TITLE);
    const visible = JSON.stringify({ content: reply.content, embeds: reply.embeds });
    expect(visible).not.toMatch(/(?<!\\)(?:@everyone|<@|\[this\]\()/);
    expect(visible).not.toContain('evil.example');

    const unrelated = await check('@everyone [free nitro](https://evil.example/nitro) <@&987654321098765432>').reply();
    expect(unrelated.allowed_mentions).toEqual({ parse: [] });
    expect(unrelated.content).not.toMatch(/(?<!\\)(?:@everyone|<@|\[free nitro\]\()/);
    expect(unrelated.content).not.toContain('evil.example');

    const emoji = await check('🎉🎉🎉').callback();
    expect(emoji).toMatchObject({ type: 4, data: { flags: 64, content: 'That message has no text I can check (only images, embeds or emoji).' } });
  });
});

describe('safety: private addresses', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startDesk({ allowPrivateUrls: false });
  });
  afterAll(async () => closeHarness(h));

  it('without ALLOW_PRIVATE_URLS a loopback address is refused in one sentence that names it, before any request', async () => {
    const before = snapshot(h.config.corpusDir);
    const fetched = pages.hitsOf('/jsonld-only.html');
    const ix = h.fake.sendCommand({ ...addCommand(page('jsonld-only')), ...newStaff() });
    const reply = await ix.reply();
    const text = unescapeMarkdown(reply.content ?? '');
    expect(text).toMatch(/^Refused to fetch /);
    expect(text).toContain('ALLOW_PRIVATE_URLS');
    expect(text).toContain('127.0.0.1');
    expect(text).not.toMatch(/[\r\n]/);
    expect(reply.embeds).toEqual([]);
    expect(reply.components).toEqual([]);
    expect(ix.original?.flags).toBe(64);
    await h.bot.whenIdle();
    expect(pages.hitsOf('/jsonld-only.html')).toBe(fetched);
    expect(snapshot(h.config.corpusDir)).toEqual(before);
    expect(h.logs.find((line) => line['msg'] === 'story preview refused')).toMatchObject({ url: page('jsonld-only') });
  });
});

describe('safety: cooldown, one change at a time, a failed add', () => {
  let h: BotHarness;
  let control: ReturnType<typeof controllableEmbedder>['state'];
  beforeAll(async () => {
    const { embedder, state } = controllableEmbedder();
    control = state;
    h = await startDesk({}, embedder);
  });
  afterAll(async () => closeHarness(h));

  it('a member waits 30 s between two /story add; other members do not', async () => {
    const staff = newStaff();
    const first = await preview(h, page('short-brief'), staff);
    expect(buttonsOf(first.reply).map((b) => b.label)).toEqual(['Add', 'Cancel']);
    const again = await h.fake.sendCommand({ ...addCommand(page('short-brief')), ...staff }).callback();
    expect(again).toMatchObject({ type: 4, data: { flags: 64 } });
    const wait = /^Please wait (\d+) s before adding another story\.$/.exec(again.data?.content ?? '');
    expect(wait, again.data?.content).not.toBeNull();
    expect(Number(wait![1])).toBeGreaterThan(25);
    expect(Number(wait![1])).toBeLessThanOrEqual(30);
    const someoneElse = await preview(h, page('short-brief'), newStaff());
    expect(buttonsOf(someoneElse.reply).map((b) => b.label)).toEqual(['Add', 'Cancel']);
  });

  it('two Adds pressed at once both succeed, one rebuild at a time, and both stories answer', async () => {
    const p = newStaff();
    const q = newStaff();
    const [ferry, storm] = await Promise.all([preview(h, page('opengraph-only'), p), preview(h, page('multiple-authors'), q)]);
    control.maxConcurrentBuilds = 0;
    const presses = [press(h, ferry.ix, button(ferry.reply, 'Add').custom_id, p), press(h, storm.ix, button(storm.reply, 'Add').custom_id, q)];
    const done = await Promise.all(presses.map((handle) => handle.reply((body) => /^(Added|Nothing was added)/.test(body.content ?? ''))));
    expect(done.map((body) => body.content)).toEqual([expect.stringMatching(/^Added “Ferry operator/), expect.stringMatching(/^Added “New storm surge study/)]);
    expect(control.maxConcurrentBuilds).toBe(1);

    const ids = [addedLog(h, FERRY.url)!['story'], addedLog(h, STORM.url)!['story']] as string[];
    expect(storyFiles(h.config.corpusDir)).toEqual(expect.arrayContaining(ids.map((id) => `${id}.md`)));
    expect(indexedIds(h)).toEqual(expect.arrayContaining(ids));
    await expectAnswersFrom(h, 'opengraph-only');
    await expectAnswersFrom(h, 'multiple-authors');
  });

  it('an add whose index rebuild fails changes nothing, says so, and the next add works', async () => {
    const staff = newStaff();
    const before = snapshot(h.config.corpusDir);
    const pointer = readFileSync(path.join(h.config.indexDir, CURRENT_FILE), 'utf8');
    const stories = indexedIds(h);
    const { ix, reply } = await preview(h, page('jsonld-only'), staff);
    control.failBuilds = true;
    let failed: MessageBody;
    try {
      failed = await press(h, ix, button(reply, 'Add').custom_id, staff).reply((body) => /^Nothing was added/.test(body.content ?? ''));
    } finally {
      control.failBuilds = false;
    }
    expect(failed.content).toMatch(/^Nothing was added: something went wrong on my side/);
    expect(failed.content).not.toMatch(/LOG_LEVEL|Unexpected error/);
    expect(failed.components).toEqual([]);
    await h.bot.whenIdle();
    expect(snapshot(h.config.corpusDir)).toEqual(before);
    expect(readFileSync(path.join(h.config.indexDir, CURRENT_FILE), 'utf8')).toBe(pointer);
    expect(indexedIds(h)).toEqual(stories);
    expect(addedLog(h, CANNERY.url)).toBeUndefined();
    expect(h.logs.find((line) => line['msg'] === 'story not added')).toMatchObject({ user: staff.userId, url: CANNERY.url });
    expect(embedsOf(await ask(h, QUESTIONS['jsonld-only']!.question)).map((embed) => embed.title)).not.toContain(CANNERY.titles[0]);

    // Nothing was left behind: the same page previews as new and adds.
    await addFromDiscord(h, page('jsonld-only'));
    await expectAnswersFrom(h, 'jsonld-only');
  });
});
