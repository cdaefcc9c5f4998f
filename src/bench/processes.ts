// Child processes of the benchmark: the project's own commands, timed from the outside. `args`
// are node's: scriptArgs('scripts/ask.ts') runs a command as this bench runs (compiled, or tsx).
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../shared/runtime.js';

export { PROJECT_ROOT, scriptArgs } from '../shared/runtime.js';

/** A node process of the project, logging nothing, its stdout and stderr piped. */
export function spawnNode(args: string[], env: Record<string, string>) {
  return spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Milliseconds from spawning a process to its first line on stdout. */
export async function timeFirstLine(args: string[], env: Record<string, string>): Promise<number> {
  const { firstLineMs } = await timeCommand(args, env);
  if (firstLineMs === undefined) throw new Error(`${args.slice(1).join(' ')} printed nothing on stdout`);
  return firstLineMs;
}

/**
 * A process that must succeed, timed from spawning it to its first line on stdout (undefined when
 * it prints none) and to its exit: the whole command, as a user waits for it.
 */
export function timeCommand(args: string[], env: Record<string, string>): Promise<{ firstLineMs: number | undefined; totalMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawnNode(args, env);
    let stdout = '';
    let stderr = '';
    let firstLineMs: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (firstLineMs === undefined && stdout.includes('\n')) firstLineMs = performance.now() - started;
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ firstLineMs, totalMs: performance.now() - started });
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

