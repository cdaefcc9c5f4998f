// Sees every connection the fetcher's sockets try to make, to any address and any port, and lets
// none of them leave the machine. undici opens its sockets with node:net's connect (and tls's,
// which calls it), so while installed every net.connect is recorded: a literal address as it is,
// a host name as the addresses its lookup hands the socket. Each is then sent to a trap server
// on 127.0.0.1 instead, except literal addresses a test lets through (its stand-in for a public
// site, given as an address), so a guard that broke shows as a recorded attempt and never as a request to
// 169.254.169.254 or a port on this machine that some other program listens on.
import net from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectTrap {
  /** Every address a socket was about to connect to (`address:port`), in order, trapped or let through. */
  readonly attempts: string[];
  /** Requests the trap server received: connections that got through the guard. */
  readonly trapped: string[];
  /** Stops recording and restores net.connect. */
  close(): Promise<void>;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | Array<{ address: string; family: number }>, family?: number) => void;
type Lookup = (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback) => void;

export async function installConnectTrap(letThrough: (address: string) => boolean): Promise<ConnectTrap> {
  const attempts: string[] = [];
  const trapped: string[] = [];
  const server: Server = createServer((request, response) => {
    trapped.push(`${request.headers.host ?? ''}${request.url ?? ''}`);
    response.writeHead(200, { 'content-type': 'text/html' }).end('<p>trapped</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const trapPort = (server.address() as AddressInfo).port;

  const original = net.connect;
  const patched = function (this: unknown, ...args: unknown[]) {
    const options = args[0];
    if (options && typeof options === 'object' && 'port' in options) {
      const o = options as { host?: string; port?: number; lookup?: Lookup };
      const host = (o.host ?? 'localhost').replace(/^\[|\]$/g, '');
      const port = o.port;
      if (net.isIP(host) !== 0) {
        attempts.push(`${host}:${port}`);
        if (!letThrough(host)) args[0] = { ...o, host: '127.0.0.1', port: trapPort };
      } else if (o.lookup) {
        const lookup = o.lookup;
        const wrapped: Lookup = (hostname, lookupOptions, callback) =>
          lookup(hostname, lookupOptions, (error, address, family) => {
            if (error) return callback(error, '');
            const list = Array.isArray(address) ? address : [{ address, family: family ?? 4 }];
            for (const entry of list) attempts.push(`${entry.address}:${port}`);
            if (Array.isArray(address)) callback(null, [{ address: '127.0.0.1', family: 4 }]);
            else callback(null, '127.0.0.1', 4);
          });
        // A name's port is fixed before its lookup answers, so a name always goes to the trap.
        args[0] = { ...o, port: trapPort, lookup: wrapped };
      } else {
        attempts.push(`${host}:${port}`);
        args[0] = { ...o, host: '127.0.0.1', port: trapPort };
      }
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  };
  (net as { connect: unknown }).connect = patched;
  return {
    attempts,
    trapped,
    async close() {
      (net as { connect: unknown }).connect = original;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
