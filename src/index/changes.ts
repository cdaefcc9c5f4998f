// How the corpus differs from the previous generation, story by story: what decides between an
// append, an in-place update and a new graph.
import type { Story } from '../corpus/index.js';
import type { Manifest } from './manifest.js';

/** How the corpus differs from the previous generation, story by story. */
export interface StoryChanges {
  /** Stories it holds unchanged (their attribution may be edited), in its order. */
  held: Story[];
  /** Their indexes among its stories. */
  heldIndexes: number[];
  /** Positions of the paragraphs of stories removed or edited since. */
  removed: number[];
  /** Edited and new stories, in corpus order. */
  appended: Story[];
}

/**
 * The previous generation's stories still in the corpus with the same paragraphs (in its order,
 * as the corpus has them now), the positions of the removed or edited ones' paragraphs, and the
 * edited and new stories. With nothing removed, the new ones can be appended (their labels follow
 * the previous ones). Undefined when the manifest's paragraphs do not add up to its stories.
 */
export function storyChanges(previous: Manifest, stories: readonly Story[]): StoryChanges | undefined {
  const byId = new Map(stories.map((story) => [story.id, story]));
  const changes: StoryChanges = { held: [], heldIndexes: [], removed: [], appended: [] };
  const heldIds = new Set<string>();
  let position = 0;
  for (const [index, { id, paragraphs }] of previous.stories.entries()) {
    const story = byId.get(id);
    const same = story && story.paragraphs.length === paragraphs && story.paragraphs.every((paragraph, i) => previous.paragraphs[position + i]?.hash === paragraph.hash);
    if (same) {
      changes.held.push(story);
      changes.heldIndexes.push(index);
      heldIds.add(id);
    } else {
      for (let i = 0; i < paragraphs; i++) changes.removed.push(position + i);
    }
    position += paragraphs;
  }
  if (position !== previous.paragraphs.length) return undefined;
  changes.appended = stories.filter((story) => !heldIds.has(story.id));
  return changes;
}
