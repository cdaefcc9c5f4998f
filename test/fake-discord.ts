// A fake Discord (REST + gateway) on 127.0.0.1 for end-to-end tests with the real discord.js client.
// Wire facts it reproduces: /work/shared/notes/discord-wire.md. Frames are plain JSON (no zlib-sync here).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

// ---------------------------------------------------------------------------------------------
// Public types

export interface CommandOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  options?: CommandOption[];
}

/** A message body as the bot sends it (callback data, webhook POST/PATCH body). */
export interface MessageBody {
  content?: string;
  embeds?: Array<Record<string, unknown>>;
  components?: Array<Record<string, unknown>>;
  flags?: number;
  allowed_mentions?: Record<string, unknown>;
  attachments?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/** A message as Discord returns it. */
export interface DiscordMessage extends MessageBody {
  id: string;
  channel_id: string;
  author: DiscordUser;
  content: string;
  embeds: Array<Record<string, unknown>>;
  components: Array<Record<string, unknown>>;
  attachments: Array<Record<string, unknown>>;
  timestamp: string;
  edited_timestamp: string | null;
  flags: number;
}

export interface DiscordUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: string | null;
  bot?: boolean;
}

export interface InteractionCallback {
  /** 4 reply, 5 deferred reply, 6 deferred update, 7 update, 8 autocomplete result, 9 modal. */
  type: number;
  data?: MessageBody & { choices?: Array<{ name: string; value: string | number }> };
}

export interface UploadedFile {
  field: string;
  name: string;
  size: number;
}

export interface RestRequest {
  method: string;
  /** Path after /api/vN, percent-decoded ('/webhooks/:app/:token/messages/@original'). */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body (for multipart: the parsed payload_json), or null. */
  body: unknown;
  files: UploadedFile[];
  authorization: string | null;
  /** Status the fake answered with. */
  status: number;
}

export interface IdentifyPayload {
  token: string;
  intents: number;
  properties: Record<string, unknown>;
  shard?: [number, number];
  [key: string]: unknown;
}

export interface CommandPut {
  /** null for global commands. */
  guildId: string | null;
  body: Array<Record<string, unknown>>;
}

export interface Fault {
  /** Only requests with this method (case-insensitive); any method when omitted. */
  method?: string;
  /**
   * Substring of, or pattern tested against, RestRequest.path: any route, e.g. '/messages/@original',
   * `/channels/${id}/messages` (POST a channel message) or new RegExp(`^/channels/${id}$`) (GET the channel).
   * A faulted request is recorded in `requests` (with the fault's status) but has no other effect:
   * no channel message is recorded, no callback, no edit.
   */
  path: string | RegExp;
  status: number;
  /** How many matching requests fail; default 1 (Infinity: every one, e.g. a channel the bot may not post in). */
  times?: number;
  /** Seconds, for 429 (Retry-After / retry_after); default 0.05. */
  retryAfter?: number;
  /** Error body; a Discord-shaped one is made up when omitted. */
  body?: Record<string, unknown>;
}

export interface Actor {
  userId?: string;
  username?: string;
  channelId?: string;
  /** The interaction comes from a public thread (channelId) whose parent is this channel. */
  threadOf?: string;
  /** null sends the interaction from a DM (user instead of member). Any other guild id works too. */
  guildId?: string | null;
  locale?: string;
  /**
   * The member's permission bitfield as a decimal string (member.permissions): '0' for none,
   * String(1n << 5n) for Manage Guild only; default '2248473465835073', an ordinary member's
   * permissions (View Channel, Send Messages, Use Application Commands, ...; no Manage Guild, no Administrator).
   * Ignored in DMs, where there is no member.
   */
  permissions?: string;
}

export interface CommandInput extends Actor {
  name: string;
  options?: CommandOption[];
}

/** A message context-menu command ("Apps > name" on a message): interaction type 2, data.type 3. */
export interface MessageCommandInput extends Actor {
  /** The command's name as registered (context-menu names may have capitals and spaces). */
  name: string;
  /** The message the command was used on; it sits in the actor's channel. */
  target: {
    /** Default: a new snowflake. */
    id?: string;
    content: string;
    /** Default: a new snowflake (someone other than the actor). */
    authorId?: string;
    /** Default 'author'. */
    authorName?: string;
  };
}

/** A message the bot POSTed to /channels/:channelId/messages (not an interaction reply). */
export interface ChannelMessage {
  channelId: string;
  /** The body as sent (for multipart uploads: the payload_json). */
  body: MessageBody;
  /** The message the fake answered with (new id, author = the bot). */
  message: DiscordMessage;
  files: UploadedFile[];
}

export interface ComponentInput extends Actor {
  customId: string;
  /** The message carrying the component; fields left out are made up. */
  message?: Partial<DiscordMessage>;
  /** 2 button (default), 3 string select, ... */
  componentType?: number;
  values?: string[];
}

