import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.js';
import { decodeDocument, fetchDocument, guardedLookup, isPublicAddress, USER_AGENT, type FetchOptions, type Resolver } from '../src/import/fetch.js';
import { installConnectTrap, type ConnectTrap } from './helpers/connect-trap.js';

// Pages of a fictional town paper, served from 127.0.0.1 only.
const UTF8_PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>Riverton Ledger</title></head>' +
  '<body><p>Café owners on Harbor Avenue said the naïve plan would cost €4.2 million.</p></body></html>';
// "Café ‘Ledger’" in windows-1252: é = 0xE9, ‘ = 0x91, ’ = 0x92.
const CP1252_BODY = Buffer.concat([
  Buffer.from('<html><head><meta charset="windows-1252"><title>Ledger</title></head><body><p>Caf'),
  Buffer.from([0xe9, 0x20, 0x91]),
  Buffer.from('Ledger'),
  Buffer.from([0x92, 0x3c, 0x2f, 0x70, 0x3e]), // ’</p>
  Buffer.from('</body></html>'),
]);
const LATIN1_BODY = Buffer.concat([Buffer.from('<html><body><p>Riverton r'), Buffer.from([0xe9]), Buffer.from('sum'), Buffer.from([0xe9]), Buffer.from('</p></body></html>')]);
const RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>The Riverton Ledger</title></channel></rss>';

const hits: string[] = [];
const userAgents: string[] = [];
let server: Server;
let base: string;

function route(request: IncomingMessage, response: ServerResponse): void {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  hits.push(path);
  userAgents.push(request.headers['user-agent'] ?? '');
  const chain = /^\/chain\/(\d+)$/.exec(path);
  if (chain) {
    const left = Number(chain[1]);
    if (left === 0) return void response.writeHead(200, { 'content-type': 'text/html' }).end(UTF8_PAGE);
    // Relative Location: resolved against the current URL.
    return void response.writeHead(302, { location: String(left - 1) }).end();
  }
  const status = /^\/status\/(\d+)$/.exec(path);
  if (status) return void response.writeHead(Number(status[1]), { 'content-type': 'text/html' }).end('<p>No.</p>');
  switch (path) {
    case '/utf8':
      return void response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(UTF8_PAGE);
    case '/cp1252-meta':
      return void response.writeHead(200, { 'content-type': 'text/html' }).end(CP1252_BODY);
    case '/latin1-header':
      return void response.writeHead(200, { 'content-type': 'text/html; charset=ISO-8859-1' }).end(LATIN1_BODY);
    case '/gzip':
      return void response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'gzip' }).end(gzipSync(UTF8_PAGE));
    case '/redirect-relative':
      return void response.writeHead(301, { location: '/utf8?from=redirect' }).end();
    case '/redirect-ftp':
      return void response.writeHead(302, { location: 'ftp://ftp.example.com/story.html' }).end();
    case '/redirect-nowhere':
      return void response.writeHead(302).end();
    case '/feed.xml':
      return void response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS);
    case '/report.pdf':
      return void response.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.4');
    case '/slow':
      // Headers and a first chunk, then nothing: only the overall timeout ends it.
      response.writeHead(200, { 'content-type': 'text/html' });
      return void response.write('<html><body><p>Loading the council minutes');
    case '/big-stream': {
      response.writeHead(200, { 'content-type': 'text/html' }); // chunked, no Content-Length
      const chunk = '<p>' + 'Riverton '.repeat(110) + '</p>\n';
      let sent = 0;
      const timer = setInterval(() => {
        if (response.destroyed || sent > 1_000_000) return void (clearInterval(timer), response.end());
        sent += chunk.length;
        response.write(chunk);
      }, 1);
      response.on('close', () => clearInterval(timer));
      return;
    }
    case '/big-declared':
      return void response.writeHead(200, { 'content-type': 'text/html', 'content-length': 50_000 }).end('x'.repeat(50_000));
    default:
      return void response.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = createServer(route);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const LOCAL: FetchOptions = { allowPrivate: true, accept: 'html' };

