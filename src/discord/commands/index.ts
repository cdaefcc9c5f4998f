// The one list of commands: the interaction router, the deploy script and the tests read it.
import type { RESTPostAPIApplicationCommandsJSONBody } from 'discord.js';
import type { Command, MessageCommand } from '../command.js';
import ask from './ask.js';
import check from './check.js';
import sources from './sources.js';
import story from './story.js';

export const commands: ReadonlyMap<string, Command> = new Map([ask, sources, story].map((command) => [command.data.name, command]));

/** Message context-menu commands (Apps → …). */
export const messageCommands: ReadonlyMap<string, MessageCommand> = new Map([check].map((command) => [command.data.name, command]));

/** What `npm run deploy-commands` registers. */
export function commandDefinitions(): RESTPostAPIApplicationCommandsJSONBody[] {
  return [...[...commands.values()].map((command) => command.data), ...[...messageCommands.values()].map((command) => command.data)];
}
