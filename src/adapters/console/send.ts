/** Posts into the terminal's own groups (the sample county's console groups): printed, headed by the group. */
import type { Poster } from '../../core/platform.js';
import { cli } from '../../messages/index.js';
import { renderText } from '../../render/plain.js';

/** The terminal's groups as an outbox target: a post is printed, headed by the group it is for. */
export function consolePoster(write: (text: string) => void): Poster {
  return {
    parts: () => 1,
    sendPart(group, message) {
      write(`${cli.chat.postHeading(group.name ?? group.chat)}\n${renderText(message)}\n`);
      return Promise.resolve();
    },
    pauseMs: 0,
  };
}