/** The failure message, checked to be one plain sentence for a person. */
async function failure(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  const message = (error as UserError).message;
  expect(message).not.toMatch(/\n/);
  expect(message).toMatch(/\.$/);
  expect(message).not.toMatch(/\.\s+[A-Z]/); // no second sentence
  expect(message).not.toMatch(/fetch failed|TypeError|\bat .+:\d+:\d+/);
  return message;
}

describe('fetchDocument', () => {
  it('fetches and decodes a UTF-8 page with a clear User-Agent', async () => {
    const page = await fetchDocument(`${base}/utf8`, LOCAL);
    expect(page.text).toBe(UTF8_PAGE);
    expect(page).toMatchObject({ url: `${base}/utf8`, requestedUrl: `${base}/utf8`, contentType: 'text/html; charset=utf-8' });
    expect(userAgents.at(-1)).toBe(USER_AGENT);
  });

  it('decodes windows-1252 declared only in <meta charset>, and ISO-8859-1 declared in the header', async () => {
    expect((await fetchDocument(`${base}/cp1252-meta`, LOCAL)).text).toContain('<p>Café ‘Ledger’</p>');
    expect((await fetchDocument(`${base}/latin1-header`, LOCAL)).text).toContain('<p>Riverton résumé</p>');
  });

  it('lets undici undo gzip', async () => {
    expect((await fetchDocument(`${base}/gzip`, LOCAL)).text).toBe(UTF8_PAGE);
  });

  it('follows redirects: a relative Location, and a chain of 3', async () => {
    const page = await fetchDocument(`${base}/redirect-relative`, LOCAL);
    expect(page.url).toBe(`${base}/utf8?from=redirect`);
    expect(page.requestedUrl).toBe(`${base}/redirect-relative`);
    expect((await fetchDocument(`${base}/chain/3`, LOCAL)).url).toBe(`${base}/chain/0`);
    expect((await fetchDocument(`${base}/chain/5`, LOCAL)).url).toBe(`${base}/chain/0`);
  });

  it('refuses a chain of 6 redirects, a redirect to ftp:, and one without a Location', async () => {
    expect(await failure(fetchDocument(`${base}/chain/6`, LOCAL))).toBe(`${base}/chain/6 redirected more than 5 times.`);
    expect(await failure(fetchDocument(`${base}/chain/2`, { ...LOCAL, maxRedirects: 1 }))).toMatch(/redirected more than 1 times\.$/);
    expect(await failure(fetchDocument(`${base}/redirect-ftp`, LOCAL))).toMatch(/redirected to ftp:\/\/ftp\.example\.com\/story\.html, which is not an http or https link\.$/);
    expect(await failure(fetchDocument(`${base}/redirect-nowhere`, LOCAL))).toMatch(/did not say where to\.$/);
  });

  it('refuses private addresses unless allowed, before sending anything', async () => {
    const before = hits.length;
    const literal = await failure(fetchDocument(`${base}/utf8`, { allowPrivate: false, accept: 'html' }));
    expect(literal).toBe(`Refused to fetch ${base}/utf8: the address is private (127.0.0.1); set ALLOW_PRIVATE_URLS=true to allow it.`);
    // A host name is checked at connect time, on the address the socket would use.
    const port = new URL(base).port;
    expect(await failure(fetchDocument(`http://localhost:${port}/utf8`, { allowPrivate: false, accept: 'html' }))).toMatch(/ALLOW_PRIVATE_URLS=true/);
    for (const url of ['http://[::1]/', 'http://0x7f.1/', 'http://2130706433/', 'http://169.254.169.254/latest/meta-data/', 'http://[::ffff:10.0.0.1]/']) {
      expect(await failure(fetchDocument(url, { allowPrivate: false, accept: 'html' }))).toMatch(/the address is private \(.+\); set ALLOW_PRIVATE_URLS=true/);
    }
    expect(hits.length).toBe(before);
  });

  it('refuses non-web schemes and invalid links', async () => {
    expect(await failure(fetchDocument('file:///etc/passwd', LOCAL))).toBe('file:///etc/passwd is not a web address: only http and https links can be fetched.');
    expect(await failure(fetchDocument('ftp://ftp.example.com/story.html', LOCAL))).toMatch(/^ftp:\/\/ftp\.example\.com\/story\.html is not a web address/);
    expect(await failure(fetchDocument('http://127.0.0.1:25/', LOCAL))).toBe('http://127.0.0.1:25/ uses port 25, which web clients refuse to fetch from.');
    expect(await failure(fetchDocument('not a link', LOCAL))).toBe('not a link is not a valid web address.');
  });

  it('gives up on a page whose body stalls', async () => {
    expect(await failure(fetchDocument(`${base}/slow`, { ...LOCAL, timeoutMs: 300 }))).toBe(`${new URL(base).host} did not answer within 0.3 s.`);
  });

  it('stops reading a body larger than maxBytes, and refuses a too-large Content-Length', async () => {
    expect(await failure(fetchDocument(`${base}/big-stream`, { ...LOCAL, maxBytes: 10_000 }))).toBe(`${base}/big-stream is larger than 9.8 KB.`);
    expect(await failure(fetchDocument(`${base}/big-declared`, { ...LOCAL, maxBytes: 10_000 }))).toBe(`${base}/big-declared is larger than 9.8 KB.`);
    expect((await fetchDocument(`${base}/big-declared`, { ...LOCAL, maxBytes: 50_000 })).text).toHaveLength(50_000);
  });

  it.each([
    [404, /\/status\/404 was not found \(HTTP 404\); check the link\.$/],
    [403, /\/status\/403 denied access \(HTTP 403\); it looks like a paywall or login wall\.$/],
    [401, /paywall or login wall\.$/],
    [429, /^127\.0\.0\.1:\d+ is limiting requests \(HTTP 429\); try again later\.$/],
    [500, /^127\.0\.0\.1:\d+ had a server error \(HTTP 500\); try again later\.$/],
    [418, /\/status\/418 could not be fetched \(HTTP 418\)\.$/],
  ])('explains HTTP %i', async (status, message) => {
    expect(await failure(fetchDocument(`${base}/status/${status}`, LOCAL))).toMatch(message);
  });

  it('checks the content type against what the caller wants', async () => {
    expect(await failure(fetchDocument(`${base}/report.pdf`, LOCAL))).toBe(`${base}/report.pdf is not an HTML page (content type application/pdf).`);
    expect(await failure(fetchDocument(`${base}/utf8`, { ...LOCAL, accept: 'feed' }))).toBe(`${base}/utf8 is not a feed (content type text/html).`);
    expect((await fetchDocument(`${base}/feed.xml`, { ...LOCAL, accept: 'feed' })).text).toBe(RSS);
  });

  it('names a host that does not resolve, and one that refuses connections', async () => {
    expect(await failure(fetchDocument('http://nonexistent.invalid/', { allowPrivate: false, accept: 'html' }))).toMatch(/the host nonexistent\.invalid/);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await failure(fetchDocument(`http://127.0.0.1:${port}/`, LOCAL))).toBe(`127.0.0.1:${port} refused the connection.`);
  });
});

