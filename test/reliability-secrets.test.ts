// The bot token: only from the environment, never printed (running, failing or refusing to
// start), a placeholder refused at start-up; `.env` is git-ignored.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBotConfig } from '../src/config.js';
import { EXIT_CONFIG } from '../src/errors.js';
import { PROJECT_ROOT, tempDir } from './helpers/corpus.js';
import { askCommand } from './helpers/bot-harness.js';
import { STACK_LINE, killChildren, spawnProject } from './helpers/processes.js';
import { startFakeDiscord, type FakeDiscord } from './fake-discord.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GsEcRt.this-token-must-never-be-printed';

let fake: FakeDiscord | undefined;
afterEach(async () => {
  await killChildren(); // the bot process disconnects before the fake closes
  await fake?.close();
  fake = undefined;
});

/** `npm start` (tsx src/discord/bot.ts) in an empty folder, with only `env` (and an optional .env). */
function startBotProcess(env: Record<string, string>, dotEnv?: string) {
  const cwd = tempDir();
  if (dotEnv !== undefined) writeFileSync(path.join(cwd, '.env'), dotEnv);
  return spawnProject('src/discord/bot.ts', [], {
    cwd,
    env: {
      CORPUS_DIR: path.join(PROJECT_ROOT, 'corpus'),
      INDEX_DIR: path.join(cwd, 'index'),
      MODEL_DIR: path.join(PROJECT_ROOT, 'models'),
      COOLDOWN_SECONDS: '0',
      ...env,
    },
  });
}

describe('the bot token', () => {
  it('is never printed by a running bot at LOG_LEVEL=trace, through a failed reply, a 401 and shutdown', async () => {
    fake = await startFakeDiscord({ token: TOKEN, timeoutMs: 20_000 });
    const bot = startBotProcess({ DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase, LOG_LEVEL: 'trace' });
    await bot.waitForOutput(/"msg":"ready"/);
    // discord.js retries a 5xx 3 times by default: four 500s make the reply fail for good.
    fake.failNext({ method: 'PATCH', path: '/messages/@original', status: 500, times: 4 });
    fake.failNext({ method: 'POST', path: /^\/webhooks\//, status: 401, times: 2 }); // both tries of the apology fail too
    const failed = fake.sendCommand(askCommand('Who took photographs of the meeting?'));
    await bot.waitForOutput(/could not tell the user about the failure/);
    expect(failed.followUps).toHaveLength(0);
    const ok = fake.sendCommand(askCommand('Who took photographs of the meeting?'));
    expect((await ok.reply()).embeds?.length).toBeGreaterThan(0);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toEqual({ code: 0, signal: null });

    expect(bot.stdout).toMatch(/"msg":"interaction failed"/);
    expect(bot.stdout + bot.stderr).not.toContain(TOKEN);
    expect(bot.stdout + bot.stderr).not.toContain(TOKEN.split('.').at(-1));
    // The bot did use it: every authenticated request carried it.
    expect(fake.identifies[0]?.token).toBe(TOKEN);
  });

  it('a token Discord refuses: exit 1, one sentence, the token not printed', async () => {
    fake = await startFakeDiscord({ token: 'the-token-discord-expects-aaaaaaaa' });
    const bot = startBotProcess({ DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase, LOG_LEVEL: 'trace' });
    const { code } = await bot.exited;
    expect(code).toBe(1);
    expect(bot.stderr.trim()).toMatch(/^Discord refused DISCORD_TOKEN: reset the token in the developer portal .*\.$/);
    expect(bot.stderr).not.toMatch(STACK_LINE);
    expect(bot.stdout + bot.stderr).not.toContain(TOKEN);
  });

  it('a damaged index at start-up: exit 1, one sentence saying what to run, the token not printed', async () => {
    fake = await startFakeDiscord({ token: TOKEN });
    const indexDir = path.join(tempDir(), 'index');
    mkdirSync(indexDir);
    writeFileSync(path.join(indexDir, 'CURRENT'), 'gen-that-was-deleted\n');
    const bot = startBotProcess({ DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase, INDEX_DIR: indexDir });
    expect((await bot.exited).code).toBe(1);
    expect(bot.stderr).not.toMatch(STACK_LINE);
    const lines = bot.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/points to a missing folder: run npm run build-index\.$/);
    expect(bot.stdout + bot.stderr).not.toContain(TOKEN);
    expect(fake.identifies).toHaveLength(0); // refused before connecting
  });

  it('the placeholder from .env.example is refused at start-up with a clear sentence', async () => {
    const example = readFileSync(path.join(PROJECT_ROOT, '.env.example'), 'utf8');
    const placeholder = /^DISCORD_TOKEN=(.*)$/m.exec(example)?.[1]?.trim();
    expect(placeholder).toBeTruthy();
    const bot = startBotProcess({}, `DISCORD_TOKEN=${placeholder}\nDISCORD_APPLICATION_ID=123456789012345678\n`);
    expect((await bot.exited).code).toBe(EXIT_CONFIG); // not restarted by the README's systemd unit
    expect(bot.stderr.trim()).toBe('DISCORD_TOKEN is still the placeholder from .env.example: fix it in .env (see .env.example).');
    expect(bot.stdout).toBe('');
  });

  it('comes only from the environment (or .env loaded into it): no default, no other reader', () => {
    expect(() => loadBotConfig({ DISCORD_APPLICATION_ID: '123456789012345678' })).toThrow(/^DISCORD_TOKEN is missing/);
    expect(loadBotConfig({ DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: '123456789012345678' }).discordToken).toBe(TOKEN);
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? sources(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
      );
    const readers = [...sources(path.join(PROJECT_ROOT, 'src')), ...sources(path.join(PROJECT_ROOT, 'scripts'))]
      .filter((file) => /process\.env\.DISCORD_TOKEN|process\.env\[['"]DISCORD_TOKEN|argv.*token/i.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(PROJECT_ROOT, file));
    expect(readers).toEqual([]);
  });

  it('.env is git-ignored and not tracked', () => {
    const ignored = spawnSync('git', ['check-ignore', '-q', '.env'], { cwd: PROJECT_ROOT });
    expect(ignored.status).toBe(0);
    expect(execFileSync('git', ['ls-files', '--', '.env'], { cwd: PROJECT_ROOT, encoding: 'utf8' })).toBe('');
  });
});
