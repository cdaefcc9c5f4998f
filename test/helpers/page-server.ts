// The fixture pages (test/fixtures/pages, all invented) and feeds served from 127.0.0.1, for the
// tests that fetch articles over HTTP. Feeds carry a literal {{BASE}} placeholder that becomes the
// server's own address, so their item links point back at it.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PROJECT_ROOT } from './corpus.js';

export const PAGES = path.join(PROJECT_ROOT, 'test/fixtures/pages');

/** A fixture page or feed, as saved. */
export const fixture = (name: string): string => readFileSync(path.join(PAGES, name), 'utf8');

/**
 * A test's own routes, tried before the fixture files: handle the request (and return true) or
 * return false to fall through to the fixtures.
 */
export type PageRoute = (url: URL, response: ServerResponse, request: IncomingMessage) => boolean;

export interface PageServer {
  /** http://127.0.0.1:<port> */
  readonly base: string;
  /** Every request path (with query) the server saw, in order. */
  readonly hits: string[];
  /** The fixture text with {{BASE}} replaced by this server's address. */
  withBase(text: string): string;
  /** How many requests asked for this path (query ignored). */
  hitsOf(pathname: string): number;
  close(): Promise<void>;
}

/**
 * Serves `/<name>.html` from the fixture pages, `/feed.rss` and `/feed.atom` with {{BASE}}
 * filled in, and a 404 page for anything else; `route` comes first.
 */
export async function startPageServer(route?: PageRoute): Promise<PageServer> {
  let base = '';
  const hits: string[] = [];
  const withBase = (text: string) => text.replaceAll('{{BASE}}', base);

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    hits.push(`${url.pathname}${url.search}`);
    if (route?.(url, response, request)) return;
    const name = url.pathname.slice(1);
    if (/^[\w-]+\.html$/.test(name) && existsSync(path.join(PAGES, name))) return void response.writeHead(200, { 'content-type': 'text/html' }).end(readFileSync(path.join(PAGES, name)));
    if (name === 'feed.rss') return void response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(withBase(fixture(name)));
    if (name === 'feed.atom') return void response.writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' }).end(withBase(fixture(name)));
    response.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body><p>Not found.</p></body></html>');
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    hits,
    withBase,
    hitsOf: (pathname) => hits.filter((hit) => hit === pathname || hit.startsWith(`${pathname}?`)).length,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