export interface InteractionHandle {
  readonly id: string;
  readonly token: string;
  /** The INTERACTION_CREATE payload as dispatched. */
  readonly payload: Record<string, unknown>;
  /**
   * The shard of each gateway connection the INTERACTION_CREATE went out on: the one shard that
   * holds its guild ((guild_id >> 22) % shard_count; DMs go to shard 0), once it is connected.
   */
  readonly deliveredOn: readonly number[];
  /** Every callback POSTed for this interaction, in order. */
  readonly callbacks: readonly InteractionCallback[];
  /** Every version of the original message: type 4/7 callback data and PATCH @original bodies. */
  readonly edits: readonly MessageBody[];
  /** Bodies POSTed to the follow-up webhook. */
  readonly followUps: readonly MessageBody[];
  /** The @original message as it stands now (what GET @original returns), or null. */
  readonly original: DiscordMessage | null;
  /** Whether the bot deleted @original. */
  readonly originalDeleted: boolean;
  /** The first callback (rejects after the timeout). */
  callback(): Promise<InteractionCallback>;
  /** The first version of the original message matching `matching` (default: any). */
  reply(matching?: (body: MessageBody) => boolean): Promise<MessageBody>;
  /** The index-th follow-up (default: first). */
  followUp(index?: number): Promise<MessageBody>;
}

export interface FakeDiscordOptions {
  /** Bot token the client must present; default 'fake-bot-token'. */
  token?: string;
  /** How long handle promises wait before rejecting; default 5000 ms. */
  timeoutMs?: number;
  /** HELLO heartbeat_interval; default 41250 ms like Discord. */
  heartbeatIntervalMs?: number;
  /** Callbacks later than this after delivery get 404 Unknown interaction, as on Discord; default 3000 ms. */
  interactionDeadlineMs?: number;
  /**
   * List the default guild in READY and send its GUILD_CREATE (with the default channel 'general'
   * and the bot's member), as Discord does for the Guilds intent, so the client caches the guild.
   * Default false: READY lists no guild and the client caches none. Without a cached guild,
   * discord.js's client.channels.fetch(id) of a guild channel resolves null (it drops channels of
   * unknown guilds), so turn this on to test code that fetches a channel and sends to it.
   * It also makes interaction.guild, interaction.channel and a GuildMember interaction.member non-null.
   */
  sendGuildCreate?: boolean;
  /** Active public threads of the default guild, listed in its GUILD_CREATE (with sendGuildCreate) as Discord does. */
  threads?: Array<{ id: string; parentId: string }>;
  /**
   * The shard count GET /gateway/bot recommends; default 1. The fake routes whatever the clients
   * IDENTIFY with ({ shard: [id, count] }), one connection per shard id, as Discord does.
   */
  shards?: number;
}

export interface FakeDiscord {
  readonly apiBase: string;
  readonly gatewayUrl: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly userId: string;
  readonly requests: readonly RestRequest[];
  readonly putCommands: readonly CommandPut[];
  /** Messages the bot POSTed to /channels/:id/messages and the fake accepted, in order. */
  readonly channelMessages: readonly ChannelMessage[];
  readonly identifies: readonly IdentifyPayload[];
  readonly heartbeats: number;
  /** The first IDENTIFY (resolves at once if one already arrived). */
  waitForIdentify(): Promise<IdentifyPayload>;
  /** The first request matching the predicate (resolves at once if one already arrived). */
  waitForRequest(matching: (request: RestRequest) => boolean): Promise<RestRequest>;
  /** The first channel message matching (default: any; resolves at once if one already arrived; rejects after timeoutMs). */
  waitForChannelMessage(matching?: (message: ChannelMessage) => boolean): Promise<ChannelMessage>;
  sendCommand(input: CommandInput): InteractionHandle;
  /** A message context-menu command; data.id is the registered command's (by name, type 3) if any. */
  sendMessageCommand(input: MessageCommandInput): InteractionHandle;
  sendButton(input: ComponentInput): InteractionHandle;
  sendAutocomplete(input: CommandInput): InteractionHandle;
  /** Answers the next matching REST requests with an error instead. */
  failNext(fault: Fault): void;
  /**
   * Kills a gateway socket (shard 0's unless `shard` says which) without a close frame. Resolves with how the client came back:
   * 'resumed' (RESUME accepted), or 'identified' when `resumable: false` made the fake refuse
   * the RESUME (op 9), forcing a fresh IDENTIFY (discord.js throttles that to 5 s after the last one).
   */
  dropGateway(options?: { resumable?: boolean; shard?: number }): Promise<'resumed' | 'identified'>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const DISCORD_EPOCH = 1420070400000n;
// A fixed timestamp keeps ids identical from run to run.
const ID_TIMESTAMP = 1735689600000n; // 2025-01-01

const OP = {
  dispatch: 0,
  heartbeat: 1,
  identify: 2,
  resume: 6,
  reconnect: 7,
  invalidSession: 9,
  hello: 10,
  heartbeatAck: 11,
} as const;

/** The shard Discord sends a guild's events to; DMs (no guild) go to shard 0. */
export function shardOf(guildId: string | null, shardCount: number): number {
  return guildId ? Number((BigInt(guildId) >> 22n) % BigInt(shardCount)) : 0;
}

/** A guild id (snowflake) that Discord routes to `shard` of `shardCount`; `n` picks another one. */
export function guildIdOnShard(shard: number, shardCount: number, n = 1): string {
  // The shard comes from the id's timestamp (milliseconds since Discord's epoch) modulo the count.
  const since = ID_TIMESTAMP - DISCORD_EPOCH + 1000n * BigInt(n);
  const ms = since - (since % BigInt(shardCount)) + BigInt(shard);
  return String((ms << 22n) | BigInt(n));
}

const EPHEMERAL = 64;
const LOADING = 128;

/** A log that can be awaited: waitFor resolves with the first matching item, present or future. */
class Waitable<T> {
  readonly items: T[] = [];
  readonly #waiters = new Set<{
    matches: (item: T) => boolean;
    resolve: (item: T) => void;
    reject: (error: Error) => void;
    timer: NodeJS.Timeout;
  }>();

