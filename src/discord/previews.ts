// Previews waiting for their Add or Cancel button. Kept in memory for a while: the story's text
// is far too big for a button id, and a preview from before a restart is simply re-run.
import { randomBytes } from 'node:crypto';
import type { NewStory } from '../corpus/index.js';

/** How long a preview's Add button works. */
export const PREVIEW_TTL_MS = 15 * 60 * 1000;
const MAX_PREVIEWS = 200;

export interface PendingPreview {
  story: NewStory;
  /** Only the member who asked may press Add or Cancel. */
  userId: string;
  guildId: string | null;
  createdAt: number;
}

export interface PreviewStore {
  put(preview: Omit<PendingPreview, 'createdAt'>): string;
  /** The preview, unless it expired. */
  get(id: string): PendingPreview | undefined;
  delete(id: string): void;
}

export function createPreviewStore(now: () => number = Date.now): PreviewStore {
  const previews = new Map<string, PendingPreview>();
  const sweep = () => {
    for (const [id, preview] of previews) if (now() - preview.createdAt > PREVIEW_TTL_MS) previews.delete(id);
    while (previews.size >= MAX_PREVIEWS) previews.delete(previews.keys().next().value!);
  };
  return {
    put(preview) {
      sweep();
      const id = randomBytes(8).toString('hex');
      previews.set(id, { ...preview, createdAt: now() });
      return id;
    },
    get(id) {
      const preview = previews.get(id);
      if (!preview || now() - preview.createdAt > PREVIEW_TTL_MS) return undefined;
      return preview;
    },
    delete(id) {
      previews.delete(id);
    },
  };
}
