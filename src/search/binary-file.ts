// What the index's two binary search files (`lexical.bin`, `terms.bin`) share: a 64-byte header
// that starts with an 8-byte magic, sections that start at multiples of 8 bytes (so typed arrays
// view them in place), little-endian numbers, and a CRC-32 of every byte after the header.
import { crc32 } from 'node:zlib';

export const HEADER_BYTES = 64;

export const alignTo8 = (offset: number) => Math.ceil(offset / 8) * 8;

/** A binary file being written: its bytes (the magic in place) and a view of its header. */
export function startBinary(total: number, magic: string, what: string): { bytes: Uint8Array; header: DataView } {
  assertLittleEndian(what);
  if (total > 0xffffffff) throw new Error(`${what} does not fit its 4 GB binary format`);
  const bytes = new Uint8Array(total);
  for (let i = 0; i < magic.length; i++) bytes[i] = magic.charCodeAt(i);
  return { bytes, header: new DataView(bytes.buffer, 0, HEADER_BYTES) };
}

/** Writes the checksum of everything after the header at `checksumAt` in the header. */
export function sealBinary(bytes: Uint8Array, checksumAt: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES).setUint32(checksumAt, crc32(bytes.subarray(HEADER_BYTES)), true);
}

/** Whether the bytes start with `magic`. */
export function hasMagic(bytes: Uint8Array, magic: string): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic.charCodeAt(i)) return false;
  return true;
}

/**
 * A binary file's bytes (copied only when they do not start on a 4-byte boundary) and its header,
 * once the bytes are as long as a header and start with `magic`; `damaged` makes the error to throw.
 */
export function openBinary(input: Uint8Array, magic: string, what: string, damaged: (why: string) => Error): { bytes: Uint8Array; header: DataView } {
  assertLittleEndian(what);
  if (input.length < HEADER_BYTES) throw damaged(`${input.length} bytes is shorter than its header`);
  if (!hasMagic(input, magic)) throw damaged(`it does not start with the ${what} magic`);
  const bytes = input.byteOffset % 4 === 0 ? input : new Uint8Array(input);
  return { bytes, header: new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES) };
}

/** Throws unless the file is as long as its header says, its sections fill exactly that, and its checksum matches. */
export function checkBinary(bytes: Uint8Array, stated: { total: number; sections: number; checksum: number }, damaged: (why: string) => Error): void {
  if (stated.total !== bytes.length) throw damaged(`it holds ${bytes.length} bytes where its header says ${stated.total}`);
  if (stated.sections !== stated.total) throw damaged('its sections do not add up to its length');
  // Catches any changed byte; the checks after it catch a buffer written wrong.
  if (crc32(bytes.subarray(HEADER_BYTES)) !== stated.checksum) throw damaged('its checksum does not match');
}

function assertLittleEndian(what: string): void {
  // The typed array views read the sections in the platform's byte order.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error(`${what} needs a little-endian platform`);
}
