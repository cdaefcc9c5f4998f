import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  MessageContextMenuCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { FeedPoller } from '../desk/feed-poller.js';
import type { NewsDesk } from '../desk/news-desk.js';
import type { Logger } from '../log.js';
import type { Cooldown } from './cooldown.js';
import type { LiveIndex } from './live-index.js';
import type { PreviewStore } from './previews.js';

/** Who may change the stories, which every server shares. */
export interface StaffPolicy {
  /** Servers whose members with Manage Server may change them. */
  staffGuildIds: readonly string[];
  /** Users who may change them from anywhere. */
  adminUserIds: readonly string[];
}

/** The news desk as the commands see it. */
export interface DeskContext {
  desk: NewsDesk;
  feeds: FeedPoller;
  feedPollMinutes: number;
  policy: StaffPolicy;
  previews: PreviewStore;
  /** Per-member pause between two /story add. */
  addCooldown: Cooldown;
}

/** What every handler may use; passed in, never imported, so tests give their own. */
export interface HandlerContext {
  index: LiveIndex;
  logger: Logger;
  desk: DeskContext;
}

/** What a handler did, for the one log line per interaction. */
export interface HandlerOutcome {
  /** Passages quoted. */
  passages?: number;
  /** Why nothing was quoted (cooldown, channel, not-in-story, …). */
  refused?: string;
}

/** A slash command: its registration JSON and its handlers. */
export interface Command {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** Whether the per-user cooldown applies (commands that search). */
  cooldown: boolean;
  execute(interaction: ChatInputCommandInteraction, context: HandlerContext): Promise<HandlerOutcome>;
  autocomplete?(interaction: AutocompleteInteraction, context: HandlerContext): Promise<void>;
}

/** A message context-menu command (Apps → …): its registration JSON and its handler. */
export interface MessageCommand {
  data: RESTPostAPIContextMenuApplicationCommandsJSONBody;
  cooldown: boolean;
  execute(interaction: MessageContextMenuCommandInteraction, context: HandlerContext): Promise<HandlerOutcome>;
}
