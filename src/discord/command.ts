import type { AutocompleteInteraction, ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { Logger } from '../log.js';
import type { LiveIndex } from './live-index.js';

/** What every handler may use; passed in, never imported, so tests give their own. */
export interface HandlerContext {
  index: LiveIndex;
  logger: Logger;
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
