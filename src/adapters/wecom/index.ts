/**
 * WeCom as a platform adapter, in the mode its 智能机器人 is set to (docs/protocols/wecom.md §10: one at
 * a time): messages by the HTTP callback and posts through each group's 消息推送 webhook; or
 * messages and posts over the long connection, which needs no public address, with the webhook
 * kept for posts that @ people.
 */
import { SendError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';
import { countedOnce, type PlatformAdapter, type Poster } from '../../core/platform.js';
import { rememberSecret } from '../../core/redact.js';
import type { InboundBound } from '../../core/router.js';
import type { WecomConfig } from '../../config.js';
import { createWecomCrypto } from './crypto.js';
import { createWecomCallback, type WecomCallbackStore } from './inbound.js';
import { createLongConnection, type LongConnectionOptions, type LongConnectionStore } from './long-connection.js';
import { fitsWebhook, wecomPosts } from './render.js';
import { createWecomSender, type WecomSender } from './send.js';
import { createSocketInbound, type SocketInbound, type SocketInboundStore } from './socket-inbound.js';
import { socketMedia, type SocketMediaStore } from './socket-media.js';
import { socketPoster, type SocketPostsStore } from './socket-posts.js';

export type { WecomConfig };

export interface WecomDeps {
  store: WecomCallbackStore & LongConnectionStore & SocketPostsStore & SocketMediaStore & SocketInboundStore;
  log: Logger;
  /** How long a message may take before the passive reply says it is working; tests shorten it. */
  replyWithinMs?: number;
  /** The clock callback timestamps are checked against (ms since the epoch). */
  now?: () => number;
  bound?: InboundBound;
  /** The long connection's timings and this process's name in its lease; tests shorten and set them. */
  socket?: Partial<Pick<LongConnectionOptions, 'instance' | 'leaseMs' | 'tickMs' | 'heartbeatMs' | 'ackTimeoutMs' | 'backoff'>>;
  /** Where the long connection's state, and the redeliveries answered without the router, are counted; nowhere by default. */
  metrics?: Pick<Metrics, 'connection' | 'message'>;
}

/** WeCom documents no penalty for 45009; a minute is the rate window the webhook states (docs/protocols/wecom.md §4, page 91770). */
const WECOM_PAUSE_MS = 60_000;

/** The path WeCom calls: the URL given in the robot's API mode settings. */
const CALLBACK_PATH = '/wecom/callback';

export function createWecom(config: WecomConfig, deps: WecomDeps): PlatformAdapter {
  const log = deps.log.child({ platform: 'wecom' });
  const sender = createWecomSender({ apiBase: config.apiBase, log });
  return config.mode === 'websocket' ? overSocket(config, deps, sender, log) : byCallback(config, deps, sender, log);
}

function byCallback(config: Extract<WecomConfig, { token: string }>, deps: WecomDeps, sender: WecomSender, log: Logger): PlatformAdapter {
  rememberSecret(config.token);
  rememberSecret(config.encodingAesKey);
  const crypto = createWecomCrypto({ token: config.token, encodingAesKey: config.encodingAesKey });
  const poster: Poster = {
    // The picture (part 0, when the webhook takes it) is decoded and hashed only when it is sent:
    // `parts` is asked for every post of a fan-out, and a chart is up to a megabyte.
    parts: countedOnce(({ image, ...text }) => (image && fitsWebhook(image) ? 1 : 0) + wecomPosts(text).length),
    async sendPart(group, { image, ...text }, index) {
      if (group.webhook === undefined) throw new SendError(`group ${group.chat} has no 消息推送 webhook in the setup file`, 'no-webhook', 'permanent');
      const picture = image && fitsWebhook(image);
      if (image && !picture && index === 0) log.warn('picture left out: over the 2 MB the webhook takes; posting the text', { chat: group.chat });
      const post = picture && index === 0 ? wecomPosts({ lines: [], image })[0] : wecomPosts(text)[picture ? index - 1 : index];
      if (post) await sender.post(group.webhook, post);
    },
    pauseMs: WECOM_PAUSE_MS,
  };
  return {
    platform: 'wecom',
    poster,
    receive(route) {
      const callback = createWecomCallback({ crypto, route, store: deps.store, sender, log, replyWithinMs: deps.replyWithinMs, now: deps.now, bound: deps.bound, metrics: deps.metrics });
      return {
        routes: [
          // The plaintext alone: no quotes, no newline (docs/protocols/wecom.md §1.1, page 101033).
          { method: 'GET', path: CALLBACK_PATH, handle: (request) => Promise.resolve({ type: 'text/plain', body: callback.urlCheck(request.query) }) },
          {
            method: 'POST',
            path: CALLBACK_PATH,
            async handle(request) {
              const reply = await callback.handle(request.query, request.body);
              // Events take an empty 200 (docs/protocols/wecom.md §1.4, page 101027); a message takes the encrypted JSON envelope.
              return reply === '' ? { body: '' } : { type: 'application/json', body: reply };
            },
          },
        ],
        start() {},
        stop: () => callback.drain(),
        describe: `wecom is on: callback at ${CALLBACK_PATH}`,
      };
    },
  };
}

/**
 * The long connection is made with the adapter, not with `receive`: a process that only posts
 * (`duban job`) hands its sends to the instance holding the connection, and only `start` — the
 * server's — asks for the lease and opens the socket.
 */
function overSocket(config: Extract<WecomConfig, { mode: 'websocket' }>, deps: WecomDeps, sender: WecomSender, log: Logger): PlatformAdapter {
  let inbound: SocketInbound | undefined;
  const connection = createLongConnection({
    url: config.wsUrl,
    botId: config.botId,
    botSecret: config.botSecret,
    store: deps.store,
    log,
    ...deps.socket,
    onConnection: (up) => { deps.metrics?.connection('wecom-long-connection', up); },
    onCallback(callback) {
      if (inbound) inbound.receive(callback);
      else log.warn('a message came before the router was ready; WeCom will deliver it again');
    },
  });
  // One for posts and replies: a chart goes up once, whoever sends it.
  const media = socketMedia({ connection, store: deps.store, botId: config.botId });
  return {
    platform: 'wecom',
    poster: socketPoster({ connection, store: deps.store, webhook: sender, media, log, pauseMs: WECOM_PAUSE_MS }),
    receive(route) {
      const taking = createSocketInbound({ route, store: deps.store, connection, media, log, bound: deps.bound, metrics: deps.metrics });
      inbound = taking;
      return {
        routes: [],
        start: () => { connection.start(); },
        async stop() {
          // The answers still owed go out on the socket before it closes and the lease is given up.
          await taking.drain();
          await connection.stop();
        },
        describe: 'wecom is on: long connection, no public address needed',
      };
    },
  };
}