  constructor(
    private readonly timeoutMs: number,
    registry: Set<Waitable<unknown>>,
  ) {
    registry.add(this as Waitable<unknown>);
  }

  push(item: T): void {
    this.items.push(item);
    for (const waiter of this.#waiters) {
      if (!waiter.matches(item)) continue;
      clearTimeout(waiter.timer);
      this.#waiters.delete(waiter);
      waiter.resolve(item);
    }
  }

  waitFor(
    matches: (item: T) => boolean,
    what: string,
    { fromIndex = 0, timeoutMs = this.timeoutMs }: { fromIndex?: number; timeoutMs?: number } = {},
  ): Promise<T> {
    const existing = this.items.slice(fromIndex).find(matches);
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        matches,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(new Error(`fake Discord: timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  rejectAll(error: Error): void {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.#waiters.clear();
  }
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const noContent: Reply = { status: 204 };

function discordError(status: number, code: number, message: string): Reply {
  return { status, body: { message, code } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readRequestBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON body, or the payload_json part plus file list of a multipart upload (replies with files). */
async function parseBody(
  raw: Buffer,
  contentType: string | undefined,
): Promise<{ body: unknown; files: UploadedFile[] }> {
  if (raw.length === 0) return { body: null, files: [] };
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    const files: UploadedFile[] = [];
    let body: unknown = null;
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = JSON.parse(value);
      } else {
        files.push({ field, name: value.name, size: value.size });
      }
    }
    return { body, files };
  }
  const text = raw.toString('utf8');
  try {
    return { body: JSON.parse(text), files: [] };
  } catch {
    return { body: text, files: [] };
  }
}

/** Discord keys commands by name and type: a slash command and a message command may share a name. */
function sameCommand(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return a['name'] === b['name'] && (a['type'] ?? 1) === (b['type'] ?? 1);
}

function messageBodyOf(body: unknown): MessageBody {
  return isRecord(body) ? (body as MessageBody) : {};
}

// ---------------------------------------------------------------------------------------------
// The fake

interface InteractionState {
  id: string;
  token: string;
  type: number;
  payload: Record<string, unknown>;
  channelId: string;
  guildId: string | null;
  deliveredAt: number | null;
  deliveredOn: number[];
  /** Id of the message @original points at, once there is one. */
  originalId: string | null;
  originalDeleted: boolean;
  callbacks: Waitable<InteractionCallback>;
  edits: Waitable<MessageBody>;
  followUps: Waitable<MessageBody>;
}

interface GatewaySession {
  id: string;
  /** [shard id, shard count] from IDENTIFY. */
  shard: [number, number];
  seq: number;
  socket: WebSocket | null;
  resumable: boolean;
}

interface PendingDispatch {
  t: string;
  d: Record<string, unknown>;
  /** Routes the event to the shard that holds this guild (null: shard 0). */
  guildId: string | null;
  onSent?: (shard: number) => void;
}

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? 'fake-bot-token';
  const timeoutMs = options.timeoutMs ?? 5000;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41250;
  const interactionDeadlineMs = options.interactionDeadlineMs ?? 3000;
  const sendGuildCreate = options.sendGuildCreate ?? false;
  const recommendedShards = options.shards ?? 1;

  let idCounter = 0n;
  const snowflake = (): string => String(((ID_TIMESTAMP - DISCORD_EPOCH) << 22n) | ++idCounter);

  const applicationId = snowflake();
  const botUserId = applicationId; // as for bots created in the developer portal
  const guildId = snowflake();
  const channelId = snowflake();
  const userId = snowflake();
  const botUser: DiscordUser = {
    id: botUserId,
    username: 'Verbatim',
    discriminator: '0',
    global_name: null,
    avatar: null,
    bot: true,
  };

  const waitables = new Set<Waitable<unknown>>();
  const requests = new Waitable<RestRequest>(timeoutMs, waitables);
  const identifies = new Waitable<IdentifyPayload>(timeoutMs, waitables);
  const sessionStarts = new Waitable<'resumed' | 'identified'>(timeoutMs, waitables);
  const putCommands: CommandPut[] = [];
  const channelMessages = new Waitable<ChannelMessage>(timeoutMs, waitables);
  const registeredCommands = new Map<string, Array<Record<string, unknown>>>(); // key: guildId or 'global'
  const faults: Array<Fault & { remaining: number }> = [];
  const interactions = new Map<string, InteractionState>();
  const interactionsByToken = new Map<string, InteractionState>();
  const messages = new Map<string, DiscordMessage>();
  let heartbeats = 0;
  // One session per shard id; a new IDENTIFY for a shard replaces its session.
  const sessions = new Map<number, GatewaySession>();
  // Dispatches made while their shard is not connected; delivered (replayed) on its next READY/RESUMED.
  const pending: PendingDispatch[] = [];

  const server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: `fake Discord crashed: ${String(error)}`, code: 0 }));
    });
  });
  const gateway = new WebSocketServer({ server });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const apiBase = `http://127.0.0.1:${port}/api`;
  const gatewayUrl = `ws://127.0.0.1:${port}`;

  // ---- REST -----------------------------------------------------------------------------------

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', apiBase);
    const method = (request.method ?? 'GET').toUpperCase();
    const apiPath = /^\/api(?:\/v\d+)?(\/.*)$/.exec(url.pathname)?.[1] ?? url.pathname;
    const path = apiPath.split('/').map(decodeURIComponent).join('/');
    const { body, files } = await parseBody(await readRequestBody(request), request.headers['content-type']);
    const record: RestRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body,
      files,
      authorization: request.headers.authorization ?? null,
      status: 0,
    };
    const reply = takeFault(method, path) ?? route(record);
    record.status = reply.status;
    requests.push(record);
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.body !== undefined) headers['content-type'] = 'application/json';
    response.writeHead(reply.status, headers);
    response.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  function takeFault(method: string, path: string): Reply | null {
    const fault = faults.find(
      (candidate) =>
        (candidate.method === undefined || candidate.method.toUpperCase() === method) &&
        (typeof candidate.path === 'string' ? path.includes(candidate.path) : candidate.path.test(path)),
    );
    if (!fault) return null;
    if (--fault.remaining <= 0) faults.splice(faults.indexOf(fault), 1);
    if (fault.status === 429) {
      const retryAfter = fault.retryAfter ?? 0.05;
      // The headers discord.js reads to wait and retry (see @discordjs/rest SequentialHandler).
      return {
        status: 429,
        headers: {
          'retry-after': String(retryAfter),
          'x-ratelimit-limit': '1',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(retryAfter),
          'x-ratelimit-bucket': 'fake-bucket',
          'x-ratelimit-scope': 'user',
        },
        body: fault.body ?? { message: 'You are being rate limited.', retry_after: retryAfter, global: false },
      };
    }
    return { status: fault.status, body: fault.body ?? { message: `${fault.status}: injected by the fake`, code: 0 } };
  }

  function route(request: RestRequest): Reply {
    const { method, path } = request;
    let match: RegExpExecArray | null;

    const needsBotAuth = !path.startsWith('/interactions/') && !path.startsWith('/webhooks/');
    if (needsBotAuth && request.authorization !== `Bot ${token}`) {
      return discordError(401, 0, '401: Unauthorized');
    }

    if (method === 'GET' && (path === '/gateway/bot' || path === '/gateway')) {
      return {
        status: 200,
        body: {
          url: gatewayUrl,
          shards: recommendedShards,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
        },
      };
    }
    if (method === 'GET' && path === '/users/@me') return { status: 200, body: botUser };
    if (method === 'GET' && path === '/applications/@me') return { status: 200, body: applicationObject() };

    if ((match = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands(?:\/(\d+))?$/.exec(path))) {
      const [, appId, commandGuildId, commandId] = match;
      if (appId !== applicationId) return discordError(403, 50001, 'Missing Access');
      return commandsRoute(method, commandGuildId ?? null, commandId ?? null, request.body);
    }

    if ((match = /^\/channels\/(\d+)$/.exec(path)) && method === 'GET') {
      return { status: 200, body: channelObject(match[1] ?? '') };
    }
    if ((match = /^\/channels\/(\d+)\/messages$/.exec(path)) && method === 'POST') {
      return channelMessageRoute(match[1] ?? '', request);
    }

    if ((match = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path))) {
      return interactionCallback(match[1] ?? '', match[2] ?? '', request);
    }

    if ((match = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/.exec(path))) {
      const [, appId, webhookToken = '', messageId] = match;
      const state = interactionsByToken.get(webhookToken);
      if (appId !== applicationId || !state) return discordError(404, 10015, 'Unknown Webhook');
      return messageId === undefined ? followUpRoute(state, request) : webhookMessageRoute(state, messageId, request);
    }

    return discordError(404, 0, `404: Not Found (the fake does not serve ${method} ${path})`);
  }

