import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../errors.js';
import { decodeDocument, fetchDocument, type FetchOptions } from './fetch.js';

/** How the importer reaches the web. */
export interface ImportSettings {
  /** Allow pages on loopback and private addresses (ALLOW_PRIVATE_URLS). */
  allowPrivate: boolean;
  fetch?: Pick<FetchOptions, 'timeoutMs' | 'maxBytes' | 'maxRedirects'>;
}

export type SourceKind = 'url' | 'html' | 'text';

/** A source's content: an HTML page (with the address it came from, when fetched), or a text file. */
export type LoadedSource = { kind: 'html'; html: string; pageUrl?: string } | { kind: 'text'; text: string };

/** What kind of source a command-line argument is. */
export function sourceKind(source: string): SourceKind {
  if (/^https?:\/\//i.test(source)) return 'url';
  if (/\.(?:x?html?|html?\.gz)$/i.test(source)) return 'html';
  if (/\.(?:txt|md|markdown)$/i.test(source)) return 'text';
  if (/\.(?:xml|rss|atom|rdf)$/i.test(source)) throw new UserError(`${source} looks like a feed: to add its items, give it with --feed (npm run add-story -- --feed ${source}).`);
  throw new UserError(`${source} is not an http(s) URL, a saved .html (or .html.gz) page, or a .txt / .md file.`);
}

/** Fetches a URL or reads a saved page or text file: the first step, and the only one with I/O. */
export async function loadSource(source: string, settings: ImportSettings): Promise<LoadedSource> {
  switch (sourceKind(source)) {
    case 'url': {
      const page = await fetchDocument(source, { ...settings.fetch, allowPrivate: settings.allowPrivate, accept: 'html' });
      return { kind: 'html', html: page.text, pageUrl: page.url };
    }
    case 'html':
      return { kind: 'html', html: decodeDocument(await readSavedPage(source)) };
    case 'text':
      return { kind: 'text', text: (await readLocalFile(source)).toString('utf8').replace(/^\uFEFF/, '') };
  }
}

async function readSavedPage(file: string): Promise<Uint8Array> {
  const bytes = await readLocalFile(file);
  if (!/\.gz$/i.test(file)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch {
    throw new UserError(`${file} is not a gzip file: save the page as .html, or gzip it again.`);
  }
}

async function readLocalFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch {
    throw new UserError(`Cannot read ${file}: check the path.`);
  }
}

/** A source as the person typed it, short enough for one sentence. */
export function describeSource(source: string): string {
  const shown = /^https?:\/\//i.test(source) ? source : path.basename(source);
  return shown.length > 120 ? `${shown.slice(0, 117)}…` : shown;
}
