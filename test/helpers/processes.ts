// Child processes of the project's entry points, tracked so every test can kill what it started.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from './corpus.js';

export interface Spawned {
  child: ChildProcessWithoutNullStreams;
  /** SIGKILLs the whole process group (tsx and the script it runs). */
  killHard(): void;
  /** Sends `signal` to the whole process group, as Ctrl-C in a terminal does. */
  signal(signal: NodeJS.Signals): void;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves when the process has exited and its output is closed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once `pattern` appears on stdout or stderr; rejects after `timeoutMs` (default 20 s) or on exit. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

const children = new Set<ChildProcessWithoutNullStreams>();

/**
 * Runs a project file with tsx, the way `npm run …` / `npm start` do (node_modules/.bin/tsx),
 * in `cwd` (default: the project) with only the given environment on top of PATH and HOME.
 */
export function spawnProject(file: string, args: string[] = [], options: { env?: Record<string, string>; cwd?: string; input?: string } = {}): Spawned {
  const child = spawn(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [path.join(PROJECT_ROOT, file), ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group: tsx runs the script in a child process, and a SIGKILL must reach both.
    detached: true,
  });
  return track(child, options.input);
}

/**
 * Runs a command line through `bash -c` in `cwd`, as a user types it, with only PATH and HOME
 * (and `env`) set: no LOG_LEVEL, so the project's .env decides. npm's update check is off (offline).
 */
export function spawnShell(command: string, options: { cwd: string; env?: Record<string, string>; input?: string }): Spawned {
  const child = spawn('bash', ['-c', command], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', npm_config_update_notifier: 'false', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true, // its own process group: npm, sh, tsx and node under it get the same signals
  });
  return track(child, options.input);
}

function track(child: ChildProcessWithoutNullStreams, input: string | undefined): Spawned {
  children.add(child);
  let stdout = '';
  let stderr = '';
  const watchers = new Set<{ pattern: RegExp; resolve: () => void }>();
  const check = () => {
    for (const watcher of watchers) {
      if (watcher.pattern.test(stdout) || watcher.pattern.test(stderr)) {
        watchers.delete(watcher);
        watcher.resolve();
      }
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  child.stdin.on('error', () => {}); // a process that exits before reading all of stdin
  child.stdin.end(input ?? '');
  return {
    child,
    killHard: () => killGroup(child),
    signal: (signal) => signalGroup(child, signal),
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitForOutput(pattern, timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        if (pattern.test(stdout) || pattern.test(stderr)) return resolve();
        const timer = setTimeout(() => reject(new Error(`no ${pattern} after ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
        watchers.add({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`process exited before printing ${pattern}:\n${stderr}`));
        }, reject);
      });
    },
  };
}

/** Runs to the end; resolves with the exit code and the whole output. */
export async function runProject(file: string, args: string[] = [], options: Parameters<typeof spawnProject>[2] = {}) {
  const spawned = spawnProject(file, args, options);
  const { code, signal } = await spawned.exited;
  return { code, signal, stdout: spawned.stdout, stderr: spawned.stderr };
}

/** SIGKILLs every child still running (afterEach). */
export async function killChildren(): Promise<void> {
  const running = [...children];
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          killGroup(child);
        }),
    ),
  );
}

/** A stack trace line, as Node prints them. */
export const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;

function killGroup(child: ChildProcessWithoutNullStreams): void {
  signalGroup(child, 'SIGKILL');
}

function signalGroup(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal); // the group is gone already
  }
}
