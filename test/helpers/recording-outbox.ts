/**
 * The outbox's door as a recorder, for tests of commands that post into other groups (催办, 申请延期,
 * 通过, 签收, 请假): what was queued, and a key seen before answered "already", as the real outbox does.
 */
import type { Post, Posts } from '../../src/core/posts.js';
import { renderText } from '../../src/render/plain.js';

export interface RecordingOutbox {
  posts: Posts;
  /** Everything queued since the last `clear`, in order. */
  readonly queued: Post[];
  /** What `posts.delivering()` answers: true (a server sends), false (none), undefined (unknown). */
  delivering: boolean | undefined;
  /** Each post queued for one chat, as plain text. */
  postedTo: (chat: string) => string[];
  /** Nothing queued, a server delivering: for a test's start. */
  clear(): void;
}

export function recordingOutbox(): RecordingOutbox {
  const queued: Post[] = [];
  const outbox: RecordingOutbox = {
    queued,
    delivering: true,
    posts: {
      enqueue(batch) {
        const added: string[] = [];
        const already: string[] = [];
        for (const post of batch) {
          if (queued.some((q) => q.key === post.key)) already.push(post.key);
          else {
            queued.push(post);
            added.push(post.key);
          }
        }
        return Promise.resolve({ added, already, platformOff: [] });
      },
      delivering: () => Promise.resolve(outbox.delivering),
    },
    postedTo: (chat) => queued.filter((p) => p.chat === chat).map((p) => renderText(p.message)),
    clear() {
      queued.length = 0;
      outbox.delivering = true;
    },
  };
  return outbox;
}