  function applicationObject(): Record<string, unknown> {
    return { id: applicationId, name: botUser.username, flags: 0, bot_public: false, bot: botUser, description: '' };
  }

  /** Any channel id is a text channel of the default guild ('general' for the default channel, else 'news'). */
  function channelObject(id: string): Record<string, unknown> {
    return {
      id,
      type: 0,
      guild_id: guildId,
      name: id === channelId ? 'general' : 'news',
      position: 0,
      permission_overwrites: [],
      topic: null,
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      parent_id: null,
      flags: 0,
    };
  }

  /** A public thread of the default guild under `parentId`. */
  function threadObject(id: string, parentId: string): Record<string, unknown> {
    return {
      id,
      type: 11,
      guild_id: guildId,
      name: 'a thread',
      parent_id: parentId,
      owner_id: applicationId,
      member_count: 1,
      message_count: 0,
      rate_limit_per_user: 0,
      flags: 0,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date(Number(ID_TIMESTAMP)).toISOString(), locked: false },
    };
  }

  /** What Discord fills in on a message the bot posts: a new id, the channel, the bot as author, the parts sent. */
  function postedBy(targetChannelId: string, body: MessageBody) {
    return {
      id: snowflake(),
      channel_id: targetChannelId,
      author: botUser,
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      components: body.components ?? [],
      attachments: body.attachments ?? [],
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      flags: body.flags ?? 0,
    };
  }

  function channelMessageRoute(targetChannelId: string, request: RestRequest): Reply {
    const body = messageBodyOf(request.body);
    const message: DiscordMessage = {
      type: 0,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      ...postedBy(targetChannelId, body),
    };
    messages.set(message.id, message); // so sendButton({ message }) can press a button on it
    channelMessages.push({ channelId: targetChannelId, body, message, files: request.files });
    return { status: 200, body: message };
  }

  function commandsRoute(method: string, commandGuildId: string | null, commandId: string | null, body: unknown): Reply {
    const key = commandGuildId ?? 'global';
    const current = registeredCommands.get(key) ?? [];
    const withIds = (command: Record<string, unknown>, id: string): Record<string, unknown> => ({
      type: 1,
      description: '',
      options: [],
      default_member_permissions: null,
      nsfw: false,
      ...command,
      id,
      application_id: applicationId,
      version: snowflake(),
      ...(commandGuildId ? { guild_id: commandGuildId } : {}),
    });
    if (method === 'PUT' && commandId === null) {
      if (!Array.isArray(body)) return discordError(400, 50035, 'Invalid Form Body');
      const commands = body.filter(isRecord);
      putCommands.push({ guildId: commandGuildId, body: commands });
      // Bulk overwrite keeps the ids of commands that already exist by name, like Discord.
      const stored = commands.map((command) =>
        withIds(command, String(current.find((old) => sameCommand(old, command))?.['id'] ?? snowflake())),
      );
      registeredCommands.set(key, stored);
      return { status: 200, body: stored };
    }
    if (method === 'GET' && commandId === null) return { status: 200, body: current };
    if (method === 'POST' && commandId === null && isRecord(body)) {
      const stored = withIds(body, snowflake());
      registeredCommands.set(key, [...current.filter((old) => !sameCommand(old, body)), stored]);
      return { status: 201, body: stored };
    }
    const existing = current.find((command) => command['id'] === commandId);
    if (!existing) return discordError(404, 10063, 'Unknown application command');
    if (method === 'GET') return { status: 200, body: existing };
    if (method === 'DELETE') {
      registeredCommands.set(
        key,
        current.filter((command) => command !== existing),
      );
      return noContent;
    }
    return discordError(405, 0, '405: Method Not Allowed');
  }

  function interactionCallback(id: string, interactionToken: string, request: RestRequest): Reply {
    const state = interactions.get(id);
    if (!state || state.token !== interactionToken) return discordError(404, 10062, 'Unknown interaction');
    if (state.deliveredAt === null || Date.now() - state.deliveredAt > interactionDeadlineMs) {
      return discordError(404, 10062, 'Unknown interaction');
    }
    if (state.callbacks.items.length > 0) {
      return discordError(400, 40060, 'Interaction has already been acknowledged.');
    }
    if (!isRecord(request.body) || typeof request.body['type'] !== 'number') {
      return discordError(400, 50035, 'Invalid Form Body');
    }
    const callback: InteractionCallback = { type: request.body['type'] };
    if (isRecord(request.body['data'])) callback.data = request.body['data'] as InteractionCallback['data'];
    const data = callback.data ?? {};

    if (callback.type === 4 || callback.type === 5) {
      const loading = callback.type === 5 ? LOADING : 0;
      const message = createMessage(state, { ...data, flags: ((data.flags ?? 0) & EPHEMERAL) | loading });
      state.originalId = message.id;
    } else if (callback.type === 7 && state.originalId) {
      updateMessage(state.originalId, data);
    }
    state.callbacks.push(callback);
    if (callback.type === 4 || callback.type === 7) state.edits.push(data);

    if (request.query['with_response'] !== 'true') return noContent;
    const original = state.originalId ? messages.get(state.originalId) : undefined;
    return {
      status: 200,
      body: {
        interaction: {
          id: state.id,
          type: state.type,
          response_message_id: original?.id ?? null,
          response_message_loading: callback.type === 5,
          response_message_ephemeral: ((original?.flags ?? 0) & EPHEMERAL) !== 0,
        },
        resource: { type: callback.type, ...(original ? { message: original } : {}) },
      },
    };
  }

  function webhookMessageRoute(state: InteractionState, messageId: string, request: RestRequest): Reply {
    const targetId = messageId === '@original' ? state.originalId : messageId;
    const message = targetId ? messages.get(targetId) : undefined;
    if (!message || (messageId === '@original' && state.originalDeleted)) {
      return discordError(404, 10008, 'Unknown Message');
    }
    if (request.method === 'GET') return { status: 200, body: message };
    if (request.method === 'PATCH') {
      const body = messageBodyOf(request.body);
      const updated = updateMessage(message.id, body);
      if (message.id === state.originalId) state.edits.push(body);
      return { status: 200, body: updated };
    }
    if (request.method === 'DELETE') {
      messages.delete(message.id);
      if (message.id === state.originalId) state.originalDeleted = true;
      return noContent;
    }
    return discordError(405, 0, '405: Method Not Allowed');
  }

  function followUpRoute(state: InteractionState, request: RestRequest): Reply {
    if (request.method !== 'POST') return discordError(405, 0, '405: Method Not Allowed');
    if (state.callbacks.items.length === 0) return discordError(404, 10015, 'Unknown Webhook');
    const body = messageBodyOf(request.body);
    const message = createMessage(state, body);
    state.followUps.push(body);
    return request.query['wait'] === 'true' ? { status: 200, body: message } : noContent;
  }

  function createMessage(state: InteractionState, body: MessageBody): DiscordMessage {
    const message: DiscordMessage = {
      type: 20, // reply to a chat input command
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      webhook_id: applicationId,
      application_id: applicationId,
      ...(state.guildId ? { guild_id: state.guildId } : {}),
      ...body,
      ...postedBy(state.channelId, body),
    };
    messages.set(message.id, message);
    return message;
  }

  function updateMessage(messageId: string, body: MessageBody): DiscordMessage | undefined {
    const message = messages.get(messageId);
    if (!message) return undefined;
    // An edit finishes a deferred ("thinking…") reply but keeps it ephemeral.
    Object.assign(message, body, {
      flags: (message.flags & ~LOADING) | ((body.flags ?? 0) & ~LOADING),
      edited_timestamp: new Date().toISOString(),
    });
    return message;
  }

  // ---- gateway --------------------------------------------------------------------------------

  function send(socket: WebSocket, payload: Record<string, unknown>): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
  }

  type LiveSession = GatewaySession & { socket: WebSocket };

  function sendDispatch(live: LiveSession, dispatch: Omit<PendingDispatch, 'guildId'> & { onSent?: (shard: number) => void }): void {
    send(live.socket, { op: OP.dispatch, t: dispatch.t, s: ++live.seq, d: dispatch.d });
    dispatch.onSent?.(live.shard[0]);
  }

  const holds = (live: GatewaySession, guild: string | null) => shardOf(guild, live.shard[1]) === live.shard[0];

  function dispatch(event: PendingDispatch): void {
    const live = [...sessions.values()].find((candidate) => candidate.socket && holds(candidate, event.guildId));
    if (live) sendDispatch(live as LiveSession, event);
    else pending.push(event);
  }

  function flushPending(live: LiveSession): void {
    for (const event of pending.filter((candidate) => holds(live, candidate.guildId))) {
      pending.splice(pending.indexOf(event), 1);
      sendDispatch(live, event);
    }
  }

  const sessionOf = (socket: WebSocket) => [...sessions.values()].find((candidate) => candidate.socket === socket);

  gateway.on('connection', (socket) => {
    socket.on('error', () => {}); // a killed socket is expected in drop tests
    socket.on('close', () => {
      const closed = sessionOf(socket);
      if (closed) closed.socket = null;
    });
    socket.on('message', (data: RawData) => onGatewayFrame(socket, data));
    send(socket, { op: OP.hello, d: { heartbeat_interval: heartbeatIntervalMs } });
  });

  function onGatewayFrame(socket: WebSocket, data: RawData): void {
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      socket.close(4002, 'Decode error');
      return;
    }
    if (!isRecord(frame)) return;
    const d = isRecord(frame['d']) ? frame['d'] : {};
    switch (frame['op']) {
      case OP.heartbeat:
        heartbeats++;
        send(socket, { op: OP.heartbeatAck });
        return;
      case OP.identify: {
        if (d['token'] !== token) {
          socket.close(4004, 'Authentication failed.');
          return;
        }
        if (sessionOf(socket)) {
          socket.close(4005, 'Already authenticated.');
          return;
        }
        const shard = Array.isArray(d['shard']) ? (d['shard'] as [number, number]) : ([0, 1] as [number, number]);
        if (!(Number.isInteger(shard[0]) && Number.isInteger(shard[1]) && shard[0] >= 0 && shard[0] < shard[1])) {
          socket.close(4010, 'Invalid shard.');
          return;
        }
        identifies.push(d as IdentifyPayload);
        sessions.get(shard[0])?.socket?.terminate(); // a new session for a shard replaces its old one
        const live: LiveSession = { id: snowflake(), shard, seq: 0, socket, resumable: true };
        sessions.set(shard[0], live);
        // The guild is listed (and created) only on the shard that holds it.
        const listsGuild = sendGuildCreate && holds(live, guildId);
        sendDispatch(live, {
          t: 'READY',
          d: {
            v: 10,
            user: botUser,
            application: { id: applicationId, flags: 0 },
            // A listed guild makes discord.js wait (up to 15 s) for its GUILD_CREATE before 'ready'.
            guilds: listsGuild ? [{ id: guildId, unavailable: true }] : [],
            session_id: live.id,
            resume_gateway_url: gatewayUrl,
            shard,
            user_settings: {},
            private_channels: [],
            relationships: [],
            presences: [],
          },
        });
        if (listsGuild) sendDispatch(live, { t: 'GUILD_CREATE', d: guildCreatePayload() });
        flushPending(live);
        sessionStarts.push('identified');
        return;
      }
      case OP.resume: {
        if (d['token'] !== token) {
          socket.close(4004, 'Authentication failed.');
          return;
        }
        const session = [...sessions.values()].find((candidate) => candidate.id === d['session_id']);
        if (!session || !session.resumable) {
          send(socket, { op: OP.invalidSession, d: false });
          return;
        }
        session.socket?.terminate();
        session.socket = socket;
        const live = session as LiveSession;
        flushPending(live); // Discord replays missed events before RESUMED
        sendDispatch(live, { t: 'RESUMED', d: {} });
        sessionStarts.push('resumed');
        return;
      }
      default:
        return; // presence updates, voice state, request guild members: not needed
    }
  }

  function guildCreatePayload(): Record<string, unknown> {
    const joinedAt = new Date(Number(ID_TIMESTAMP)).toISOString();
    return {
      id: guildId,
      name: 'Fake Guild',
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: userId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      premium_progress_bar_enabled: false,
      preferred_locale: 'en-US',
      features: [],
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      vanity_url_code: null,
      roles: [
        {
          id: guildId, // @everyone has the guild's id
          name: '@everyone',
          permissions: '2248473465835073',
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      emojis: [],
      stickers: [],
      joined_at: joinedAt,
      large: false,
      unavailable: false,
      member_count: 2,
      members: [{ user: botUser, roles: [], joined_at: joinedAt, deaf: false, mute: false, flags: 0 }],
      channels: [{ ...channelObject(channelId), guild_id: undefined }],
      threads: (options.threads ?? []).map((thread) => threadObject(thread.id, thread.parentId)),
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  // ---- interactions ---------------------------------------------------------------------------

  function baseInteraction(type: number, actor: Actor): { state: InteractionState; payload: Record<string, unknown> } {
    const interactionGuildId = actor.guildId === undefined ? guildId : actor.guildId;
    const interactionChannelId = actor.channelId ?? channelId;
    const user: DiscordUser = {
      id: actor.userId ?? userId,
      username: actor.username ?? 'tester',
      discriminator: '0',
      global_name: null,
      avatar: null,
    };
    const id = snowflake();
    const interactionToken = `interaction-token-${id}`;
    const payload: Record<string, unknown> = {
      id,
      application_id: applicationId,
      type,
      token: interactionToken,
      version: 1,
      channel_id: interactionChannelId,
      locale: actor.locale ?? 'en-US',
      app_permissions: '2248473465835073',
      entitlements: [], // discord.js reduces over this; leaving it out throws
      attachment_size_limit: 10_485_760,
    };
    if (interactionGuildId) {
      Object.assign(payload, {
        guild_id: interactionGuildId,
        guild_locale: 'en-US',
        channel: actor.threadOf
          ? { ...threadObject(interactionChannelId, actor.threadOf), guild_id: interactionGuildId }
          : { id: interactionChannelId, type: 0, guild_id: interactionGuildId, name: 'general' },
        member: {
          user,
          roles: [],
          permissions: actor.permissions ?? '2248473465835073',
          joined_at: new Date(Number(ID_TIMESTAMP)).toISOString(),
          deaf: false,
          mute: false,
          flags: 0,
        },
        authorizing_integration_owners: { '0': interactionGuildId },
        context: 0,
      });
    } else {
      Object.assign(payload, {
        channel: { id: interactionChannelId, type: 1, recipients: [user] },
        user,
        authorizing_integration_owners: { '0': interactionGuildId ?? '0', '1': user.id },
        context: 1,
      });
    }
    const state: InteractionState = {
      id,
      token: interactionToken,
      type,
      payload,
      channelId: interactionChannelId,
      guildId: interactionGuildId,
      deliveredAt: null,
      deliveredOn: [],
      originalId: null,
      originalDeleted: false,
      callbacks: new Waitable(timeoutMs, waitables),
      edits: new Waitable(timeoutMs, waitables),
      followUps: new Waitable(timeoutMs, waitables),
    };
    return { state, payload };
  }

  function deliver(state: InteractionState): InteractionHandle {
    interactions.set(state.id, state);
    interactionsByToken.set(state.token, state);
    dispatch({
      t: 'INTERACTION_CREATE',
      d: state.payload,
      guildId: state.guildId,
      onSent: (shard) => {
        state.deliveredAt = Date.now();
        state.deliveredOn.push(shard);
      },
    });
    const label = `interaction ${state.id} (type ${state.type})`;
    return {
      id: state.id,
      token: state.token,
      payload: state.payload,
      deliveredOn: state.deliveredOn,
      callbacks: state.callbacks.items,
      edits: state.edits.items,
      followUps: state.followUps.items,
      get original() {
        return state.originalId && !state.originalDeleted ? (messages.get(state.originalId) ?? null) : null;
      },
      get originalDeleted() {
        return state.originalDeleted;
      },
      callback: () => state.callbacks.waitFor(() => true, `the callback of ${label}`),
      reply: (matching = () => true) => state.edits.waitFor(matching, `the reply to ${label}`),
      followUp: (index = 0) =>
        state.followUps.waitFor(
          (item) => state.followUps.items.indexOf(item) === index,
          `follow-up #${index} of ${label}`,
        ),
    };
  }

  /** Id (and guild_id for guild commands) of the registered command, or a made-up id. */
  function commandIdentity(actor: Actor, name: string, type: number): Record<string, unknown> {
    const interactionGuildId = actor.guildId === undefined ? guildId : actor.guildId;
    const registered = [
      ...(interactionGuildId ? (registeredCommands.get(interactionGuildId) ?? []) : []),
      ...(registeredCommands.get('global') ?? []),
    ].find((command) => sameCommand(command, { name, type }));
    return {
      id: registered?.['id'] ?? snowflake(),
      name,
      type,
      ...(registered?.['guild_id'] ? { guild_id: registered['guild_id'] } : {}),
    };
  }

  function commandData(input: CommandInput): Record<string, unknown> {
    return { ...commandIdentity(input, input.name, 1), ...(input.options ? { options: input.options } : {}) };
  }

  // ---- the handle -----------------------------------------------------------------------------

  return {
    apiBase,
    gatewayUrl,
    token,
    applicationId,
    botUserId,
    guildId,
    channelId,
    userId,
    requests: requests.items,
    putCommands,
    channelMessages: channelMessages.items,
    identifies: identifies.items,
    get heartbeats() {
      return heartbeats;
    },

    waitForIdentify: () => identifies.waitFor(() => true, 'IDENTIFY'),
    waitForRequest: (matching) => requests.waitFor(matching, 'a matching REST request'),
    waitForChannelMessage: (matching = () => true) => channelMessages.waitFor(matching, 'a matching channel message'),

    sendCommand(input) {
      const { state, payload } = baseInteraction(2, input);
      payload['data'] = commandData(input);
      return deliver(state);
    },

    sendMessageCommand(input) {
      const { state, payload } = baseInteraction(2, input);
      const targetId = input.target.id ?? snowflake();
      const author: DiscordUser = {
        id: input.target.authorId ?? snowflake(),
        username: input.target.authorName ?? 'author',
        discriminator: '0',
        global_name: null,
        avatar: null,
      };
      const target = {
        id: targetId,
        channel_id: state.channelId,
        content: input.target.content,
        author,
        timestamp: new Date(Number(ID_TIMESTAMP)).toISOString(),
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions: [],
        mention_roles: [],
        attachments: [],
        embeds: [],
        pinned: false,
        type: 0,
        flags: 0,
        components: [],
      };
      payload['data'] = {
        ...commandIdentity(input, input.name, 3),
        target_id: targetId,
        resolved: { messages: { [targetId]: target } },
      };
      return deliver(state);
    },

    sendAutocomplete(input) {
      const { state, payload } = baseInteraction(4, input);
      payload['data'] = commandData(input);
      return deliver(state);
    },

    sendButton(input) {
      const { state, payload } = baseInteraction(3, input);
      const componentType = input.componentType ?? 2;
      payload['data'] = {
        custom_id: input.customId,
        component_type: componentType,
        ...(input.values ? { values: input.values } : {}),
      };
      // The component's message: reuse ours when the test passes one of the bot's messages back.
      const known = input.message?.id ? messages.get(input.message.id) : undefined;
      const message =
        known ??
        createMessage(state, {
          content: '',
          components: [
            { type: 1, components: [{ type: componentType, custom_id: input.customId, style: 1, label: 'Button' }] },
          ],
          ...input.message,
        });
      if (known && input.message) Object.assign(known, input.message);
      payload['message'] = message;
      // For component interactions @original is the message carrying the component.
      state.originalId = message.id;
      return deliver(state);
    },

    failNext(fault) {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },

    async dropGateway({ resumable = true, shard = 0 } = {}) {
      const current = sessions.get(shard);
      if (!current?.socket) throw new Error('fake Discord: no gateway connection to drop');
      const from = sessionStarts.items.length;
      current.resumable = resumable;
      current.socket.terminate(); // no close frame: the client sees 1006 and tries to resume
      current.socket = null;
      // A refused RESUME costs discord.js up to 5 s of identify throttling plus a 0.5 s back-off.
      const waitMs = resumable ? timeoutMs : timeoutMs + 6000;
      return sessionStarts.waitFor(() => true, 'the client to come back after dropGateway()', {
        fromIndex: from,
        timeoutMs: waitMs,
      });
    },

    async close() {
      const closed = new Error('fake Discord closed');
      for (const waitable of waitables) waitable.rejectAll(closed);
      for (const socket of gateway.clients) socket.terminate();
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
