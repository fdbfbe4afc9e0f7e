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
 * together; each send is counted in Redis against both windows (`CONVERSATION_LIMITS`), and a push
 * that would pass them waits — so the outbox may pace the lane at the full 30 a minute. A group's
 * webhook takes 20 a minute, counted the same way. Charts are uploaded once (init, chunks, finish) and sent by media_id;
 * the id is kept while WeCom keeps the file, so a fan-out of one chart to every group uploads it once.
 */
import { createHash } from 'node:crypto';
import { SendError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Poster } from '../../core/platform.js';
import type { Group } from '../../domain/model.js';
import type { ConnectionStore, RateWindow } from '../../store/connections.js';
import type { LongConnection } from './long-connection.js';
import { fitsWebhook, socketPosts, wecomPosts, type WecomPost } from './render.js';
import { UploadFinishedSchema, UploadStartedSchema } from './schema.js';
import { wecomWebhookFailure, type WecomSender } from './send.js';
import type { Ack } from './socket.js';

/** Per conversation, replies and pushes together (docs/protocols/wecom.md §10). */
const PER_MINUTE = 30;
const PER_HOUR = 1000;
export const CONVERSATION_LIMITS: readonly RateWindow[] = [
  { ms: 60_000, max: PER_MINUTE },
  { ms: 3_600_000, max: PER_HOUR },
];
/** A group's 消息推送 webhook: 20 a minute (docs/protocols/wecom.md §4, page 91770). */
const WEBHOOK_LIMITS: readonly RateWindow[] = [{ ms: 60_000, max: 20 }];
/** Uploads, per bot (docs/protocols/wecom.md §10). */
const UPLOAD_LIMITS: readonly RateWindow[] = CONVERSATION_LIMITS;
/** An upload's chunks: at most 512 KB before base64, at most 100 of them (docs/protocols/wecom.md §10). */
const CHUNK_BYTES = 512 * 1024;
/** WeCom keeps an uploaded file 3 days; its id is used for 2, so a post never names a file about to go. */
const MEDIA_KEPT_S = 2 * 24 * 60 * 60;
/** How long a group refused over the long connection is posted to by its webhook. */
const FALLBACK_S = 24 * 60 * 60;
/** docs/protocols/wecom.md §10: `chat_type` 2 is a group chat (posts go to groups only). */
const GROUP_CHAT = 2;

export type SocketPostsStore = Pick<ConnectionStore, 'spendBudget' | 'mediaId' | 'keepMediaId' | 'socketRefused' | 'markSocketRefused'>;

export interface SocketPostsDeps {
  connection: Pick<LongConnection, 'send'>;
  store: SocketPostsStore;
  /** The webhook's sender, for posts that @ people and for the fallback. */
  webhook: Pick<WecomSender, 'post'>;
  botId: string;
  log: Logger;
  pauseMs: number;
}

/** The budget name of one conversation: its replies and its pushes count together. */
export const conversationBudget = (chat: string): string => `wecom/${chat}`;

/** A send's answer as the outbox treats it: nothing when accepted, SendError otherwise (as for the webhook). */
export function ackFailure(ack: Ack, what: string): SendError | undefined {
  const failure = socketFailure(ack.errcode);
  return failure === undefined ? undefined : new SendError(`WeCom refused ${what}: ${String(ack.errcode)} ${ack.errmsg}`.trim(), String(ack.errcode), failure);
}

/** The webhook's classification, and 40008 (a message type the long connection does not take) as permanent. */
const socketFailure = (errcode: number) => (errcode === 40008 ? 'permanent' : wecomWebhookFailure(errcode));

export function socketPoster({ connection, store, webhook, botId, log, pauseMs }: SocketPostsDeps): Poster {
  async function sendChecked(cmd: string, body: unknown, what: string): Promise<Ack> {
    const ack = await connection.send(cmd, body);
    const refused = ackFailure(ack, what);
    if (refused) throw refused;
    return ack;
  }

  async function spend(budget: string, windows: readonly RateWindow[]): Promise<void> {
    const waitMs = await store.spendBudget(budget, Date.now(), windows);
    if (waitMs > 0) throw new SendError(`${budget} is at WeCom's rate limit for ${String(waitMs)} ms more`, 'budget', 'rate-limited', waitMs);
  }

  async function push(chat: string, body: Record<string, unknown>): Promise<void> {
    await spend(conversationBudget(chat), CONVERSATION_LIMITS);
    await sendChecked('aibot_send_msg', { chatid: chat, chat_type: GROUP_CHAT, ...body }, 'the post');
  }

  /** Uploads under way in this process, by digest: a fan-out's groups post one chart at once, and wait for one upload. */
  const uploading = new Map<string, Promise<string>>();

  /** The chart's media_id, uploading it unless it was uploaded lately. */
  function mediaIdOf(base64: string): Promise<string> {
    const raw = Buffer.from(base64, 'base64');
    const digest = createHash('md5').update(raw).digest('hex');
    let pending = uploading.get(digest);
    if (!pending) {
      pending = uploaded(raw, digest).finally(() => uploading.delete(digest));
      uploading.set(digest, pending);
    }
    return pending;
  }

  async function uploaded(raw: Buffer, digest: string): Promise<string> {
    const known = await store.mediaId('wecom', digest);
    if (known !== undefined) return known;
    await spend(`wecom-upload/${botId}`, UPLOAD_LIMITS);
    const chunks = Math.ceil(raw.length / CHUNK_BYTES);
    const started = await sendChecked('aibot_upload_media_init', { type: 'image', filename: 'chart.png', total_size: raw.length, total_chunks: chunks, md5: digest }, 'the upload');
    const upload = UploadStartedSchema.safeParse(started.body);
    if (!upload.success) throw new SendError('the upload was not given an upload_id', 'bad-answer', 'failed');
    const { upload_id } = upload.data;
    for (let index = 0; index < chunks; index++) {
      const part = raw.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES);
      await sendChecked('aibot_upload_media_chunk', { upload_id, chunk_index: index, base64_data: part.toString('base64') }, 'a chunk of the upload');
    }
    const finished = UploadFinishedSchema.safeParse((await sendChecked('aibot_upload_media_finish', { upload_id }, 'the upload')).body);
    if (!finished.success) throw new SendError('the upload was not given a media_id', 'bad-answer', 'failed');
    await store.keepMediaId('wecom', digest, finished.data.media_id, MEDIA_KEPT_S);
    return finished.data.media_id;
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
    await spend(`wecom-webhook/${group.chat}`, WEBHOOK_LIMITS);
    await webhook.post(group.webhook, post);
  }

  return {
    // The larger of the two ways' counts: the way is decided when the post goes, and a part
    // with nothing to send on the way taken is skipped.
    parts: ({ image, ...text }) => (image && fitsWebhook(image) ? 1 : 0) + Math.max(wecomPosts(text).length, socketPosts(text).length),

    async sendPart(group, { image, ...text }, index) {
      const picture = image && fitsWebhook(image) ? image : undefined;
      const part = picture ? index - 1 : index;
      const webhookPart = (): WecomPost | undefined => (part < 0 ? wecomPosts({ lines: [], image: picture })[0] : wecomPosts(text)[part]);
      if (await byWebhook(group, (text.mentions?.length ?? 0) > 0)) return viaWebhook(group, webhookPart());
      try {
        if (part < 0 && picture) {
          await push(group.chat, { msgtype: 'image', image: { media_id: await mediaIdOf(picture.base64) } });
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
