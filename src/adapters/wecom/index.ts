/** WeCom, assembled from its config: the callback the server mounts and the sender the outbox uses. */
import { SendError } from '../../core/errors.js';
import { rememberSecret } from '../../core/redact.js';
import type { Logger } from '../../core/logger.js';
import type { Poster } from '../../outbox/index.js';
import type { InboundBound, RouteMessage } from '../../core/router.js';
import { createWecomCallback, type WecomCallback, type WecomCallbackStore } from './callback.js';
import { createWecomCrypto } from './crypto.js';
import { fitsWebhook, wecomPosts } from '../../render/wecom.js';
import { createWecomSender, type WecomSender } from './send.js';

export interface WecomConfig {
  token: string;
  encodingAesKey: string;
  apiBase: string;
}

export interface Wecom {
  callback: WecomCallback;
  sender: WecomSender;
  /** Unprompted posts, through each group's 消息推送 webhook. */
  poster: Poster;
}

/** WeCom documents no penalty for 45009; a minute is the rate window the webhook states (docs/protocols/wecom.md §4, page 91770). */
const WECOM_PAUSE_MS = 60_000;

export function createWecom(config: WecomConfig, deps: { route: RouteMessage; store: WecomCallbackStore; log: Logger; replyWithinMs?: number; now?: () => number; bound?: InboundBound }): Wecom {
  const log = deps.log.child({ platform: 'wecom' });
  rememberSecret(config.token);
  rememberSecret(config.encodingAesKey);
  const sender = createWecomSender({ apiBase: config.apiBase, log });
  const crypto = createWecomCrypto({ token: config.token, encodingAesKey: config.encodingAesKey });
  const callback = createWecomCallback({ crypto, route: deps.route, store: deps.store, sender, log, replyWithinMs: deps.replyWithinMs, now: deps.now, bound: deps.bound });
  const poster: Poster = {
    // The picture (part 0, when the webhook takes it) is decoded and hashed only when it is sent:
    // `parts` is asked for every post of a fan-out, and a chart is up to a megabyte.
    parts: ({ image, ...text }) => (image && fitsWebhook(image) ? 1 : 0) + wecomPosts(text).length,
    async sendPart(group, { image, ...text }, index) {
      if (group.webhook === undefined) throw new SendError(`group ${group.chat} has no 消息推送 webhook in the setup file`, 'no-webhook', 'permanent');
      const picture = image && fitsWebhook(image);
      if (image && !picture && index === 0) log.warn('picture left out: over the 2 MB the webhook takes; posting the text', { chat: group.chat });
      const post = picture && index === 0 ? wecomPosts({ lines: [], image })[0] : wecomPosts(text)[picture ? index - 1 : index];
      if (post) await sender.post(group.webhook, post);
    },
    pauseMs: WECOM_PAUSE_MS,
  };
  return { callback, sender, poster };
}
