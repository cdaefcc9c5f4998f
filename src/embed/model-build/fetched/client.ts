/**
 * Runs a registry's own command-line client (mvn, pip) with an argument list, no shell and no
 * stdin: what came of it, for the caller to say in one sentence.
 */
import { execFile } from 'node:child_process';

export type ClientRun = { kind: 'ok' } | { kind: 'missing' } | { kind: 'failed'; stdout: string; stderr: string; message: string };

export function runClient(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<ClientRun> {
  return new Promise((resolve) => {
    const child = execFile(command, [...args], { cwd, timeout: timeoutMs, maxBuffer: 16 * 2 ** 20 }, (error, stdout, stderr) => {
      if (!error) return resolve({ kind: 'ok' });
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ kind: 'missing' });
      resolve({ kind: 'failed', stdout: String(stdout), stderr: String(stderr), message: error.message.split('\n', 1)[0]! });
    });
    child.stdin?.end();
  });
}
