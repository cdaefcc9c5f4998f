// `npm start` with a bad .env: stops before doing anything, with one sentence naming the variable.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_CONFIG } from '../src/errors.js';
import { PROJECT_ROOT, tempDir } from './helpers/corpus.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.secret-token-value-xyz';

/** Runs the real entry point (what `npm start` runs) in a folder holding only `envFile` as .env. */
function startBotProcess(envFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cwd = tempDir();
  writeFileSync(path.join(cwd, '.env'), envFile);
  const child = spawn(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [path.join(PROJECT_ROOT, 'src/discord/bot.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('bot start-up with a bad .env', () => {
  it('a bad DISCORD_APPLICATION_ID: exit 78 (a configuration error), one sentence naming it, no stack, no token', async () => {
    const result = await startBotProcess(`DISCORD_TOKEN=${TOKEN}\nDISCORD_APPLICATION_ID=not-a-number\n`);
    expect(result.code).toBe(EXIT_CONFIG);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^DISCORD_APPLICATION_ID must be a Discord id .*\.$/);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it('a missing DISCORD_TOKEN is named too', async () => {
    const result = await startBotProcess('DISCORD_APPLICATION_ID=123456789012345678\n');
    expect(result.code).toBe(EXIT_CONFIG);
    expect(result.stderr.trim()).toMatch(/^DISCORD_TOKEN is missing/);
  });
});
