// `npm start`: reads the configuration, loads the index and runs the bot until SIGINT/SIGTERM.
// Also what `npm run start:shards` (src/discord/shard-launcher.ts) runs once per shard.
import { loadBotConfig } from '../config.js';
import { ensureModel } from '../entry/model.js';
import { runMain } from '../entry/run.js';
import { createLogger } from '../log.js';
import { openLiveIndex } from './live-index.js';
import { resolveShardPlan } from './shards.js';

runMain(async () => {
  const config = loadBotConfig();
  const shards = await resolveShardPlan(config);
  // Every line says which shards wrote it: several processes often share one log.
  const logger = shards ? createLogger(config.logLevel).child({ shards: shards.ids }) : createLogger(config.logLevel);
  await ensureModel(config, { info: (message) => logger.info(message) });
  // discord.js and the news desk (~0.6 s of modules) load while another thread reads the index's
  // graph, instead of before it: ~0.4 s sooner to the first answer at a year's size.
  let runtime: Promise<typeof import('./bot-runtime.js')> | undefined;
  const loadRuntime = () => (runtime ??= import('./bot-runtime.js'));
  const index = await openLiveIndex(config, { logger, buildIfMissing: true, whileGraphLoads: () => void loadRuntime().catch(() => {}) });
  const { startBot } = await loadRuntime().catch((error: unknown) => {
    index.close();
    throw error;
  });
  let bot;
  try {
    bot = await startBot({ config, logger, index, shards });
  } catch (error) {
    index.close();
    throw error;
  }
  const running = bot;

  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals | 'launcher gone') => {
    if (stopping) return; // Ctrl-C reaches both the launcher and its shards; the launcher then sends SIGTERM too
    stopping = true;
    logger.info({ signal }, 'shutting down');
    index.close();
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // on, not once: Ctrl-C may arrive twice (from the terminal, and relayed by tsx or the launcher).
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // Started by the shard launcher: if it dies, stop too, or a restarted launcher would run each shard twice.
  if (process.connected) process.once('disconnect', () => shutdown('launcher gone'));
});
