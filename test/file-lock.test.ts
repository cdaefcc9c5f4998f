// The lock that keeps the news desk's changes one at a time across processes (shards sharing a
// corpus and an index folder): waits, gives up in one sentence, takes over a dead holder's lock.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCoreConfig } from '../src/config.js';
import { LockBusyError, withFileLock } from '../src/desk/file-lock.js';
import { DESK_LOCK_FILE, NewsDesk } from '../src/desk/news-desk.js';
import { createLogger } from '../src/log.js';
import { copyFixtureCorpus, tempDir } from './helpers/corpus.js';
import { fakeEmbedder } from './helpers/fake-embedder.js';
import { killChildren, spawnProject } from './helpers/processes.js';

afterEach(killChildren);

/** A promise with its resolve, to hold a lock for as long as a test wants. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** A pid that no process has: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

const lockFile = () => path.join(tempDir(), 'index', 'desk.lock');

describe('withFileLock', () => {
  it('one holder at a time: the second waits for the first to finish, and the file goes with the last', async () => {
    const file = lockFile();
    const order: string[] = [];
    const first = gate();
    const a = withFileLock(file, async () => {
      order.push('a starts');
      await first.opened;
      order.push('a ends');
    });
    await expect.poll(() => order).toEqual(['a starts']);
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(holder).toMatchObject({ pid: process.pid, since: expect.any(String) });
    const b = withFileLock(file, async () => void order.push('b runs'), { retryMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 50)); // b has tried (and waited) a few times
    expect(order).toEqual(['a starts']);
    first.open();
    await Promise.all([a, b]);
    expect(order).toEqual(['a starts', 'a ends', 'b runs']);
    expect(existsSync(file)).toBe(false);
  });

  it('gives up after waitMs with the given sentence, and a failed task still releases', async () => {
    const file = lockFile();
    const held = gate();
    const holding = withFileLock(file, () => held.opened);
    await expect.poll(() => existsSync(file)).toBe(true);
    const busy = withFileLock(file, async () => 'ran', { waitMs: 100, retryMs: 10, busyMessage: 'Busy; try again.' });
    await expect(busy).rejects.toThrow(LockBusyError);
    await expect(busy).rejects.toThrow('Busy; try again.');
    held.open();
    await holding;
    await expect(withFileLock(file, async () => Promise.reject(new Error('task failed')))).rejects.toThrow('task failed');
    expect(existsSync(file)).toBe(false);
  });

  it("takes over a lock whose process on this host is gone, and a lock another host stopped refreshing", async () => {
    const file = lockFile();
    await withFileLock(file, async () => {}); // creates the folder
    writeFileSync(file, JSON.stringify({ pid: deadPid(), host: (await import('node:os')).hostname(), since: new Date().toISOString(), token: 'x' }));
    await expect(withFileLock(file, async () => 'taken over', { waitMs: 0 })).resolves.toBe('taken over');

    const elsewhere = JSON.stringify({ pid: process.pid, host: 'another-host.invalid', since: new Date().toISOString(), token: 'y' });
    writeFileSync(file, elsewhere);
    await expect(withFileLock(file, async () => 'too early', { waitMs: 50, retryMs: 10, staleMs: 60_000 })).rejects.toThrow(LockBusyError);
    const old = new Date(Date.now() - 120_000);
    utimesSync(file, old, old);
    await expect(withFileLock(file, async () => 'taken over', { waitMs: 0, staleMs: 60_000 })).resolves.toBe('taken over');

    writeFileSync(file, ''); // a process died between creating the file and writing it
    utimesSync(file, old, old);
    await expect(withFileLock(file, async () => 'taken over', { waitMs: 0, staleMs: 60_000 })).resolves.toBe('taken over');
  });
});

describe('withFileLock: a holder on another host, and a holder that lost its lock', () => {
  it('a live holder on another host keeps its lock past staleMs by refreshing it (its heartbeat); once it stops, the lock is taken over', { timeout: 60_000 }, async () => {
    const file = lockFile();
    const staleMs = 1000;
    const other = spawnProject('test/helpers/hold-lock.ts', [file, '--as-host', 'another-host.invalid', '--stale-ms', String(staleMs)]);
    await other.waitForOutput(/locked/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ host: 'another-host.invalid' });
    const since = statSync(file).mtimeMs;

    // Three times staleMs: a holder that did not refresh its lock would be taken over after one.
    const contender = withFileLock(file, async () => 'taken over', { waitMs: 3 * staleMs, retryMs: 50, staleMs });
    await expect(contender).rejects.toThrow(LockBusyError);
    expect(statSync(file).mtimeMs).toBeGreaterThan(since);

    // A stopped holder stands for one that hangs or whose host is gone: no more heartbeat. The
    // whole process group (tsx runs the script in a child of its own).
    process.kill(-other.child.pid!, 'SIGSTOP');
    try {
      await expect(withFileLock(file, async () => 'taken over', { waitMs: 10 * staleMs, retryMs: 50, staleMs })).resolves.toBe('taken over');
    } finally {
      process.kill(-other.child.pid!, 'SIGCONT');
    }
  });

  it('a holder whose lock was taken over does not delete the new holder\'s lock when it finishes', async () => {
    const file = lockFile();
    const held = gate();
    const first = withFileLock(file, () => held.opened);
    await expect.poll(() => existsSync(file)).toBe(true);
    // Another process judged the first holder abandoned and took the lock over.
    const successor = JSON.stringify({ pid: process.pid, host: 'another-host.invalid', since: new Date().toISOString(), token: 'successor' });
    writeFileSync(file, successor);
    held.open();
    await first;
    expect(readFileSync(file, 'utf8')).toBe(successor);
  });
});

describe('the news desk across processes', () => {
  function deskOn(corpusDir: string, indexDir: string, lock = {}) {
    const config = { ...loadCoreConfig({}, tempDir()), corpusDir, indexDir };
    return new NewsDesk(config, { embedder: fakeEmbedder(), checkNow: async () => {} }, { allowPrivate: false }, createLogger('silent'), lock);
  }

  it("waits for another process's change, tells the member in one sentence when it takes too long, and outlives a holder that was killed", async () => {
    const corpusDir = copyFixtureCorpus();
    const indexDir = path.join(tempDir(), 'index');
    const file = path.join(indexDir, DESK_LOCK_FILE);
    const other = spawnProject('test/helpers/hold-lock.ts', [file]);
    await other.waitForOutput(/locked/);

    const impatient = deskOn(corpusDir, indexDir, { waitMs: 200, retryMs: 20 });
    await expect(impatient.remove('nonexistent', { userId: '1' })).rejects.toThrow(
      /^Another of my processes is changing the stories right now; please try again in a minute\.$/,
    );

    // A patient change waits while the other process holds the lock, and runs once it lets go.
    let removed = false;
    const patient = deskOn(corpusDir, indexDir, { retryMs: 20 }).remove('nonexistent', { userId: '1' }).finally(() => (removed = true));
    const settled = patient.catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(removed).toBe(false);
    other.child.kill('SIGTERM');
    await other.waitForOutput(/released/);
    expect(String(await settled)).toMatch(/There is no such story/); // it ran: the desk's own answer, not the lock's

    const killed = spawnProject('test/helpers/hold-lock.ts', [file]);
    await killed.waitForOutput(/locked/);
    killed.killHard();
    await killed.exited;
    expect(existsSync(file)).toBe(true); // SIGKILL: no chance to let go
    await expect(deskOn(corpusDir, indexDir, { waitMs: 0 }).remove('nonexistent', { userId: '1' })).rejects.toThrow(/There is no such story/);
  });
});
