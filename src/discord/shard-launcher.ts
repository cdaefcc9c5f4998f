// `npm run start:shards`: discord.js's ShardingManager runs the bot (dist/src/discord/bot.js, or
// src/discord/bot.ts under tsx: whichever this launcher is) once per shard,
// each a process of its own. SHARD_COUNT (a number, or auto: Discord's recommendation, the
// default here) is the whole bot's count; SHARD_IDS, when set, limits this host to those shards
// (another host runs the others). Each process gets its shard through discord.js's SHARDS and
// SHARD_COUNT variables, which src/config.ts reads, and restarts if it dies.
import { once } from 'node:events';
import { ShardingManager, type Shard } from 'discord.js';
import { loadBotConfig } from '../config.js';
import { runMain } from '../entry/run.js';
import { UserError } from '../errors.js';
import { createLogger } from '../log.js';
import { runtimeExecArgv, runtimePath } from '../shared/runtime.js';
import { recommendedShardCount } from './shards.js';

const BOT_ENTRY = runtimePath('src/discord/bot.ts');
/** Each process loads the model and the index (and builds the index on a first start) before it connects. */
const READY_TIMEOUT_MS = 10 * 60_000;

runMain(async () => {
  // Checked here once: a process that exits at start-up would otherwise be restarted forever.
  const config = loadBotConfig();
  const logger = createLogger(config.logLevel).child({ launcher: true });
  const totalShards = typeof config.shardCount === 'number' ? config.shardCount : await recommendedShardCount(config);
  const manager = new ShardingManager(BOT_ENTRY, {
    totalShards,
    shardList: config.shardIds ?? 'auto',
    token: config.discordToken,
    // As this launcher runs: compiled with source maps (npm run start:shards), or under tsx.
    execArgv: runtimeExecArgv(),
  });
  let stopping = false;
  manager.on('shardCreate', (shard: Shard) => {
    logger.info({ shard: shard.id, shardCount: totalShards }, 'shard process starting');
    shard.on('error', (error) => logger.error({ shard: shard.id, err: error }, 'shard process failed'));
    shard.on('death', (child) => {
      if (!stopping) logger.warn({ shard: shard.id, exitCode: 'exitCode' in child ? child.exitCode : null }, 'shard process exited; restarting it');
    });
  });

  const stopAll = async () => {
    stopping = true;
    manager.respawn = false;
    await Promise.all(
      manager.shards.map(async (shard) => {
        const child = shard.process;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM'); // each finishes its answers in flight, then disconnects
        await exited;
      }),
    );
  };
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    logger.info({ signal }, 'stopping the shard processes');
    stopAll().then(
      () => {
        logger.info('all shard processes stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'stopping the shard processes failed');
        process.exit(1);
      },
    );
  };
  // on, not once: Ctrl-C reaches this process twice (from the terminal, and relayed by tsx); a second
  // signal must not kill it before its shards have stopped.
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  try {
    // discord.js waits between two shards (5.5 s): Discord lets a bot identify once per 5 s.
    await manager.spawn({ amount: totalShards, timeout: READY_TIMEOUT_MS });
  } catch (error) {
    if (stopping) return;
    await stopAll();
    const shard = (error as { message?: string }).message ?? String(error);
    throw new UserError(`A shard process stopped before it was ready (${shard}); its own message is printed above.`);
  }
  logger.info({ shards: [...manager.shards.keys()], shardCount: totalShards }, 'all shard processes ready');
});
