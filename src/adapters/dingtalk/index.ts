/**
 * DingTalk, assembled from its config: the sender the outbox uses, and the inbound path of the
 * configured mode — the HTTP callback the server mounts, or the Stream client main starts.
 */
import { SendError } from '../../core/errors.js';
import type { CredentialStore } from '../credentials.js';
import type { Logger } from '../../core/logger.js';
import type { Poster } from '../../outbox/index.js';
import type { RouteMessage } from '../../core/router.js';
import { createDingtalkCallback, type DingtalkCallback } from './callback.js';
import { createDingtalkInbound, type DingtalkInbound, type DingtalkInboundStore } from './inbound.js';
import { createDingtalkSender, type DingtalkSender } from './send.js';
import { createStreamClient, type StreamClient } from './stream.js';

export interface DingtalkConfig {
  clientId: string;
  clientSecret: string;
  mode: 'http' | 'stream';
  apiBase: string;
  oapiBase: string;
}

/** DingTalk throttles a robot for 10 minutes after more than 20 posts in a minute (docs/protocols/dingtalk.md §4a). */
const DINGTALK_PAUSE_MS = 10 * 60_000;

export interface Dingtalk {
  sender: DingtalkSender;
  /** Unprompted posts: the OpenAPI, or the group's custom robot when people are @-ed. */
  poster: Poster;
  inbound: DingtalkInbound;
  /** HTTP mode only. */
  callback?: DingtalkCallback;
  /** Stream mode only; not started. */
  stream?: StreamClient;
}

export function createDingtalk(
  config: DingtalkConfig,
  deps: { route: RouteMessage; store: DingtalkInboundStore & CredentialStore; log: Logger; now?: () => number; backoff?: { firstMs: number; maxMs: number } },
): Dingtalk {
  const log = deps.log.child({ platform: 'dingtalk' });
  const sender = createDingtalkSender({ ...config, store: deps.store, log, now: deps.now });
  const inbound = createDingtalkInbound({ route: deps.route, store: deps.store, sender, log });
  const poster: Poster = {
    // A picture is a message of its own (sampleImageMsg), sent before the text and counted against the robot's rate.
    parts: (message) => (message.image ? 2 : 1),
    async sendPart(group, { image, ...message }, index) {
      if (!image || index === 1) {
        await sender.send(group, message);
        return;
      }
      try {
        await sender.sendImage(group, image);
      } catch (error) {
        // A group reached only by its custom robot cannot take pictures; its text must still go.
        if (!(error instanceof SendError) || error.failure !== 'permanent') throw error;
        log.warn('picture refused for good; posting the text only', { chat: group.chat, code: error.code });
      }
    },
    pauseMs: DINGTALK_PAUSE_MS,
  };
  if (config.mode === 'http') return { sender, poster, inbound, callback: createDingtalkCallback({ appSecret: config.clientSecret, inbound, now: deps.now }) };
  const stream = createStreamClient({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    apiBase: config.apiBase,
    log,
    onRobotMessage: (payload) => inbound.receiveAcknowledged(payload),
    backoff: deps.backoff,
  });
  return { sender, poster, inbound, stream };
}
