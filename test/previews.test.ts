// /story add's previews (README: "a preview's buttons work for 15 minutes"), on a clock of our own.
import { describe, expect, it } from 'vitest';
import type { NewStory } from '../src/corpus/index.js';
import { createPreviewStore } from '../src/discord/previews.js';

const story: NewStory = { title: 'Ferry fares stay put', outlet: 'Harbor Courier', authors: [], published: '2030-02-11', url: 'https://courier.example/fares', paragraphs: ['The board kept the fares.'] };

describe('the preview store', () => {
  it('keeps a preview for 15 minutes and not a moment after', () => {
    let now = 1_000_000;
    const store = createPreviewStore(() => now);
    const id = store.put({ story, userId: '1', guildId: null });
    now += 15 * 60 * 1000;
    expect(store.get(id)?.story.title).toBe('Ferry fares stay put');
    now += 1;
    expect(store.get(id)).toBeUndefined();
  });

  it('a deleted preview is gone; an unknown id is nothing', () => {
    const store = createPreviewStore(() => 0);
    const id = store.put({ story, userId: '1', guildId: null });
    store.delete(id);
    expect(store.get(id)).toBeUndefined();
    expect(store.get('no-such-preview')).toBeUndefined();
  });
});
