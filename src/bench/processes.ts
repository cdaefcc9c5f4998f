// Child processes of the benchmark: the project's own commands, timed from the outside. `args`
// are node's: scriptArgs('scripts/ask.ts') runs a command as this bench runs (compiled, or tsx).
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../entry/runtime.js';

export { PROJECT_ROOT, scriptArgs } from '../entry/runtime.js';

function spawnNode(args: string[], env: Record<string, string>) {
  return spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Milliseconds from spawning a process to its first line on stdout. */
export function timeFirstLine(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawnNode(args, env);
    let stdout = '';
    let stderr = '';
    let elapsed: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (elapsed === undefined && stdout.includes('\n')) elapsed = performance.now() - started;
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && elapsed !== undefined) resolve(elapsed);
      else reject(new Error(`${args.slice(1).join(' ')} exited with ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`));
    });
  });
}

/** The last stdout line of a child process that must succeed. */
export function runChild(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnNode(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout.trim().split('\n').at(-1) ?? '');
      else reject(new Error(`${args.slice(1).join(' ')} exited with ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`));
    });
  });
}

