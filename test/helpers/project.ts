import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from './corpus.js';

export const MODEL_DIR = path.join(PROJECT_ROOT, 'models');
export const DEFAULT_MODEL = 'use-lite';
export const SHIPPED_CORPUS = path.join(PROJECT_ROOT, 'corpus');
export const DEV_SET = path.join(PROJECT_ROOT, 'test/fixtures/eval/dev.jsonl');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a project script with tsx, as `npm run` would, with extra environment and optional stdin. */
export function runScript(script: string, args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(PROJECT_ROOT, script), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
