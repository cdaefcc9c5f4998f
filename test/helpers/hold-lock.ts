// Holds a lock file from a process of its own until SIGTERM (test/file-lock.test.ts).
//   hold-lock.ts <lock file> [--as-host NAME] [--stale-ms N]
// --as-host makes this process report another host name, as a bot process on another machine
// sharing the folder would: then only its heartbeat (the lock file's time) shows it is alive.
import os from 'node:os';
import { syncBuiltinESMExports } from 'node:module';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'as-host': { type: 'string' }, 'stale-ms': { type: 'string' } } });
const file = positionals[0];
if (!file) throw new Error('usage: hold-lock.ts <lock file> [--as-host NAME] [--stale-ms N]');
const host = values['as-host'];
if (host) {
  os.hostname = () => host;
  syncBuiltinESMExports(); // so `import { hostname } from 'node:os'` in the lock module sees it too
}
const { withFileLock } = await import('../../src/desk/file-lock.js');
await withFileLock(
  file,
  async () => {
    process.stdout.write('locked\n');
    const alive = setInterval(() => {}, 60_000); // a signal listener alone does not keep node running
    await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
    clearInterval(alive);
  },
  values['stale-ms'] ? { staleMs: Number(values['stale-ms']) } : {},
);
process.stdout.write('released\n');
