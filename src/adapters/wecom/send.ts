/**
 * Posting to WeCom: into a group through its 消息推送 webhook (docs/protocols/wecom.md §4, page 91770), and the one active reply a
 * callback's response_url allows (docs/protocols/wecom.md §2.2, page 101138). Every URL must have WECOM_API_BASE's origin (docs/design.md §7:
 * no request to a host the contract does not name); the webhook key is the credential, so URLs
 * are never logged whole.
 */
import { SendError, type SendFailure } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { OutgoingMessage } from '../../core/types.js';
import { wecomPosts, type WecomPost } from './render.js';
import { httpFailure, postJson, shownUrl, urlOn } from '../http.js';
import { ApiAnswerSchema } from './schema.js';

/**
 * WeCom's answer codes, from the global error table and the webhook page: 93000 the webhook URL
 * is invalid or its robot was removed from the group, 93004 the robot is disabled, 40058 the
 * message can never be accepted (e.g. "markdown.content exceed max length"), 45009 too many
 * calls (the webhook allows 20 messages a minute).
 */
export function wecomWebhookFailure(errcode: number): SendFailure | undefined {
  if (errcode === 0) return undefined;
  if (errcode === 93000 || errcode === 93004 || errcode === 40058) return 'permanent';
  if (errcode === 45009) return 'rate-limited';
  return 'failed';
}

export interface WecomSender {
  /** One message into a group; SendError when WeCom refuses it or cannot be reached. */
  post(webhook: string, post: WecomPost): Promise<void>;
  /** A whole message into a group: its picture and text parts in order, stopping at the first failure. */
  send(webhook: string, message: OutgoingMessage): Promise<void>;
  /** The active reply to one callback (markdown). */
  respond(responseUrl: string, content: string): Promise<void>;
}

export function createWecomSender({ apiBase, log }: { apiBase: string; log: Logger }): WecomSender {
  const origin = new URL(apiBase).origin;

  async function call(url: URL, body: unknown): Promise<void> {
    const { status, json } = await postJson(url, body);
    if (status < 200 || status >= 300) throw httpFailure(url, status);
    // response_url documents no answer: an empty one is success.
    if (json === undefined) return;
    const answer = ApiAnswerSchema.safeParse(json);
    if (!answer.success) throw new SendError(`${shownUrl(url)} answered an unexpected JSON shape`, 'bad-answer', 'failed');
    const errcode = answer.data.errcode ?? 0;
    const failure = wecomWebhookFailure(errcode);
    if (failure) throw new SendError(`WeCom refused the message: ${String(errcode)} ${answer.data.errmsg ?? ''}`.trim(), String(errcode), failure);
  }

  const allowed = (raw: string, what: string): URL => urlOn(raw, origin, what, 'WECOM_API_BASE', log);

  const sender: WecomSender = {
    post: (webhook, post) => call(allowed(webhook, 'webhook'), post),

    async send(webhook, message) {
      for (const post of wecomPosts(message)) await sender.post(webhook, post);
    },

    respond: (responseUrl, content) => call(allowed(responseUrl, 'response_url'), { msgtype: 'markdown', markdown: { content } }),
  };
  return sender;
}

