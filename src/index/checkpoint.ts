import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sha256 } from '../hash.js';

/** Paragraph hashes are 16 hex characters (src/corpus): each record starts with one. */
const HASH_BYTES = 16;

/**
 * Vectors a build has embedded so far, appended to a file in the index folder as they are made,
 * so a build that is interrupted (Ctrl-C, a crash, a reboot) resumes without embedding them
 * again. One file per model; removed when the build finishes. A record cut short by the
 * interruption is ignored.
 */
export class EmbeddingCheckpoint {
  readonly file: string;

  constructor(
    indexDir: string,
    model: { id: string; hash: string },
    private readonly dimensions: number,
  ) {
    this.file = path.join(indexDir, `.embedded-${sha256(`${model.id}\n${model.hash}\n${dimensions}`)}.bin`);
  }

  private get recordBytes(): number {
    return HASH_BYTES + 4 * this.dimensions;
  }

  /** The vectors written so far, by paragraph hash. */
  read(): Map<string, Float32Array> {
    const vectors = new Map<string, Float32Array>();
    if (!existsSync(this.file)) return vectors;
    const bytes = readFileSync(this.file);
    for (let offset = 0; offset + this.recordBytes <= bytes.length; offset += this.recordBytes) {
      const hash = bytes.toString('latin1', offset, offset + HASH_BYTES);
      const start = offset + HASH_BYTES;
      vectors.set(hash, new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + 4 * this.dimensions)));
    }
    return vectors;
  }

  append(hashes: readonly string[], vectors: readonly Float32Array[]): void {
    const records: Buffer[] = [];
    hashes.forEach((hash, i) => {
      const vector = vectors[i];
      if (hash.length !== HASH_BYTES || vector?.length !== this.dimensions) return;
      records.push(Buffer.from(hash, 'latin1'), Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
    });
    if (records.length > 0) appendFileSync(this.file, Buffer.concat(records));
  }

  remove(): void {
    rmSync(this.file, { force: true });
  }
}