describe('a redirect to a private address', () => {
  // 127.0.0.2 stands in for a public news site: only it counts as public here. Its redirects
  // lead to 127.0.0.1 (a literal address, and "localhost", which resolves to it), the kind of
  // address a hostile page would send the bot to.
  let publicSite: Server;
  let publicBase: string;
  let privatePort: number;
  const onlyTheStandIn = (address: string) => address === '127.0.0.2';

  beforeAll(async () => {
    privatePort = (server.address() as AddressInfo).port;
    publicSite = createServer((request, response) => {
      const target = request.url === '/to-literal' ? `http://127.0.0.1:${privatePort}/utf8` : `http://localhost:${privatePort}/utf8`;
      if (request.url === '/page') return void response.writeHead(200, { 'content-type': 'text/html' }).end(UTF8_PAGE);
      response.writeHead(302, { location: target }).end();
    });
    await new Promise<void>((resolve) => publicSite.listen(0, '127.0.0.2', resolve));
    publicBase = `http://127.0.0.2:${(publicSite.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    publicSite.closeAllConnections();
    await new Promise((resolve) => publicSite.close(resolve));
  });

  it('fetches from the stand-in public site itself', async () => {
    const page = await fetchDocument(`${publicBase}/page`, { allowPrivate: false, addressAllowed: onlyTheStandIn, accept: 'html' });
    expect(page.text).toBe(UTF8_PAGE);
  });

  it('refuses the second hop, to a literal private address or a name that resolves to one, and never reaches it', async () => {
    const before = hits.length;
    const options: FetchOptions = { allowPrivate: false, addressAllowed: onlyTheStandIn, accept: 'html' };
    expect(await failure(fetchDocument(`${publicBase}/to-literal`, options))).toBe(
      `Refused to fetch http://127.0.0.1:${privatePort}/utf8: the address is private (127.0.0.1); set ALLOW_PRIVATE_URLS=true to allow it.`,
    );
    expect(await failure(fetchDocument(`${publicBase}/to-name`, options))).toMatch(/the address is private \((?:127\.0\.0\.1|::1)\); set ALLOW_PRIVATE_URLS=true/);
    expect(hits.length).toBe(before);
  });
});

