// A lock shared by every process of the bot (shards, on one host or several with a shared
// folder): a file created with O_EXCL ('wx'), which only one process can create. It holds who
// took it; a lock left by a process that died is taken over: on the same host when its pid is
// gone, from another host when it has not been refreshed for `staleMs`.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.js';

export interface FileLockOptions {
  /** How long to wait for another holder before giving up. Default 60 s. */
  waitMs?: number;
  /** A lock from another host not refreshed for this long is abandoned. Default 10 min. */
  staleMs?: number;
  /** Pause between two tries. Default 100 ms. */
  retryMs?: number;
  /** The sentence of the error thrown when the wait is over. */
  busyMessage?: string;
}

export const DEFAULT_LOCK_WAIT_MS = 60_000;
export const DEFAULT_LOCK_STALE_MS = 10 * 60_000;

/** Who holds the lock, as written in the file. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  /** Tells this holding apart from a later one by the same process. */
  token: string;
}

/** The lock was held by someone else for the whole wait. */
export class LockBusyError extends UserError {
  override name = 'LockBusyError';
}

/** Runs `task` while holding the lock file `file` (created, with its folder, if needed). */
export async function withFileLock<T>(file: string, task: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const holder = await acquire(file, options);
  const staleMs = options.staleMs ?? DEFAULT_LOCK_STALE_MS;
  // Proves to other hosts that the holder is alive during a long rebuild.
  const refresh = setInterval(() => {
    const now = new Date();
    utimes(file, now, now).catch(() => {});
  }, Math.max(10, staleMs / 4));
  refresh.unref();
  try {
    return await task();
  } finally {
    clearInterval(refresh);
    await release(file, holder);
  }
}

async function acquire(file: string, options: FileLockOptions): Promise<LockHolder> {
  const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const staleMs = options.staleMs ?? DEFAULT_LOCK_STALE_MS;
  const retryMs = options.retryMs ?? 100;
  const deadline = Date.now() + waitMs;
  const me: LockHolder = { pid: process.pid, host: hostname(), since: '', token: randomUUID() };
  await mkdir(path.dirname(file), { recursive: true });
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      try {
        me.since = new Date().toISOString();
        await handle.writeFile(JSON.stringify(me));
      } finally {
        await handle.close();
      }
      return me;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const seen = await readHolder(file);
    if (seen && isAbandoned(seen, staleMs)) {
      await removeIfStill(file, seen.text);
      continue;
    }
    if (Date.now() >= deadline) throw new LockBusyError(options.busyMessage ?? `${file} is locked by another process; try again later.`);
    await sleep(retryMs);
  }
}

/** The holder as written (unparsable when a process died between creating and writing the file), with the file's age. */
async function readHolder(file: string): Promise<{ text: string; holder: LockHolder | undefined; ageMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    let holder: LockHolder | undefined;
    try {
      holder = JSON.parse(text) as LockHolder;
    } catch {
      holder = undefined;
    }
    return { text, holder, ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // released meanwhile
    throw error;
  }
}

function isAbandoned(seen: { holder: LockHolder | undefined; ageMs: number }, staleMs: number): boolean {
  const { holder } = seen;
  // On this host the pid says for sure; another host's process can only show it is alive by refreshing.
  if (holder && holder.host === hostname() && Number.isInteger(holder.pid)) return !isRunning(holder.pid);
  return seen.ageMs > staleMs;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
  // A process that exited but was not reaped (a zombie, e.g. under an init that reaps nothing) still takes signal 0.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): trust the signal
  }
}

/** Removes the lock only if it is still the one judged abandoned (another process may have taken it over first). */
async function removeIfStill(file: string, text: string): Promise<void> {
  const now = await readFile(file, 'utf8').catch(() => undefined);
  if (now === text) await unlink(file).catch(() => {});
}

async function release(file: string, holder: LockHolder): Promise<void> {
  const now = await readFile(file, 'utf8').catch(() => undefined);
  if (now === JSON.stringify(holder)) await unlink(file).catch(() => {});
}
