// Which gateway shards a process connects. Discord's own sharding: every process of the bot
// agrees on the total count, and each connects some of the shards (SHARD_IDS, or the one
// discord.js's ShardingManager gives it); Discord sends each guild's events to one shard only.
import type { RESTGetAPIGatewayBotResult } from 'discord.js';
import type { BotConfig } from '../config.js';
import { UserError } from '../errors.js';

export interface ShardPlan {
  /** The shards this process connects. */
  ids: number[];
  /** Shards of the whole bot, across every process. */
  count: number;
}

/** Feed polling and announcements happen once per bot, in the process that holds shard 0. */
export const DUTY_SHARD = 0;

/** The shards this process connects, or undefined when sharding is off (one shard, Discord's default). */
export async function resolveShardPlan(config: Pick<BotConfig, 'shardCount' | 'shardIds' | 'discordToken' | 'apiBase'>): Promise<ShardPlan | undefined> {
  if (config.shardCount === undefined) return undefined;
  const count = config.shardCount === 'auto' ? await recommendedShardCount(config) : config.shardCount;
  return { ids: config.shardIds ?? Array.from({ length: count }, (_, id) => id), count };
}

/**
 * Discord's recommended shard count (GET /gateway/bot), through DISCORD_API_BASE when set.
 * discord.js's own helper always asks discord.com, which would bypass a REST proxy.
 */
export async function recommendedShardCount(config: Pick<BotConfig, 'discordToken' | 'apiBase'>): Promise<number> {
  // Loaded here: the bot loads discord.js while its index is read (src/discord/bot.ts), not before.
  const { REST, Routes } = await import('discord.js');
  const rest = new REST({ ...(config.apiBase ? { api: config.apiBase } : {}), retries: 1 }).setToken(config.discordToken);
  try {
    const gateway = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
    return Math.max(1, gateway.shards);
  } catch (error) {
    if ((error as { status?: unknown } | undefined)?.status === 401) throw tokenRefused();
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(`Could not ask Discord how many shards to run (${reason}): set SHARD_COUNT to a number, or try again.`);
  }
}

/** Discord answered 401: the token is wrong (never part of the message). */
export function tokenRefused(): UserError {
  return new UserError('Discord refused DISCORD_TOKEN: reset the token in the developer portal (Bot -> Reset Token) and put the new one in .env.');
}
