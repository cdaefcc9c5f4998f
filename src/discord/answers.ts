import { answerMessage, type ApiMessage } from '../answer/discord.js';
import type { SearchResult } from '../search/index.js';
import type { HandlerOutcome } from './command.js';
import { contextButtonId, moreButtonId } from './custom-id.js';

/** Which page of which search a reply shows: what its "More passages" button continues. */
export interface AnswerPage {
  offset: number;
  topK: number;
  storyId?: string;
}

/** An answer with its buttons: "More passages" when more follow, "Show context" for the top passage. */
export function answerReply(asked: string, result: SearchResult, page: AnswerPage): ApiMessage {
  const top = result.passages[0];
  const answered = result.outcome.kind === 'answered' && top !== undefined;
  return answerMessage(asked, result, {
    offset: page.offset,
    actions: answered
      ? {
          more: result.more ? moreButtonId({ offset: page.offset + page.topK, topK: page.topK, storyId: page.storyId }) : undefined,
          context: contextButtonId({ storyId: top.story.id, paragraph: top.paragraph.number }),
        }
      : {},
  });
}

export function outcomeOf(result: SearchResult): HandlerOutcome {
  return result.outcome.kind === 'answered' ? { passages: result.passages.length } : { passages: 0, refused: result.outcome.kind };
}
