/**
 * The 智能机器人's HTTP callback (API mode): the GET URL check and the POST messages, from the
 * verified query and raw body to the encrypted passive reply. Koa stays in `src/server/`.
 *
 * A message's answer is a `stream` reply with `finish: true` (被动回复, docs/protocols/wecom.md §2.1, page 101031). WeCom waits 5 s and
 * then redelivers, so when the command is not done within `replyWithinMs` the passive reply says
 * it is working and the answer follows through the callback's response_url (docs/protocols/wecom.md §2.2, page 101138). A
 * redelivery gets the same reply and no second post: a reply given at once is the router's, which
 * the router keeps for the message and gives its redeliveries; a "working" one is kept here, by
 * stream id, and looked up as a message is routed, in the router's first round trip.
 * A flood is routed a few at a time and a bounded number wait (INBOUND_BOUND), also once their
 * "working" reply has gone; past that a message is answered 503, which WeCom delivers again.
 */
import { createHash } from 'node:crypto';
import { ZodError } from 'zod';
import pLimit from 'p-limit';
import { BusyError, DecodeError, jsonOr400, orUnavailable, VerifyError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';
import { INBOUND_BOUND, type InboundBound, type RouteMessage } from '../../core/router.js';
import type { IncomingMessage, OutgoingMessage } from '../../core/types.js';
import { text } from '../../messages/index.js';
import { WECOM_LIMITS, wecomImage, wecomReply, type WecomImage } from './render.js';
import type { CallbackStore } from '../../store/callbacks.js';
import type { WecomCrypto } from './crypto.js';
import { normalize, type Inbound } from './normalize.js';
import { CallbackQuerySchema, EnvelopeSchema, parsePayload, UrlCheckQuerySchema } from './schema.js';
import type { WecomSender } from './send.js';

/** WeCom drops the connection after 5 s and redelivers (docs/protocols/wecom.md §5, page 90238); answer well inside that. */
const REPLY_WITHIN_MS = 3000;
/** Covers the redeliveries and the 6 minutes WeCom polls an unfinished stream, with room. */
export const KEPT_SECONDS = 3600;

/**
 * How far a callback's `timestamp` may be from our clock, either way. The signature covers the
 * timestamp, so the window is what stops a captured callback from being replayed for ever.
 *
 * Wide enough for WeCom: it redelivers an unanswered callback after 5 s, three times in all
 * (接收消息与事件, docs/protocols/wecom.md §5, page 90238; the 智能机器人 pages state no other schedule), and polls an
 * unfinished stream for 6 minutes after the message (docs/protocols/wecom.md §1.3, page 100719); a server clock some minutes off
 * must not refuse real callbacks either.
 *
 * Narrow enough that a replay never outlives its dedupe marker. A callback dated T is accepted
 * first at our time f ≥ T − W and its reply kept until f + KEPT ≥ T − W + KEPT; a replay is
 * accepted only until T + W. So 2·W < KEPT_SECONDS keeps every accepted replay within the kept
 * reply's life (and the router's and ledger's week-long markers behind it): it gets the same
 * answer and is never recorded again. Asserted below.
 */
export const FRESH_WINDOW_SECONDS = 15 * 60;
if (2 * FRESH_WINDOW_SECONDS >= KEPT_SECONDS) throw new Error('FRESH_WINDOW_SECONDS must stay under half of KEPT_SECONDS: a replay would outlive its dedupe marker');

/** VerifyError unless `timestamp` (seconds, as WeCom sends it) is within FRESH_WINDOW_SECONDS of `nowMs`. */
export function checkFreshness(timestamp: string, nowMs: number): void {
  const offMs = nowMs - Number(timestamp) * 1000;
  if (Math.abs(offMs) <= FRESH_WINDOW_SECONDS * 1000) return;
  const how = offMs > 0 ? 'before' : 'after';
  throw new VerifyError(`callback timestamp ${String(Math.round(Math.abs(offMs) / 1000))} s ${how} our clock, outside the ${String(FRESH_WINDOW_SECONDS)} s window (a replay, or this server's clock is wrong)`);
}

/** What a WeCom callback keeps: a slow message's "working" answer. */
export type WecomCallbackStore = Pick<CallbackStore, 'callbackReply' | 'keepCallbackReply'>;

export interface WecomCallbackDeps {
  crypto: WecomCrypto;
  route: RouteMessage;
  /** The "working" a slow message got, for its redeliveries and for the instance that did not route it. */
  store: WecomCallbackStore;
  sender: WecomSender;
  log: Logger;
  replyWithinMs?: number;
  /** The clock callback timestamps are checked against (ms since the epoch). */
  now?: () => number;
  bound?: InboundBound;
  /** Where a redelivery answered here, without the router, is counted; nowhere by default. */
  metrics?: Pick<Metrics, 'message'>;
}

export interface WecomCallback {
  /** The GET URL check: the decrypted echostr, to be answered as the whole body. */
  urlCheck(query: unknown): string;
  /** A POST: the response body, '' for an empty 200. */
  handle(query: unknown, body: string): Promise<string>;
  /** Waits for answers still on their way through response_url (graceful shutdown). */
  drain(): Promise<void>;
}

type Settled<T> = { state: 'done'; value: T } | { state: 'failed'; error: unknown } | { state: 'pending' };

export function createWecomCallback(deps: WecomCallbackDeps): WecomCallback {
  const { crypto, store, log } = deps;
  const replyWithinMs = deps.replyWithinMs ?? REPLY_WITHIN_MS;
  const now = deps.now ?? Date.now;
  /** Deliveries of one message racing inside this process share one answer. */
  const inFlight = new Map<string, Promise<string>>();
  const later = new Set<Promise<void>>();
  const bound = deps.bound ?? INBOUND_BOUND;
  const routing = pLimit(bound.handling);
  /** Messages taken in and not yet answered: waiting their turn, routed, or answered through response_url. */
  let taken = 0;

  /**
   * The reply envelope. The 16 "random" bytes only make equal plaintexts encrypt differently
   * (the IV is fixed by the scheme); deriving them from the request keeps them distinct across
   * requests and gives a redelivered request a byte-identical reply.
   */
  function seal(plaintext: string, streamId: string, timestamp: string, nonce: string): string {
    const encrypt = crypto.encrypt(plaintext, crypto.randomFor(`${streamId}\n${timestamp}\n${nonce}`));
    // The nonce must be the callback's own (docs/protocols/wecom.md §2.1, page 101033); the doc shows the timestamp as a number.
    return JSON.stringify({ encrypt, msgsignature: crypto.sign(timestamp, nonce, encrypt), timestamp: Number(timestamp), nonce });
  }

  async function answerMessage(message: IncomingMessage, streamId: string, responseUrl: string | undefined): Promise<string> {
    const started = performance.now();
    const running = inFlight.get(streamId);
    if (running) {
      const answer = await running;
      countRedelivery(deps.metrics, started);
      return answer;
    }
    const answering = answerFresh(message, streamId, responseUrl, started).finally(() => inFlight.delete(streamId));
    inFlight.set(streamId, answering);
    return answering;
  }

  async function answerFresh(message: IncomingMessage, streamId: string, responseUrl: string | undefined, started: number): Promise<string> {
    // A "working" kept for the stream (a slow delivery of the message, here or on another
    // instance) is its answer. Looked up as the message goes to the router, which awaits it with
    // its own first reads, in their round trip, and runs nothing when it is found.
    const kept = orUnavailable(store.callbackReply('wecom', streamId));
    const keptAnswer = async (): Promise<string | undefined> => {
      const answer = await kept;
      if (answer !== undefined) countRedelivery(deps.metrics, started);
      return answer;
    };
    if (taken >= bound.handling + bound.waiting) {
      const answer = await keptAnswer();
      if (answer !== undefined) return answer;
      // Nothing is kept for a message turned away: WeCom's next delivery of it is answered afresh.
      throw new BusyError(`too many messages at once (${String(bound.handling)} handled, ${String(bound.waiting)} waiting)`);
    }
    taken += 1;
    const routed = routing(() => deps.route(message, { unless: kept.then((answer) => answer !== undefined) }));
    /** What this message still costs: its routing, then its answer through response_url, if it owes one. */
    let owed: Promise<unknown> = routed;
    try {
      const first = await within(routed, replyWithinMs);
      if (first.state === 'failed') throw first.error;
      if (first.state === 'done') {
        // Kept by the router: a redelivery is routed and answered with it, rendered the same.
        if (first.value !== undefined) return streamReply(streamId, wecomReply(first.value), replyImage(first.value, message));
        const answer = await keptAnswer();
        if (answer === undefined) throw new Error('the router ran nothing for a message with no kept answer');
        return answer;
      }

      const { answer, fresh } = await orUnavailable(store.keepCallbackReply('wecom', streamId, streamReply(streamId, text.wecom.working), KEPT_SECONDS));
      // Only the delivery whose "working" reply was kept owes the answer; another already gave one.
      if (fresh) {
        const delivering = deliverLater(routed, message, responseUrl);
        track(delivering);
        owed = delivering;
      }
      return answer;
    } finally {
      void owed.catch(() => undefined).finally(() => { taken -= 1; });
    }
  }

  async function deliverLater(routed: Promise<OutgoingMessage | undefined>, message: IncomingMessage, responseUrl: string | undefined): Promise<void> {
    const where = { chat: message.chat.id, msgid: message.messageId };
    let content: string;
    try {
      const reply = await routed;
      // Answered elsewhere: a "working" was kept before this one, whose delivery owes the answer.
      if (reply === undefined) return;
      // response_url takes markdown only (docs/protocols/wecom.md §2.2, page 101138): a picture that came too late stays behind.
      if (reply.image) log.info('slow answer goes without its picture: response_url takes text only', where);
      content = wecomReply(reply);
    } catch (error) {
      log.error('slow message failed after the passive reply', { ...where, error });
      content = text.notHandled;
    }
    if (responseUrl === undefined) {
      log.error('slow answer has nowhere to go: the callback carried no response_url', where);
      return;
    }
    try {
      await deps.sender.respond(responseUrl, content);
      log.info('slow answer sent via response_url', where);
    } catch (error) {
      log.error('slow answer could not be sent via response_url', { ...where, error });
    }
  }

  /** The reply's picture for `msg_item`; one WeCom would refuse is left out, and the text still goes. */
  function replyImage({ image }: OutgoingMessage, message: IncomingMessage): WecomImage | undefined {
    if (!image) return undefined;
    try {
      return wecomImage(image, WECOM_LIMITS.replyImageBytes);
    } catch (error) {
      log.warn('picture left out of the reply', { chat: message.chat.id, error: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  }

  function track(work: Promise<void>): void {
    later.add(work);
    void work.finally(() => later.delete(work));
  }

  async function answer(inbound: Inbound): Promise<{ plaintext: string; streamId: string } | undefined> {
    switch (inbound.kind) {
      case 'message': {
        const streamId = streamIdOf(inbound.message.messageId);
        return { plaintext: await answerMessage(inbound.message, streamId, inbound.responseUrl), streamId };
      }
      case 'not-text': {
        const streamId = streamIdOf(inbound.msgid);
        return { plaintext: streamReply(streamId, wecomReply({ lines: [[text.textOnly]] })), streamId };
      }
      case 'stream': {
        // Every reply is finished at once, so a refresh is unexpected: repeat what that stream said.
        const kept = await orUnavailable(store.callbackReply('wecom', inbound.streamId));
        return kept === undefined ? undefined : { plaintext: kept, streamId: inbound.streamId };
      }
      case 'event':
        return undefined;
    }
  }

  return {
    urlCheck(rawQuery) {
      const query = UrlCheckQuerySchema.safeParse(rawQuery);
      if (!query.success) throw new VerifyError('URL check without msg_signature, timestamp, nonce and echostr');
      // A '+' WeCom leaves unencoded in the query arrives as a space; base64 has no spaces.
      const echostr = query.data.echostr.replaceAll(' ', '+');
      const { msg_signature: signature, timestamp, nonce } = query.data;
      // WeCom sends the check as the admin saves the callback URL: a stale one is a replay, and a
      // clock too far off would refuse every message anyway, better said now.
      checkFreshness(timestamp, now());
      if (!crypto.verify(signature, timestamp, nonce, echostr)) throw new VerifyError('bad msg_signature on the URL check');
      return crypto.decrypt(echostr);
    },

    async handle(rawQuery, body) {
      const query = CallbackQuerySchema.safeParse(rawQuery);
      if (!query.success) throw new VerifyError('callback without msg_signature, timestamp and nonce');
      const { msg_signature: signature, timestamp, nonce } = query.data;
      checkFreshness(timestamp, now());
      const envelope = EnvelopeSchema.safeParse(jsonOr400(body, 'body'));
      if (!envelope.success) throw new DecodeError('body is not {"encrypt": …}');
      if (!crypto.verify(signature, timestamp, nonce, envelope.data.encrypt)) throw new VerifyError('bad msg_signature');

      let inbound: ReturnType<typeof normalize>;
      try {
        inbound = normalize(parsePayload(jsonOr400(crypto.decrypt(envelope.data.encrypt), 'plaintext')));
      } catch (error) {
        if (error instanceof ZodError) throw new DecodeError(`unexpected payload: ${error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`);
        throw error;
      }
      if (inbound.kind === 'malformed') throw new DecodeError(inbound.reason);
      const reply = await answer(inbound);
      return reply === undefined ? '' : seal(reply.plaintext, reply.streamId, timestamp, nonce);
    },

    async drain() {
      while (later.size > 0) await Promise.allSettled([...later]);
    },
  };
}

/** Counts a delivery answered with another's answer: it never reaches the router, which counts every other message. */
export function countRedelivery(metrics: Pick<Metrics, 'message'> | undefined, started: number): void {
  metrics?.message('wecom', 'duplicate', (performance.now() - started) / 1000);
}

/** Our stream id for a message: stable across its redeliveries, and free of the `/+=` its msgid may hold. */
export const streamIdOf = (msgid: string): string => createHash('sha1').update(msgid).digest('hex');

/** A finished stream reply (docs/protocols/wecom.md §2.1, page 101031): one shot, nothing for WeCom to poll; pictures may come only with `finish: true`. */
export const streamReply = (id: string, content: string, image?: WecomImage): string =>
  JSON.stringify({ msgtype: 'stream', stream: { id, finish: true, content, ...(image ? { msg_item: [{ msgtype: 'image', image }] } : {}) } });

/** How `work` stands after at most `ms`. Never rejects: a rejection after the race must not go unhandled. */
async function within<T>(work: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => { resolve({ state: 'pending' }); }, ms);
  });
  const settled = work.then(
    (value): Settled<T> => ({ state: 'done', value }),
    (error: unknown): Settled<T> => ({ state: 'failed', error }),
  );
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}
