/**
 * DingTalk as a platform adapter: posts by the OpenAPI (or a group's custom robot), and messages
 * from the robot by the configured mode — the HTTP callback the server mounts, or the Stream
 * connection it opens itself, needing no public address.
 */
import { SendError } from '../../core/errors.js';
import type { CredentialStore } from '../credentials.js';
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';
import type { Inbound, PlatformAdapter, Poster } from '../../core/platform.js';
import type { InboundBound } from '../../core/router.js';
import { callbackRoute, createDingtalkCallback } from './callback.js';
import { createDingtalkInbound, type DingtalkInboundStore } from './inbound.js';
import { createDingtalkSender } from './send.js';
import { createStreamClient } from './stream.js';

export interface DingtalkConfig {
  clientId: string;
  clientSecret: string;
  mode: 'http' | 'stream';
  apiBase: string;
  oapiBase: string;
}

export interface DingtalkDeps {
  store: DingtalkInboundStore & CredentialStore;
  log: Logger;
  /** The clock callback timestamps and tokens are checked against (ms since the epoch). */
  now?: () => number;
  /** The Stream's reconnection backoff; tests shorten it. */
  backoff?: { firstMs: number; maxMs: number };
  bound?: InboundBound;
  /** Where the Stream's state is counted; nowhere by default. */
  metrics?: Pick<Metrics, 'connection'>;
}

/** DingTalk throttles a robot for 10 minutes after more than 20 posts in a minute (docs/protocols/dingtalk.md §4a). */
const DINGTALK_PAUSE_MS = 10 * 60_000;

export function createDingtalk(config: DingtalkConfig, deps: DingtalkDeps): PlatformAdapter {
  const log = deps.log.child({ platform: 'dingtalk' });
  const sender = createDingtalkSender({ ...config, store: deps.store, log, now: deps.now });
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
  return {
    platform: 'dingtalk',
    poster,
    receive(route): Inbound {
      const inbound = createDingtalkInbound({ route, store: deps.store, sender, log, bound: deps.bound });
      if (config.mode === 'http') {
        const route = callbackRoute(createDingtalkCallback({ appSecret: config.clientSecret, inbound, now: deps.now }));
        return {
          routes: [route],
          start() {},
          stop: () => inbound.drain(),
          describe: `dingtalk is on: callback at ${route.path}`,
        };
      }
      const stream = createStreamClient({
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        apiBase: config.apiBase,
        log,
        onRobotMessage: (payload) => inbound.receiveAcknowledged(payload),
        backoff: deps.backoff,
        onConnection: (up) => { deps.metrics?.connection('dingtalk-stream', up); },
      });
      return {
        routes: [],
        start: () => { stream.start(); },
        async stop() {
          // No new messages from the Stream; replies still owed go out through their sessionWebhook.
          await stream.stop();
          await inbound.drain();
        },
        describe: 'dingtalk is on: stream mode, no public address needed',
      };
    },
  };
}
