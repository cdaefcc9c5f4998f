// `npm start`: reads the configuration, loads the index and runs the bot until SIGINT/SIGTERM.
import { loadBotConfig } from '../config.js';
import { ensureModel } from '../entry/model.js';
import { runMain } from '../entry/run.js';
import { createLogger } from '../log.js';
import { startBot } from './bot-runtime.js';
import { openLiveIndex } from './live-index.js';

runMain(async () => {
  const config = loadBotConfig();
  const logger = createLogger(config.logLevel);
  await ensureModel(config, { info: (message) => logger.info(message) });
  const index = await openLiveIndex(config, { logger, buildIfMissing: true });
  let bot;
  try {
    bot = await startBot({ config, logger, index });
  } catch (error) {
    index.close();
    throw error;
  }
  const running = bot;

  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  const shutdown = (signal: NodeJS.Signals) => {
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
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
});
