// The one list of commands: the interaction router, the deploy script and the tests read it.
import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { Command } from '../command.js';
import ask from './ask.js';
import sources from './sources.js';

export const commands: ReadonlyMap<string, Command> = new Map([ask, sources].map((command) => [command.data.name, command]));

/** What `npm run deploy-commands` registers. */
export function commandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return [...commands.values()].map((command) => command.data);
}
