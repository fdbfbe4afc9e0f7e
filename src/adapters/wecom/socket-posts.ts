/**
 * Posting into groups over the long connection (`aibot_send_msg`, docs/protocols/wecom.md §10), so a
 * county needs no 消息推送 webhook per group: a group bound by `绑定` in chat has its chatid, and
 * the bot may post there once someone has messaged it there.
 *
 * The webhook stays where it does what the long connection cannot:
 * - a post that @-mentions people goes by the group's webhook when it has one (`text` with
 *   `mentioned_list` is the only real @ WeCom offers a bot);
 * - a group whose long-connection post WeCom refuses for good (the bot was never spoken to
 *   there, or is not in it) falls back to the webhook the setup file names for it, and keeps to
 *   it for a day.
 *
 * WeCom allows 30 messages a minute and 1,000 an hour per conversation, replies and pushes
 * together; each send is counted in Redis against both windows (`socket-sends.ts`), and a push
 * that would pass them waits — so the outbox may pace the lane at the full 30 a minute. A group's
 * webhook takes 20 a minute, counted the same way. Charts are uploaded once and sent by media_id
 * (`socket-media.ts`).
 */
import { SendError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { countedOnce, type Poster } from '../../core/platform.js';
import type { Group } from '../../domain/model.js';
import type { ConnectionStore, RateWindow } from '../../store/connections.js';
import type { LongConnection } from './long-connection.js';
import { fitsWebhook, socketPosts, wecomPosts, type WecomPost } from './render.js';
import type { WecomSender } from './send.js';
import type { SocketMedia } from './socket-media.js';
import { CONVERSATION_LIMITS, conversationBudget, PER_MINUTE, sendChecked, spend } from './socket-sends.js';

/** A group's 消息推送 webhook: 20 a minute (docs/protocols/wecom.md §4, page 91770). */
const WEBHOOK_LIMITS: readonly RateWindow[] = [{ ms: 60_000, max: 20 }];
/** How long a group refused over the long connection is posted to by its webhook. */
const FALLBACK_S = 24 * 60 * 60;
/** docs/protocols/wecom.md §10: `chat_type` 2 is a group chat (posts go to groups only). */
const GROUP_CHAT = 2;

export type SocketPostsStore = Pick<ConnectionStore, 'spendBudget' | 'socketRefused' | 'markSocketRefused'>;

export interface SocketPostsDeps {
  connection: Pick<LongConnection, 'send'>;
  store: SocketPostsStore;
  /** The webhook's sender, for posts that @ people and for the fallback. */
  webhook: Pick<WecomSender, 'post'>;
  /** Charts: uploaded once, sent by media_id. */
  media: SocketMedia;
  log: Logger;
  pauseMs: number;
}

export function socketPoster({ connection, store, webhook, media, log, pauseMs }: SocketPostsDeps): Poster {
  async function push(chat: string, body: Record<string, unknown>): Promise<void> {
    await spend(store, conversationBudget(chat), CONVERSATION_LIMITS);
    await sendChecked(connection, 'aibot_send_msg', { chatid: chat, chat_type: GROUP_CHAT, ...body }, 'the post');
  }

  /** Whether this group's posts go by its webhook: to @ people, or because the long connection cannot reach it. */
  async function byWebhook(group: Group, mentions: boolean): Promise<boolean> {
    if (group.webhook === undefined) return false;
    return mentions || (await store.socketRefused(group.chat));
  }

  async function viaWebhook(group: Group, post: WecomPost | undefined): Promise<void> {
    if (post === undefined) return;
    if (group.webhook === undefined) throw new SendError(`group ${group.chat} has no 消息推送 webhook`, 'no-webhook', 'permanent');
    // The lane goes at the connection's pace, faster than a webhook takes: its own count keeps it within 20.
    await spend(store, `wecom-webhook/${group.chat}`, WEBHOOK_LIMITS);
    await webhook.post(group.webhook, post);
  }

  return {
    // The larger of the two ways' counts: the way is decided when the post goes, and a part
    // with nothing to send on the way taken is skipped.
    parts: countedOnce(({ image, ...text }) => (image && fitsWebhook(image) ? 1 : 0) + Math.max(wecomPosts(text).length, socketPosts(text).length)),

    async sendPart(group, { image, ...text }, index) {
      const picture = image && fitsWebhook(image) ? image : undefined;
      const part = picture ? index - 1 : index;
      const webhookPart = (): WecomPost | undefined => (part < 0 ? wecomPosts({ lines: [], image: picture })[0] : wecomPosts(text)[part]);
      if (await byWebhook(group, (text.mentions?.length ?? 0) > 0)) return viaWebhook(group, webhookPart());
      try {
        if (part < 0 && picture) {
          await push(group.chat, { msgtype: 'image', image: { media_id: await media.idOf(picture.base64) } });
          return;
        }
        const content = socketPosts(text)[part];
        if (content !== undefined) await push(group.chat, { msgtype: 'markdown', markdown: { content } });
      } catch (error) {
        if (!(error instanceof SendError) || error.failure !== 'permanent' || group.webhook === undefined) throw error;
        log.warn('the long connection cannot post to this group; using its webhook for a day', { chat: group.chat, code: error.code });
        await store.markSocketRefused(group.chat, FALLBACK_S);
        await viaWebhook(group, webhookPart());
      }
    },

    pauseMs,
    // Every send is counted against WeCom's own limits (CONVERSATION_LIMITS, WEBHOOK_LIMITS), so a
    // lane may go at the connection's full 30 a minute.
    perMinute: PER_MINUTE,
  };
}