describe('isPublicAddress', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fc00::1', '::ffff:127.0.0.1', '224.0.0.1', 'not an address'])(
    '%s is not public',
    (address) => expect(isPublicAddress(address)).toBe(false),
  );
  it.each(['8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => expect(isPublicAddress(address)).toBe(true));
});

describe('decodeDocument', () => {
  const cafe = (prefix: string, suffix = '') => Buffer.concat([Buffer.from(prefix), Buffer.from([0x43, 0x61, 0x66, 0xe9]), Buffer.from(suffix)]);

  it('reads the charset from the header, a BOM, <meta http-equiv> or <?xml encoding?>', () => {
    expect(decodeDocument(cafe(''), 'text/html; charset="iso-8859-1"')).toBe('Café');
    expect(decodeDocument(Buffer.from('\uFEFFCafé', 'utf8'), 'text/html; charset=windows-1252')).toBe('Café');
    expect(decodeDocument(cafe('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'))).toMatch(/Café$/);
    expect(decodeDocument(cafe('<?xml version="1.0" encoding="windows-1252"?><title>', '</title>'))).toMatch(/Café<\/title>$/);
  });

  it('maps the windows-1252 punctuation bytes, also under the iso-8859-1 label', () => {
    expect(decodeDocument(Uint8Array.of(0x80, 0x20, 0x93, 0x41, 0x94, 0x20, 0x96, 0x20, 0xe9), 'text/html; charset=iso-8859-1')).toBe('€ “A” – é');
  });

  it('falls back to UTF-8 for no declaration or an unknown label', () => {
    expect(decodeDocument(Buffer.from('Café'))).toBe('Café');
    expect(decodeDocument(Buffer.from('Café'), 'text/html; charset=klingon')).toBe('Café');
    expect(decodeDocument(Buffer.from('<meta charset="utf-16">Café'))).toBe('<meta charset="utf-16">Café');
  });
});

// ---- guards written from the rule: no socket is ever handed a non-public address ----

/**
 * Every way of writing an address that is not public, in one table: the plain ranges, and the
 * forms that carry an IPv4 address inside an IPv6 one or write it in another base. Each is
 * refused by isPublicAddress, as a URL's literal host, and as a name's answer from the resolver.
 */
