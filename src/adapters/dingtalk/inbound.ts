/**
 * One robot message, by HTTP callback or Stream: validated and claimed while DingTalk waits,
 * answered afterwards through its sessionWebhook. DingTalk redelivers a message it thinks was
 * not received (Stream: within about a minute; HTTP: after a slow answer), and with two instances
 * each delivery may land on either: the msgId claim in Redis lets exactly one of them handle it.
 * A flood is handled a few at a time, a bounded number wait their turn, and the rest are turned
 * away unclaimed, so that DingTalk's redelivery or the sender's resend is recorded (INBOUND_BOUND):
 * HTTP callbacks are answered 503, so DingTalk delivers them again (docs/design.md §7, as while Redis is
 * away), and a Stream message, already acknowledged, gets text.busy. Replies are outside the
 * routing limit — a slow DingTalk must not hold the routing places through its 2 s retry — but
 * inside the total.
 */
import pLimit from 'p-limit';
import { ZodError } from 'zod';
import { BusyError, DecodeError, orUnavailable, SendError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { INBOUND_BOUND, type InboundBound, type RouteMessage } from '../../core/router.js';
import { plain, type OutgoingMessage } from '../../core/types.js';
import { text } from '../../messages/index.js';
import type { CallbackStore } from '../../store/callbacks.js';
import { normalize, type Inbound, type ReplyTarget } from './normalize.js';
import { RobotMessageSchema } from './schema.js';
import type { DingtalkSender } from './send.js';

/** Longer than any redelivery (about a minute) and than a sessionWebhook lives (90 minutes). */
const CLAIM_SECONDS = 2 * 60 * 60;
const REPLY_RETRY_MS = 2000;

/** "Send it again" notices of turned-away Stream messages sent at once: each is a request to DingTalk. */
const BUSY_NOTICES_AT_ONCE = 4;

export interface DingtalkInbound {
  /**
   * Validates and claims a robot message, then handles it in the background. Resolves once the
   * message is safely taken (or known to be a redelivery); DecodeError for a payload that is not
   * a robot message, StoreUnavailableError when Redis cannot take the claim.
   */
  receive(payload: unknown): Promise<void>;
  /**
   * The same for a message DingTalk will not redeliver (a Stream frame already acknowledged):
   * when Redis cannot take the claim, the sender is told to send it again instead.
   */
  receiveAcknowledged(payload: unknown): Promise<void>;
  /** Waits for messages still being handled or waiting their turn (graceful shutdown). */
  drain(): Promise<void>;
}

/** What DingTalk's inbound keeps: which worker took a message, so two deliveries run it once. */
export type DingtalkInboundStore = Pick<CallbackStore, 'claimCallback' | 'releaseCallback'>;

export function createDingtalkInbound(deps: { route: RouteMessage; store: DingtalkInboundStore; sender: DingtalkSender; log: Logger; bound?: InboundBound }): DingtalkInbound {
  const { store, log } = deps;
  const bound = deps.bound ?? INBOUND_BOUND;
  const working = new Set<Promise<void>>();
  /** The routing of messages, the costly part; their replies, mere requests, are bounded by `taken`. */
  const routing = pLimit(bound.handling);
  const notices = pLimit(BUSY_NOTICES_AT_ONCE);
  /** Messages taken in and not yet answered: being claimed, waiting their turn, routed, or replied to. */
  let taken = 0;

  /**
   * Handles a message as soon as it is taken, while its claim is on the way: the router's first
   * reads share the claim's round trip, and it runs nothing unless the claim is this worker's.
   * A claim refused or failed is `receive`'s to answer (a redelivery, a 503, a "send it again").
   */
  async function handle(inbound: Inbound, claim: Promise<boolean>): Promise<void> {
    const claimed = claim.catch(() => false);
    const where = { conversation: inbound.replyTo.conversationId, msgid: inbound.kind === 'message' ? inbound.message.messageId : inbound.msgId };
    let reply: OutgoingMessage;
    if (inbound.kind === 'not-text') {
      if (!(await claimed)) return;
      reply = plain(text.textOnly);
    } else {
      try {
        const message = inbound.message;
        const routed = await routing(() => deps.route(message, { unless: claimed.then((fresh) => !fresh) }));
        if (routed === undefined) return;
        reply = routed;
      } catch (error) {
        if (!(await claimed)) return;
        // Redis went away after the claim: give the message back for a redelivery, and say so.
        log.error('message could not be handled', { ...where, error });
        await store.releaseCallback('dingtalk', where.msgid).catch(() => undefined);
        reply = plain(text.notHandled);
      }
    }
    await replyOnce(inbound.replyTo, reply, where);
  }

  /**
   * A reply, tried again once when DingTalk was unreachable or failed: the clerk is waiting for
   * the confirmation. Not when it is throttled (130101 lasts 10 minutes) or refused for good.
   */
  async function replyOnce(to: ReplyTarget, reply: OutgoingMessage, where: Record<string, string>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.sender.reply(to, reply);
        return;
      } catch (error) {
        const again = attempt === 1 && error instanceof SendError && error.failure === 'failed';
        log[again ? 'warn' : 'error']('reply could not be sent', { ...where, attempt, error });
        if (!again) return;
        await new Promise((done) => setTimeout(done, REPLY_RETRY_MS));
      }
    }
  }

  function track(work: Promise<void>): void {
    working.add(work);
    void work.finally(() => working.delete(work));
  }

  async function receive(payload: unknown, acknowledged: boolean): Promise<void> {
    let inbound: Inbound;
    try {
      inbound = normalize(RobotMessageSchema.parse(payload));
    } catch (error) {
      if (error instanceof ZodError) throw new DecodeError(`not a robot message: ${error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`);
      throw error;
    }
    const msgId = inbound.kind === 'message' ? inbound.message.messageId : inbound.msgId;
    // Counted before the claim: claims being taken must not let more in than there is room for.
    const full = taken >= bound.handling + bound.waiting;
    // Not claimed: DingTalk delivers it again after the 503, and that delivery is recorded.
    if (full && !acknowledged) throw new BusyError(`too many messages at once (${String(bound.handling)} handled, ${String(bound.waiting)} waiting): not claimed`);
    taken += 1;
    const claim = orUnavailable(store.claimCallback('dingtalk', msgId, CLAIM_SECONDS));
    if (!full) track(handle(inbound, claim).finally(() => { taken -= 1; }));
    try {
      let fresh: boolean;
      try {
        fresh = await claim;
      } catch (error) {
        if (!acknowledged) throw error;
        log.error('message not handled: Redis is unavailable', { msgid: msgId, error });
        track(replyOnce(inbound.replyTo, plain(text.notHandled), { msgid: msgId }));
        return;
      }
      if (!fresh) {
        log.info('redelivery ignored', { msgid: msgId });
        return;
      }
      if (full) await turnAway(inbound, msgId);
    } finally {
      if (full) taken -= 1;
    }
  }

  /**
   * A Stream message with no room left, already acknowledged, so DingTalk will not push it again:
   * the claim is given back and the sender asked to send it again, and that resend is recorded.
   * (It was claimed only so that a second push of a message being handled is not taken for a new one.)
   */
  async function turnAway(inbound: Inbound, msgId: string): Promise<void> {
    log.warn('message turned away: too many at once; the sender is asked to send it again', { msgid: msgId, routing: routing.activeCount, waiting: routing.pendingCount, taken });
    await store.releaseCallback('dingtalk', msgId).catch((error: unknown) => { log.warn('claim of a turned-away message not given back', { msgid: msgId, error }); });
    track(notices(() => replyOnce(inbound.replyTo, plain(text.busy), { msgid: msgId })));
  }

  return {
    receive: (payload) => receive(payload, false),
    receiveAcknowledged: (payload) => receive(payload, true),

    async drain() {
      while (working.size > 0) await Promise.allSettled([...working]);
    },
  };
}
