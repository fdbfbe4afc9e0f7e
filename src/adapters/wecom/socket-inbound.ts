/**
 * Messages over the long connection (docs/protocols/wecom.md §10): an `aibot_msg_callback` carries the
 * same JSON as the URL callback's decrypted body, so it goes through the same parser and
 * normalizer to the same router; the answer is an `aibot_respond_msg` with the callback's req_id,
 * a stream finished at once, and a chart (排名 图) as a picture of its own after it.
 *
 * As with the URL callback, what a message was answered is kept by its stream id: a redelivery
 * (WeCom sends a callback again when its answer did not arrive, or to the next connection after a
 * drop) gets the same answer and runs nothing again, on whichever instance holds the connection
 * by then. A message the router could not handle (Redis away) is answered with an apology and
 * nothing is kept, so its redelivery is handled afresh. A flood is routed a few at a time and a
 * bounded number wait (INBOUND_BOUND); past that a message is told to be sent again.
 */
import pLimit from 'p-limit';
import { ZodError } from 'zod';
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';
import { INBOUND_BOUND, type InboundBound, type RouteMessage } from '../../core/router.js';
import { plain, type IncomingMessage, type OutgoingMessage } from '../../core/types.js';
import { text } from '../../messages/index.js';
import type { CallbackStore } from '../../store/callbacks.js';
import type { ConnectionStore } from '../../store/connections.js';
import { countRedelivery, KEPT_SECONDS, streamIdOf, streamReply } from './inbound.js';
import type { LongConnection } from './long-connection.js';
import { normalize } from './normalize.js';
import { wecomReply } from './render.js';
import { parsePayload } from './schema.js';
import type { Callback } from './socket.js';
import type { SocketMedia } from './socket-media.js';
import { ackFailure, CONVERSATION_LIMITS, conversationBudget } from './socket-sends.js';

export type SocketInboundStore = Pick<CallbackStore, 'callbackReply' | 'keepCallbackReply'> & Pick<ConnectionStore, 'spendBudget'>;

export interface SocketInboundDeps {
  route: RouteMessage;
  store: SocketInboundStore;
  connection: Pick<LongConnection, 'respond'>;
  /** A reply's picture (排名 图), uploaded and sent after its text. */
  media: SocketMedia;
  log: Logger;
  bound?: InboundBound;
  /** Where a redelivery answered here, without the router, is counted; nowhere by default. */
  metrics?: Pick<Metrics, 'message'>;
}

export interface SocketInbound {
  /** One callback from the connection; answered in the background. */
  receive(callback: Callback): void;
  /** Waits for the answers still owed (graceful shutdown). */
  drain(): Promise<void>;
}

/** A message's answer: its text as kept for redeliveries, and the picture to send after it the first time. */
interface Answer {
  body: string;
  image?: { base64: string };
}

export function createSocketInbound({ route, store, connection, media, log, bound = INBOUND_BOUND, metrics }: SocketInboundDeps): SocketInbound {
  const working = new Set<Promise<void>>();
  const routing = pLimit(bound.handling);
  /** Deliveries of one message inside this process share one answer. */
  const inFlight = new Map<string, Promise<Answer | undefined>>();
  let taken = 0;

  /** Sends `body` (a stream reply as kept, or a picture) as an answer to callback `reqId`, counted against the conversation's budget. */
  async function respond(reqId: string, chat: string, body: unknown): Promise<void> {
    // A person is waiting: the reply goes even on a full budget, and the posts behind it wait;
    // and it goes when Redis cannot count it (the apology for Redis being away is such a reply).
    await store.spendBudget(conversationBudget(chat), Date.now(), CONVERSATION_LIMITS, true).catch((error: unknown) => {
      log.warn('reply not counted against the conversation\'s limit', { chat, error });
    });
    const refused = ackFailure(await connection.respond(reqId, body), 'the reply');
    if (refused) throw refused;
  }

  /** The kept answer of a message, routing it first if nobody has; undefined when there is no room to route it now. */
  async function answerOf(message: IncomingMessage, streamId: string, started: number): Promise<Answer | undefined> {
    const kept = await store.callbackReply('wecom', streamId);
    if (kept !== undefined) {
      countRedelivery(metrics, started);
      return { body: kept };
    }
    if (taken >= bound.handling + bound.waiting) return undefined;
    taken += 1;
    try {
      const { image, ...reply }: OutgoingMessage = await routing(() => route(message));
      const { answer, fresh } = await store.keepCallbackReply('wecom', streamId, streamReply(streamId, wecomReply(reply)), KEPT_SECONDS);
      // Only the answer kept first brings its picture: a racing delivery's routing is a repeat.
      return fresh && image ? { body: answer, image } : { body: answer };
    } finally {
      taken -= 1;
    }
  }

  async function answer(reqId: string, message: IncomingMessage): Promise<void> {
    const streamId = streamIdOf(message.messageId);
    const where = { chat: message.chat.id, msgid: message.messageId };
    const apology = (words: string): Answer => ({ body: streamReply(streamId, wecomReply(plain(words))) });
    let reply: Answer;
    try {
      const started = performance.now();
      let running = inFlight.get(streamId);
      const first = !running;
      if (!running) {
        running = answerOf(message, streamId, started).finally(() => inFlight.delete(streamId));
        inFlight.set(streamId, running);
      }
      const kept = await running;
      if (!first && kept !== undefined) countRedelivery(metrics, started);
      if (kept === undefined) log.warn('too many messages at once; this one was told to send again', where);
      // A delivery that joined another's routing answers with the text alone.
      reply = kept === undefined ? apology(text.busy) : first ? kept : { body: kept.body };
    } catch (error) {
      log.error('message could not be handled', { ...where, error });
      reply = apology(text.notHandled);
    }
    try {
      await respond(reqId, message.chat.id, JSON.parse(reply.body));
      // The stream takes no pictures here (docs/protocols/wecom.md §10): the chart follows as an image of its own.
      if (reply.image) await respond(reqId, message.chat.id, { msgtype: 'image', image: { media_id: await media.idOf(reply.image.base64) } });
    } catch (error) {
      // The text stays kept: WeCom's redelivery of the message, to whoever holds the connection then, gets it.
      log.error('answer could not be sent over the long connection', { ...where, error });
    }
  }

  function handle(callback: Callback): Promise<void> {
    if (callback.cmd === 'aibot_event_callback') return Promise.resolve();
    let inbound: ReturnType<typeof normalize>;
    try {
      inbound = normalize(parsePayload(callback.body));
    } catch (error) {
      const reason = error instanceof ZodError ? error.issues.map((i) => i.path.join('.') || i.message).join(', ') : String(error);
      log.warn('long connection callback is not a message WeCom sends; ignored', { reason });
      return Promise.resolve();
    }
    switch (inbound.kind) {
      case 'message':
        return answer(callback.reqId, inbound.message);
      case 'not-text':
        return respond(callback.reqId, inbound.chat, JSON.parse(streamReply(streamIdOf(inbound.msgid), wecomReply(plain(text.textOnly))))).catch((error: unknown) => {
          log.warn('could not answer a message that is not text', { error });
        });
      case 'malformed':
        log.warn('long connection message ignored', { reason: inbound.reason });
        return Promise.resolve();
      case 'stream':
      case 'event':
        // No stream refreshes come over the long connection, and events need no answer.
        return Promise.resolve();
    }
  }

  return {
    receive(callback) {
      const work = handle(callback);
      working.add(work);
      void work.finally(() => working.delete(work));
    },

    async drain() {
      while (working.size > 0) await Promise.allSettled([...working]);
    },
  };
}

