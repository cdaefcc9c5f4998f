/**
 * Fetches one web page or feed for the importer: the only network code in Verbatim. A URL typed
 * into Discord is untrusted, so every hop is limited to http(s) and public addresses (checked
 * when the socket connects, on the address actually used), and the time, size and number of
 * redirects are bounded. Every failure is a UserError with one sentence.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Response } from 'undici';
import { UserError } from '../errors.js';

export interface FetchOptions {
  /** Allow loopback/private/link-local/etc. addresses (tests serve pages on 127.0.0.1). */
  allowPrivate: boolean;
  /**
   * Which addresses may be connected to, on every hop; by default public unicast ones (any, with
   * allowPrivate). Tests let one loopback address stand for a public server, to show that a
   * redirect from it to another address is refused.
   */
  addressAllowed?: (address: string) => boolean;
  /** Time for the whole request, redirects and body included (default {@link DEFAULT_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Largest body accepted, after decompression (default {@link DEFAULT_MAX_BYTES}). */
  maxBytes?: number;
  /** Redirects followed before giving up (default {@link DEFAULT_MAX_REDIRECTS}). */
  maxRedirects?: number;
  /** 'html' accepts HTML/XHTML pages; 'feed' accepts RSS, Atom, XML and plain-text bodies. */
  accept: 'html' | 'feed';
  /**
   * Looks a host name up: every address it answers is checked before the socket gets any of them
   * (default: the system's resolver, dns.lookup). Tests give names answers of their own.
   */
  resolve?: Resolver;
}

/** A host name's addresses, as dns.lookup with `all: true` gives them. */
export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export interface FetchedDocument {
  /** The final URL, after redirects. */
  url: string;
  requestedUrl: string;
  contentType: string;
  /** The body, decoded with {@link decodeDocument}. */
  text: string;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;
export const USER_AGENT = 'VerbatimBot/0.1 (+self-hosted Discord bot; fetches one article on request)';

const ACCEPT_HEADER = {
  html: 'text/html, application/xhtml+xml;q=0.9',
  feed: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, text/plain;q=0.5',
} as const;
const ACCEPTED_TYPES = {
  html: ['text/html', 'application/xhtml+xml'],
  feed: ['application/rss+xml', 'application/atom+xml', 'application/rdf+xml', 'application/xml', 'text/xml', 'text/plain'],
} as const;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export async function fetchDocument(url: string, options: FetchOptions): Promise<FetchedDocument> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const requested = parseWebUrl(url);
  let current = requested;
  // One signal for every hop and the body, so the limit is on the whole request.
  const signal = AbortSignal.timeout(timeoutMs);
  const allowed = options.addressAllowed ?? (options.allowPrivate ? () => true : isPublicAddress);
  // Loaded when a page is fetched: undici is ~0.3 s of modules that adding a saved page or a text file does not need.
  const { Agent, fetch } = await import('undici');
  const agent = new Agent({ connect: { lookup: guardedLookup(allowed, options.resolve ?? systemResolver) } });
  try {
    for (let redirects = 0; ; redirects++) {
      checkAddressLiteral(current, allowed);
      const response = await fetch(current, {
        dispatcher: agent,
        redirect: 'manual',
        signal,
        headers: { 'user-agent': USER_AGENT, accept: ACCEPT_HEADER[options.accept] },
      });
      if (REDIRECT_STATUSES.has(response.status)) {
        await discard(response);
        if (redirects >= maxRedirects) throw new UserError(`${show(requested)} redirected more than ${maxRedirects} times.`);
        current = redirectTarget(response, current);
        continue;
      }
      checkStatus(response, current);
      const contentType = response.headers.get('content-type') ?? '';
      checkContentType(contentType, options.accept, current, response);
      const bytes = await readBody(response, maxBytes, current);
      return { url: current.href, requestedUrl: requested.href, contentType, text: decodeDocument(bytes, contentType) };
    }
  } catch (error) {
    throw explainFailure(error, current, signal, timeoutMs);
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

/** Global unicast IPv6: ipaddr.js calls "unicast" whatever it has no name for, IPv4-compatible ::7f00:1 (127.0.0.1) too. */
const IPV6_GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * Whether an IP address is a public unicast address. IPv4-mapped IPv6 is judged as the IPv4
 * address it carries; every other IPv6 form that carries an IPv4 address (NAT64 64:ff9b::/96,
 * 6to4 2002::/16, Teredo, IPv4-compatible ::/96, IPv4-translated) is refused outright, and so is
 * anything outside global unicast (2000::/3).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // process() turns ::ffff:a.b.c.d into a.b.c.d so the IPv4 ranges apply.
  const parsed = ipaddr.process(address);
  if (parsed.range() !== 'unicast') return false;
  if (parsed.kind() === 'ipv4') return true;
  const v6 = parsed as ipaddr.IPv6;
  return v6.match(IPV6_GLOBAL_UNICAST);
}

/**
 * Decodes page bytes: a BOM, else the Content-Type charset, else <meta charset>,
 * <meta http-equiv content-type> or <?xml encoding?> in the first 2048 bytes, else UTF-8.
 * Unknown labels fall back to UTF-8.
 */
export function decodeDocument(bytes: Uint8Array, contentType?: string): string {
  // A BOM wins over the header, as in browsers: it cannot be there by accident.
  const label = bomEncoding(bytes) ?? charsetParameter(contentType) ?? prescanEncoding(bytes) ?? 'utf-8';
  const decoder = decoderFor(label);
  return decoder.encoding === 'windows-1252' ? decodeWindows1252(bytes) : decoder.decode(bytes);
}

// ---- addresses ----

/** Thrown from the connect-time lookup; explainFailure finds it in the error's causes. */
class PrivateAddressError extends Error {
  readonly code = 'ERR_VERBATIM_PRIVATE_ADDRESS';
  constructor(readonly host: string, readonly address: string) {
    super(`${host} resolves to the non-public address ${address}`);
  }
}

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/**
 * A socket lookup that refuses to hand the socket any address when one of the name's addresses is
 * not allowed: a name answering a public and a private address is refused, whichever comes first.
 */
export function guardedLookup(allowed: (address: string) => boolean, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const refused = addresses.find((entry) => !allowed(entry.address));
        if (refused) return callback(new PrivateAddressError(hostname, refused.address), '');
        // Every answer is checked above; the socket gets those of the family it asked for, if any.
        const usable = options.family === 4 || options.family === 6 ? addresses.filter((entry) => entry.family === options.family) : addresses;
        const first = usable[0];
        if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
        if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

/** A literal IP host never goes through the lookup, so it is checked before connecting. */
function checkAddressLiteral(url: URL, allowed: (address: string) => boolean): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && !allowed(host)) throw privateAddress(url, host);
}

