// Holds a lock file from a process of its own until SIGTERM (test/file-lock.test.ts).
import { withFileLock } from '../../src/desk/file-lock.js';

const file = process.argv[2];
if (!file) throw new Error('usage: hold-lock.ts <lock file>');
await withFileLock(file, async () => {
  process.stdout.write('locked\n');
  const alive = setInterval(() => {}, 60_000); // a signal listener alone does not keep node running
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  clearInterval(alive);
});
process.stdout.write('released\n');
