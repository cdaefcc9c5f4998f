// `npm run deploy-commands [-- --clear]`: registers the slash commands by bulk overwrite.
import { DiscordAPIError, REST, Routes, type RESTOptions } from 'discord.js';
import { loadBotConfig, type BotConfig } from '../config.js';
import { UserError } from '../errors.js';
import { parseCommandArgs } from '../entry/run.js';
import { commandDefinitions } from './commands/index.js';

export interface DeployReport {
  scope: 'guild' | 'global';
  /** Names of the commands now registered (none after --clear). */
  names: string[];
}

/** Registers every command in the registry (or none, with `clear`) in the guild, else globally. */
export async function deployCommands(
  config: Pick<BotConfig, 'discordToken' | 'applicationId' | 'guildId' | 'apiBase'>,
  options: { clear?: boolean; rest?: Partial<RESTOptions> } = {},
): Promise<DeployReport> {
  const rest = new REST({ ...(config.apiBase ? { api: config.apiBase } : {}), ...options.rest }).setToken(config.discordToken);
  const body = options.clear ? [] : commandDefinitions();
  const route = config.guildId ? Routes.applicationGuildCommands(config.applicationId, config.guildId) : Routes.applicationCommands(config.applicationId);
  try {
    await rest.put(route, { body });
  } catch (error) {
    throw explain(error);
  }
  return { scope: config.guildId ? 'guild' : 'global', names: body.map((command) => command.name) };
}

export async function deployCommandsCommand(argv: string[]): Promise<number> {
  const clear = parseCommandArgs({ args: argv, options: { clear: { type: 'boolean', default: false } } }, 'usage: npm run deploy-commands [-- --clear]').values.clear;
  const config = loadBotConfig();
  const report = await deployCommands(config, { clear });
  const where = report.scope === 'guild' ? `in the server ${config.guildId} (visible at once)` : 'globally (may take up to an hour to show)';
  process.stdout.write(
    report.names.length > 0 ? `Registered /${report.names.join(', /')} ${where}.\n` : `Removed all commands ${where.replace(/ \(.*\)$/, '')}.\n`,
  );
  return 0;
}

function explain(error: unknown): unknown {
  if (!(error instanceof DiscordAPIError)) return error;
  if (error.status === 401) return new UserError('Discord refused DISCORD_TOKEN: reset the token in the developer portal and put the new one in .env.');
  if (error.status === 403 || error.status === 404) {
    return new UserError(
      `Discord refused the registration (${error.status}): check DISCORD_APPLICATION_ID, and that the bot was invited to DISCORD_GUILD_ID with the applications.commands scope.`,
    );
  }
  return error;
}
