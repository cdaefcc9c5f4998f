// Button custom ids carry everything a button needs, so buttons keep working after a restart or
// an index rebuild; the question itself is read back from the message the button sits under.
//   v1:more:<offset>:<results>:<story key or empty>   next passages of the same question
//   v1:ctx:<paragraph number>:<story key>              paragraphs around a passage
//   v1:sadd:<preview id> / v1:scancel:<preview id>     Add / Cancel under a /story add preview
//   v1:slist:<page>                                    a page of /story list
//   v1:src:<page>                                      a page of /sources
// A story key is the story id (a slug: [a-z0-9-]), or "~" + a hash of it when the id is too long.
import { DISCORD_LIMITS } from '../answer/discord.js';
import { sha256 } from '../hash.js';
import type { StoredStory } from '../index/index.js';

const VERSION = 'v1';
/** Ids longer than this are replaced by a hash so every custom id stays under 100 characters. */
const MAX_STORY_KEY = 60;

export type ButtonAction =
  | { kind: 'more'; offset: number; topK: number; storyKey: string | undefined }
  | { kind: 'context'; paragraph: number; storyKey: string }
  | { kind: 'story-add' | 'story-cancel'; previewId: string }
  | { kind: 'story-list'; page: number }
  | { kind: 'sources'; page: number };

export function storyKey(storyId: string): string {
  return storyId.length <= MAX_STORY_KEY ? storyId : `~${sha256(storyId, 12)}`;
}

/** The story a key names in the current index, if it is still there. */
export function storyByKey(stories: readonly StoredStory[], key: string): StoredStory | undefined {
  return stories.find((story) => story.id === key || storyKey(story.id) === key);
}

export function moreButtonId(request: { offset: number; topK: number; storyId?: string }): string {
  return checked(`${VERSION}:more:${request.offset}:${request.topK}:${request.storyId ? storyKey(request.storyId) : ''}`);
}

export function contextButtonId(passage: { storyId: string; paragraph: number }): string {
  return checked(`${VERSION}:ctx:${passage.paragraph}:${storyKey(passage.storyId)}`);
}

export function storyPreviewButtonId(kind: 'story-add' | 'story-cancel', previewId: string): string {
  return checked(`${VERSION}:${kind === 'story-add' ? 'sadd' : 'scancel'}:${previewId}`);
}

export function storyListButtonId(page: number): string {
  return checked(`${VERSION}:slist:${page}`);
}

export function sourcesButtonId(page: number): string {
  return checked(`${VERSION}:src:${page}`);
}

/** The action of a custom id this bot made; undefined for anything else (old versions, forgeries). */
export function parseButtonId(customId: string): ButtonAction | undefined {
  const [version, kind, first, second, ...rest] = customId.split(':');
  if (version !== VERSION) return undefined;
  const whole = (text: string | undefined, min: number, max: number) => {
    const value = Number(text);
    return text && /^\d+$/.test(text) && value >= min && value <= max ? value : undefined;
  };
  if (kind === 'more' && rest.length === 1) {
    const offset = whole(first, 1, 1000);
    const topK = whole(second, 1, 5);
    if (offset === undefined || topK === undefined) return undefined;
    return { kind: 'more', offset, topK, storyKey: rest[0] || undefined };
  }
  if ((kind === 'sadd' || kind === 'scancel') && first && /^[a-z0-9]{6,32}$/.test(first) && second === undefined) {
    return { kind: kind === 'sadd' ? 'story-add' : 'story-cancel', previewId: first };
  }
  if ((kind === 'slist' || kind === 'src') && second === undefined) {
    const page = whole(first, 0, 100_000);
    return page === undefined ? undefined : { kind: kind === 'slist' ? 'story-list' : 'sources', page };
  }
  if (kind === 'ctx') {
    const paragraph = whole(first, 1, 1_000_000);
    if (paragraph === undefined || !second || rest.length > 0) return undefined;
    return { kind: 'context', paragraph, storyKey: second };
  }
  return undefined;
}

function checked(customId: string): string {
  if (customId.length > DISCORD_LIMITS.customId) throw new Error(`custom id longer than ${DISCORD_LIMITS.customId}: ${customId}`);
  return customId;
}
