/**
 * Posting to WeCom: into a group through its 消息推送 webhook (91770), and the one active reply a
 * callback's response_url allows (101138). Every URL must have WECOM_API_BASE's origin (DESIGN §7:
 * no request to a host the contract does not name); the webhook key is the credential, so URLs
 * are never logged whole.
 */
import { SendError, type SendFailure } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { OutgoingMessage } from '../../core/types.js';
import { wecomPosts, type WecomPost } from '../../render/wecom.js';
import { ApiAnswerSchema } from './schema.js';

/** A platform call that has not answered by then is treated as failed (and retried by the outbox). */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * WeCom's answer codes, from the global error table and the webhook page: 93000 the webhook URL
 * is invalid or its robot was removed from the group, 93004 the robot is disabled, 40058 the
 * message can never be accepted (e.g. "markdown.content exceed max length"), 45009 too many
 * calls (the webhook allows 20 messages a minute).
 */
export function classifyErrcode(errcode: number): SendFailure | undefined {
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

  /** The URL with its secret query (`key`, `response_code`) left out, for logs and errors. */
  const shown = (url: URL): string => `${url.origin}${url.pathname}`;

  function allowed(raw: string, what: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new SendError(`${what} is not a URL`, 'bad-url', 'permanent');
    }
    if (url.origin !== origin) {
      log.warn('refused to post outside WECOM_API_BASE', { what, origin: url.origin, allowed: origin });
      throw new SendError(`${what} ${shown(url)} is not on ${origin}`, 'foreign-origin', 'permanent');
    }
    return url;
  }

  async function call(url: URL, body: unknown): Promise<void> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new SendError(`${shown(url)} unreachable: ${error instanceof Error ? error.message : String(error)}`, 'network', 'failed');
    }
    const raw = await res.text().catch(() => '');
    if (!res.ok) throw new SendError(`${shown(url)} answered HTTP ${String(res.status)}`, `http-${String(res.status)}`, res.status === 429 ? 'rate-limited' : 'failed');
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new SendError(`${shown(url)} answered something other than JSON`, 'bad-answer', 'failed');
    }
    const answer = ApiAnswerSchema.safeParse(json);
    if (!answer.success) throw new SendError(`${shown(url)} answered an unexpected JSON shape`, 'bad-answer', 'failed');
    const errcode = answer.data.errcode ?? 0;
    const failure = classifyErrcode(errcode);
    if (failure) throw new SendError(`WeCom refused the message: ${String(errcode)} ${answer.data.errmsg ?? ''}`.trim(), String(errcode), failure);
  }

  const sender: WecomSender = {
    post: (webhook, post) => call(allowed(webhook, 'webhook'), post),

    async send(webhook, message) {
      let posts: WecomPost[];
      try {
        posts = wecomPosts(message);
      } catch (error) {
        // Only a picture WeCom cannot take fails here; sending it again will not help.
        throw new SendError(error instanceof Error ? error.message : String(error), 'unsendable', 'permanent');
      }
      for (const post of posts) await sender.post(webhook, post);
    },

    respond: (responseUrl, content) => call(allowed(responseUrl, 'response_url'), { msgtype: 'markdown', markdown: { content } }),
  };
  return sender;
}