function privateAddress(url: URL, address: string): UserError {
  return new UserError(
    `Refused to fetch ${show(url)}: the address is private (${address}); set ALLOW_PRIVATE_URLS=true to allow it.`,
  );
}

// ---- URLs and responses ----

function parseWebUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new UserError(`${clip(text.trim()) || 'An empty link'} is not a valid web address.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`${show(url)} is not a web address: only http and https links can be fetched.`);
  }
  return url;
}

function redirectTarget(response: Response, from: URL): URL {
  const location = response.headers.get('location');
  if (!location) throw new UserError(`${show(from)} answered with a redirect but did not say where to.`);
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    throw new UserError(`${show(from)} redirected to an invalid address.`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new UserError(`${show(from)} redirected to ${show(target)}, which is not an http or https link.`);
  }
  return target;
}

function checkStatus(response: Response, url: URL): void {
  const status = response.status;
  if (status >= 200 && status < 300) return;
  void discard(response);
  const page = show(url);
  if (status === 404 || status === 410) throw new UserError(`${page} was not found (HTTP ${status}); check the link.`);
  if (status === 401 || status === 403) {
    throw new UserError(`${page} denied access (HTTP ${status}); it looks like a paywall or login wall.`);
  }
  if (status === 429) throw new UserError(`${url.host} is limiting requests (HTTP 429); try again later.`);
  if (status >= 500) throw new UserError(`${url.host} had a server error (HTTP ${status}); try again later.`);
  throw new UserError(`${page} could not be fetched (HTTP ${status}).`);
}

function checkContentType(contentType: string, accept: FetchOptions['accept'], url: URL, response: Response): void {
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  // No Content-Type at all is let through: the extractor will judge the text itself.
  if (type === '' || (ACCEPTED_TYPES[accept] as readonly string[]).includes(type)) return;
  void discard(response);
  const kind = accept === 'html' ? 'an HTML page' : 'a feed';
  throw new UserError(`${show(url)} is not ${kind} (content type ${type}).`);
}

async function readBody(response: Response, maxBytes: number, url: URL): Promise<Uint8Array> {
  const tooBig = () => new UserError(`${show(url)} is larger than ${formatBytes(maxBytes)}.`);
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    void discard(response);
    throw tooBig();
  }
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Stop reading now rather than after the server has sent everything.
      void reader.cancel().catch(() => undefined);
      throw tooBig();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Frees the connection of a response whose body is not wanted. */
async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

// ---- errors ----

const CERTIFICATE_PROBLEMS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'has expired',
  CERT_NOT_YET_VALID: 'is not valid yet',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'is signed by an untrusted authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'is signed by an unknown authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'cannot be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'is for a different host name',
  CERT_REVOKED: 'has been revoked',
};

/** Turns whatever undici or the socket threw into one sentence about the URL. */
function explainFailure(error: unknown, url: URL, signal: AbortSignal, timeoutMs: number): UserError {
  if (error instanceof UserError) return error;
  const host = url.host;
  if (signal.aborted) return new UserError(`${host} did not answer within ${formatSeconds(timeoutMs)}.`);
  const causes = causeChain(error);
  const refused = causes.find((cause): cause is PrivateAddressError => cause instanceof PrivateAddressError);
  if (refused) return privateAddress(url, refused.address);
  // undici refuses the fetch standard's blocked ports (25, 6000, …) before connecting.
  if (causes.some((cause) => cause instanceof Error && cause.message === 'bad port')) {
    return new UserError(`${show(url)} uses port ${url.port}, which web clients refuse to fetch from.`);
  }
  const code = causes.map((cause) => (cause as { code?: unknown }).code).find((c): c is string => typeof c === 'string');
  switch (code) {
    case 'ENOTFOUND':
      return new UserError(`Could not find the host ${host}; check the link.`);
    case 'EAI_AGAIN':
      return new UserError(`Could not look up the host ${host}; check the network connection and try again.`);
    case 'ECONNREFUSED':
      return new UserError(`${host} refused the connection.`);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return new UserError(`${host} closed the connection before the page was sent; try again later.`);
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return new UserError(`${host} did not answer in time; try again later.`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new UserError(`${host} cannot be reached from this machine; check the network connection.`);
  }
  if (code && code in CERTIFICATE_PROBLEMS) {
    return new UserError(`${host} has a security certificate that ${CERTIFICATE_PROBLEMS[code]}, so it was not trusted.`);
  }
  if (code && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO')) {
    return new UserError(`Could not open a secure connection to ${host} (${code}).`);
  }
  return new UserError(`Could not fetch ${show(url)}${code ? ` (${code})` : ''}.`);
}

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && chain.length < 8; e = (e as { cause?: unknown }).cause) {
    chain.push(e);
  }
  return chain;
}

/** The URL as shown in messages: without user:password@, and not endlessly long. */
function show(url: URL): string {
  return clip(`${url.protocol}//${url.host}${url.pathname}${url.search}`);
}