const NOT_PUBLIC: Array<[form: string, address: string]> = [
  ['loopback', '127.0.0.1'],
  ['loopback, elsewhere in 127/8', '127.45.6.7'],
  ['private 10/8', '10.0.0.1'],
  ['private 172.16/12', '172.16.0.1'],
  ['private 192.168/16', '192.168.1.1'],
  ['carrier-grade NAT', '100.64.0.1'],
  ['link-local', '169.254.1.1'],
  ['cloud metadata', '169.254.169.254'],
  ['this network', '0.0.0.0'],
  ['broadcast', '255.255.255.255'],
  ['multicast', '224.0.0.1'],
  ['reserved (class E)', '240.0.0.1'],
  ['IPv6 loopback', '::1'],
  ['IPv6 unspecified', '::'],
  ['IPv6 link-local', 'fe80::1'],
  ['IPv6 unique local', 'fd12:3456::1'],
  ['IPv6 site-local (deprecated)', 'fec0::1'],
  ['IPv6 multicast', 'ff02::1'],
  ['IPv4-mapped, dotted', '::ffff:127.0.0.1'],
  ['IPv4-mapped, hex (metadata)', '::ffff:a9fe:a9fe'],
  ['IPv4-mapped, private', '::ffff:10.0.0.1'],
  ['IPv4-compatible, dotted', '::127.0.0.1'],
  ['IPv4-compatible, hex (loopback)', '::7f00:1'],
  ['IPv4-compatible, hex (metadata)', '::a9fe:a9fe'],
  ['IPv4-translated (metadata)', '::ffff:0:a9fe:a9fe'],
  ['NAT64 (metadata)', '64:ff9b::a9fe:a9fe'],
  ['NAT64, dotted (loopback)', '64:ff9b::127.0.0.1'],
  ['NAT64, local use (private)', '64:ff9b:1::a00:1'],
  ['6to4 (metadata)', '2002:a9fe:a9fe::1'],
  ['6to4 (loopback)', '2002:7f00:1::1'],
  ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
  ['documentation', '2001:db8::1'],
  ['IPv4 in decimal', '2130706433'],
  ['IPv4 in hex', '0x7f000001'],
  ['IPv4 in octal', '0177.0.0.1'],
  ['IPv4, short form', '127.1'],
  ['IPv4, hex and short', '0x7f.1'],
  ['IPv4, short form (private)', '10.1'],
];
const PUBLIC = ['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8'];

/** How the table's address is written as a URL's host (IPv6 in brackets). */
const hostOf = (address: string) => (address.includes(':') ? `[${address}]` : address);

describe('the private-address guard, every encoding in one table', () => {
  let trap: ConnectTrap;
  beforeAll(async () => {
    trap = await installConnectTrap(() => false);
  });
  afterAll(async () => trap.close());

  it.each(NOT_PUBLIC)('%s (%s) is not public', (_form, address) => expect(isPublicAddress(address)).toBe(false));
  it.each(PUBLIC)('%s is public', (address) => expect(isPublicAddress(address)).toBe(true));

  it.each(NOT_PUBLIC)('%s (%s) as a URL\'s host: refused, no connection tried', async (_form, address) => {
    const before = trap.attempts.length;
    expect(await failure(fetchDocument(`http://${hostOf(address)}/story`, { allowPrivate: false, accept: 'html' }))).toMatch(
      /^Refused to fetch .*: the address is private \(.+\); set ALLOW_PRIVATE_URLS=true to allow it\.$/,
    );
    expect(trap.attempts.slice(before)).toEqual([]);
    expect(trap.trapped).toEqual([]);
  });

  it.each(NOT_PUBLIC.filter(([, address]) => net.isIP(address) !== 0))(
    '%s (%s) as a name\'s answer, after a public one: refused, no connection tried',
    async (_form, address) => {
      const before = trap.attempts.length;
      const family = net.isIP(address);
      const resolve: Resolver = async () => [{ address: family === 4 ? '93.184.216.34' : '2606:4700:4700::1111', family }, { address, family }];
      expect(await failure(fetchDocument('http://news.example/story', { allowPrivate: false, accept: 'html', resolve }))).toBe(
        `Refused to fetch http://news.example/story: the address is private (${address}); set ALLOW_PRIVATE_URLS=true to allow it.`,
      );
      expect(trap.attempts.slice(before)).toEqual([]);
      expect(trap.trapped).toEqual([]);
    },
  );

  it('a name answering a private address first and a public one after: refused too', async () => {
    const resolve: Resolver = async () => [{ address: '10.0.0.1', family: 4 }, { address: '93.184.216.34', family: 4 }];
    expect(await failure(fetchDocument('http://news.example/story', { allowPrivate: false, accept: 'html', resolve }))).toMatch(/the address is private \(10\.0\.0\.1\)/);
    expect(trap.trapped).toEqual([]);
  });

  it('the lookup the socket uses hands over no address when any answer is private, whatever the order', async () => {
    const answers = [{ address: '93.184.216.34', family: 4 }, { address: '169.254.169.254', family: 4 }];
    for (const order of [answers, [...answers].reverse()]) {
      const lookup = guardedLookup(isPublicAddress, async () => order);
      for (const all of [true, false]) {
        const result = await new Promise<{ error: unknown; address: unknown }>((resolve) =>
          lookup('news.example', { all }, (error, address) => resolve({ error, address })),
        );
        expect(result.error).toBeInstanceOf(Error);
        expect(String((result.error as Error).message)).toContain('169.254.169.254');
        expect(result.address).toBe('');
      }
    }
    // And the control: all public answers are handed over.
    const lookup = guardedLookup(isPublicAddress, async () => [answers[0]!]);
    const handed = await new Promise<unknown>((resolve) => lookup('news.example', { all: true }, (_error, address) => resolve(address)));
    expect(handed).toEqual([answers[0]]);
  });
});

