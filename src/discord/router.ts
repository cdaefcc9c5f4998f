// Every interaction goes through `routeInteraction`: channel and cooldown checks, the handler,
// one log line, and an apology instead of a crash when a handler fails.
import { MessageFlags, type Interaction, type RepliableInteraction } from 'discord.js';
import { noticeMessage } from '../answer/discord.js';
import type { Logger } from '../log.js';
import { buttonSearches, handleButton } from './buttons.js';
import type { HandlerContext, HandlerOutcome } from './command.js';
import { commands, messageCommands } from './commands/index.js';
import type { Cooldown } from './cooldown.js';
import { replyNotice, toReplyOptions } from './reply.js';

export interface RouterContext extends HandlerContext {
  /** Channels where the bot answers; empty = everywhere. */
  allowedChannelIds: readonly string[];
  cooldown: Cooldown;
}

const SOMETHING_WENT_WRONG = 'Sorry, something went wrong while answering. Please try again in a moment.';

export async function routeInteraction(interaction: Interaction, context: RouterContext): Promise<void> {
  const started = performance.now();
  const what = describe(interaction);
  let outcome: HandlerOutcome = {};
  let failed = false;
  try {
    outcome = await dispatch(interaction, context);
  } catch (error) {
    failed = true;
    context.logger.error({ err: error, interaction: interaction.id, ...what }, 'interaction failed');
    await apologise(interaction, context.logger);
  }
  context.logger.info(
    {
      interaction: interaction.id,
      ...what,
      user: interaction.user.id,
      guild: interaction.guildId,
      channel: interaction.channelId,
      latencyMs: Math.round(performance.now() - started),
      passages: outcome.passages ?? 0,
      refused: outcome.refused ?? null,
      ...(failed ? { failed } : {}),
    },
    'interaction',
  );
}

async function dispatch(interaction: Interaction, context: RouterContext): Promise<HandlerOutcome> {
  if (interaction.isAutocomplete()) {
    const command = commands.get(interaction.commandName);
    if (command?.autocomplete) await command.autocomplete(interaction, context);
    else await interaction.respond([]);
    return {};
  }
  if (!interaction.isChatInputCommand() && !interaction.isButton() && !interaction.isMessageContextMenuCommand()) return { refused: 'unsupported' };

  if (!inAllowedChannel(interaction, context.allowedChannelIds)) {
    const where = context.allowedChannelIds.map((id) => `<#${id}>`).join(', ');
    await replyNotice(interaction, `I only answer in ${where}. Ask me there!`);
    return { refused: 'channel' };
  }
  const command = interaction.isChatInputCommand()
    ? commands.get(interaction.commandName)
    : interaction.isMessageContextMenuCommand()
      ? messageCommands.get(interaction.commandName)
      : undefined;
  if ((interaction.isChatInputCommand() || interaction.isMessageContextMenuCommand()) && !command) {
    await replyNotice(interaction, 'I do not know that command any more; it will disappear from the list soon.');
    return { refused: 'unknown-command' };
  }
  const searches = command ? command.cooldown : interaction.isButton() && buttonSearches(interaction.customId);
  if (searches) {
    const wait = context.cooldown.take(interaction.user.id);
    if (wait > 0) {
      await replyNotice(interaction, `You're asking quickly! Please wait ${wait} s before the next question.`);
      return { refused: 'cooldown' };
    }
  }
  if (interaction.isChatInputCommand()) return commands.get(interaction.commandName)!.execute(interaction, context);
  if (interaction.isMessageContextMenuCommand()) return messageCommands.get(interaction.commandName)!.execute(interaction, context);
  if (interaction.isButton()) return handleButton(interaction, context);
  return { refused: 'unsupported' };
}

function inAllowedChannel(interaction: RepliableInteraction, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  if (interaction.channelId && allowed.includes(interaction.channelId)) return true;
  // A thread counts as its channel.
  const channel = interaction.channel;
  return Boolean(channel?.isThread() && channel.parentId && allowed.includes(channel.parentId));
}

function describe(interaction: Interaction): { kind: string; command?: string } {
  if (interaction.isChatInputCommand()) return { kind: 'command', command: interaction.commandName };
  if (interaction.isAutocomplete()) return { kind: 'autocomplete', command: interaction.commandName };
  if (interaction.isMessageContextMenuCommand()) return { kind: 'message-command', command: interaction.commandName };
  if (interaction.isButton()) return { kind: 'button', command: interaction.customId.split(':')[1] ?? 'unknown' };
  return { kind: `type-${interaction.type}` };
}

/** Tells the user something went wrong, privately; never the error itself. */
async function apologise(interaction: Interaction, logger: Logger): Promise<void> {
  if (!interaction.isRepliable()) return;
  try {
    await replyNotice(interaction, SOMETHING_WENT_WRONG);
  } catch {
    // The public "thinking…" reply may be what failed: one last try as a private follow-up.
    try {
      if (interaction.deferred || interaction.replied) {
        await interaction.followUp({ ...toReplyOptions(noticeMessage(SOMETHING_WENT_WRONG)), flags: MessageFlags.Ephemeral });
      }
    } catch (error) {
      logger.warn({ err: error, interaction: interaction.id }, 'could not tell the user about the failure');
    }
  }
}