function clip(text: string): string {
  return text.length > 150 ? `${text.slice(0, 150)}…` : text;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / 1024 / 1024).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${bytes} bytes`;
}

// ---- character encodings ----

function bomEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return undefined;
}

function charsetParameter(contentType: string | undefined): string | undefined {
  return /;\s*charset\s*=\s*["']?([^;"'\s]+)/i.exec(contentType ?? '')?.[1];
}

/** Looks for an encoding declared in the markup, in the first 2048 bytes read as ASCII. */
function prescanEncoding(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('windows-1252').decode(bytes.subarray(0, 2048));
  const xml = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1];
  if (xml) return xml;
  for (const [tag] of head.matchAll(/<meta\b[^>]*>/gi)) {
    const label = /\bcharset\s*=\s*["']?([^;"'\s/>]+)/i.exec(tag)?.[1];
    // Markup readable as ASCII cannot be UTF-16, whatever it says (as the HTML spec rules).
    if (label) return /^utf-16/i.test(label) ? 'utf-8' : label;
  }
  return undefined;
}

// Bytes 0x80-0x9F of windows-1252 (WHATWG index; also what the latin1 and ascii labels mean).
const WINDOWS_1252_HIGH =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

/**
 * Node 20.18.3+ decodes windows-1252 as plain latin1, turning curly quotes and dashes into
 * control characters (nodejs/node#60888), so those 32 bytes are mapped here.
 */
function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

function decoderFor(label: string): TextDecoder {
  try {
    return new TextDecoder(label.trim());
  } catch {
    return new TextDecoder('utf-8');
  }
}