describe('a redirect to a private address is never followed, to any address or port', () => {
  // 127.0.0.2 stands in for a public news site: the only address allowed, and the only one the
  // trap lets through. Every other connection the fetcher tries is recorded and sent to the trap.
  let site: Server;
  let siteBase: string;
  let trap: ConnectTrap;
  const STAND_IN = '127.0.0.2';
  const TARGETS = [
    'http://[::1]:80/admin',
    'http://169.254.169.254/latest/meta-data/',
    'http://[64:ff9b::a9fe:a9fe]/latest/meta-data/',
    'http://[::ffff:7f00:1]:8080/',
    'http://127.0.0.1:6379/',
    'http://0x7f.1:3000/',
    'http://2130706433:9200/',
    'http://localhost:5432/',
    'http://metadata.internal/computeMetadata/v1/',
  ];

  beforeAll(async () => {
    site = createServer((request, response) => {
      const target = new URL(request.url ?? '/', 'http://x').searchParams.get('to');
      if (target) return void response.writeHead(302, { location: target }).end();
      response.writeHead(200, { 'content-type': 'text/html' }).end(UTF8_PAGE);
    });
    await new Promise<void>((resolve) => site.listen(0, STAND_IN, resolve));
    siteBase = `http://${STAND_IN}:${(site.address() as AddressInfo).port}`;
    trap = await installConnectTrap((address) => address === STAND_IN);
  });
  afterAll(async () => {
    await trap.close();
    site.closeAllConnections();
    await new Promise((resolve) => site.close(resolve));
  });

  // metadata.internal answers a private address here, as it does in a cloud.
  const resolve: Resolver = async (hostname) => (hostname === 'metadata.internal' ? [{ address: '169.254.169.254', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
  const options: FetchOptions = { allowPrivate: false, addressAllowed: (address) => address === STAND_IN, accept: 'html', resolve };

  it('the stand-in site itself is fetched (the trap lets it through)', async () => {
    expect((await fetchDocument(`${siteBase}/page`, options)).text).toBe(UTF8_PAGE);
    expect(trap.attempts.every((attempt) => attempt.startsWith(`${STAND_IN}:`))).toBe(true);
  });

  it.each(TARGETS)('→ %s: refused in one sentence; no socket tried anything but the stand-in', async (target) => {
    const before = trap.attempts.length;
    const message = await failure(fetchDocument(`${siteBase}/go?to=${encodeURIComponent(target)}`, options));
    expect(message).toMatch(/^Refused to fetch http:\/\/.*: the address is private \(.+\); set ALLOW_PRIVATE_URLS=true to allow it\.$/);
    expect(trap.attempts.slice(before).filter((attempt) => !attempt.startsWith(`${STAND_IN}:`))).toEqual([]);
    expect(trap.trapped).toEqual([]);
  });
});
