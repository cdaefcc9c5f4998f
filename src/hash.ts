import { createHash } from 'node:crypto';

/** Short, stable content hash (hex) used for paragraphs, corpus and model files. */
export function sha256(data: string | Uint8Array, length = 16): string {
  return createHash('sha256').update(data).digest('hex').slice(0, length);
}
