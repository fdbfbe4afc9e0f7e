/**
 * One long connection per bot among all instances (docs/protocols/wecom.md §10: WeCom keeps one
 * connection per bot and kicks the older when another subscribes). A Redis lease decides which
 * instance holds it:
 *
 * - every instance asks for the lease every `tickMs`; the one that has it renews it, opens the
 *   socket and keeps it; the others stay off the socket, so no two of ours ever kick each other;
 * - a holder that dies stops renewing; its lease ends `leaseMs` later and another instance takes
 *   it at its next tick — within 30 s with the defaults (20 s + 5 s, then the handshake);
 * - a holder that finds the lease taken (it was paused past its end) closes its socket at once;
 * - a holder kicked by a connection that is not ours (another deployment with the same bot)
 *   keeps the lease and stays down, so that no instance of ours fights the newcomer; it says so
 *   in the log until someone stops the other process and restarts this one.
 *
 * Sends go through the holder: an instance without the socket hands its send over in Redis, with
 * a deadline; the holder sends it and leaves WeCom's answer for the sender to read. A send taken
 * after its deadline is dropped unsent, and the sender waits for longer than that, so a send is
 * made at most once by the holder for each time a sender asks.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { SendError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ConnectionStore } from '../../store/connections.js';
import { createWecomSocket, type Ack, type Callback, type SocketOptions, type WecomSocket } from './socket.js';

const LEASE_MS = 20_000;
const TICK_MS = 5000;
/** How long a handed-over send may wait for the holder to take it. */
const HANDOVER_MS = 10_000;
/** How often the holder looks for handed-over sends, and a sender for its answer. */
const POLL_MS = 100;
const TAKEN_AT_ONCE = 32;
/** The sender waits this long past the deadline: the holder may take the send at its deadline and then wait for WeCom's answer. */
const ANSWER_GRACE_MS = 7000;

export type ConnectionRole = 'holder' | 'follower' | 'kicked' | 'stopped';

export type LongConnectionStore = Pick<ConnectionStore, 'holdLease' | 'releaseLease' | 'leaseHolder' | 'handOver' | 'takeHandedOver' | 'answerHandedOver' | 'handedOverAnswer'>;

export interface LongConnectionOptions extends Pick<SocketOptions, 'url' | 'botId' | 'botSecret' | 'heartbeatMs' | 'ackTimeoutMs' | 'backoff'> {
  store: LongConnectionStore;
  log: Logger;
  /** A message or event from WeCom; only the holder receives them. */
  onCallback(callback: Callback): void;
  /** This process's name in the lease; unique per process by default. */
  instance?: string;
  leaseMs?: number;
  tickMs?: number;
  /** Told when this instance's socket is subscribed and when it stops being (the /metrics gauge). */
  onConnection?(up: boolean): void;
}

export interface LongConnection {
  /** Starts asking for the lease, and holds the socket whenever this instance has it. */
  start(): void;
  /** Closes the socket if it is here, and gives the lease up for another instance to take at once. */
  stop(): Promise<void>;
  /** One command to WeCom, from this instance or through the one that holds the socket. */
  send(cmd: string, body: unknown): Promise<Ack>;
  /** Answers a callback (`reqId` is the callback's): callbacks come only to the holder, which answers them itself. */
  respond(reqId: string, body: unknown): Promise<Ack>;
  role(): ConnectionRole;
}

/** The lease (and hand-over queue) of one bot's connection: `duban doctor` reads it before it dares to subscribe. */
export const connectionLease = (botId: string): string => `wecom-ws/${botId}`;

const HandedOverSchema = z.object({ id: z.string(), cmd: z.string(), body: z.unknown().optional(), deadline: z.number() });
const AnswerSchema = z.union([z.object({ errcode: z.number(), errmsg: z.string(), body: z.unknown().optional() }), z.object({ error: z.string() })]);

export function createLongConnection(options: LongConnectionOptions): LongConnection {
  const { store, log } = options;
  const name = connectionLease(options.botId);
  const instance = options.instance ?? randomUUID();
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const tickMs = options.tickMs ?? TICK_MS;
  let role: ConnectionRole = 'follower';
  let socket: WecomSocket | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let relaying: NodeJS.Timeout | undefined;
  let lastHeld = 0;
  let ticking: Promise<void> = Promise.resolve();
  // A call, not the variable: stop() changes the role while a tick awaits Redis, which narrowing cannot see.
  const isStopped = (): boolean => role === 'stopped';
  let shownUp: boolean | undefined;
  /** Says when this instance's connection comes up or goes down; the socket's other states (connecting, down) change nothing there. */
  const tellUp = (up: boolean): void => {
    if (up === shownUp) return;
    shownUp = up;
    options.onConnection?.(up);
  };

  function openSocket(): void {
    const opened = createWecomSocket({
      url: options.url,
      botId: options.botId,
      botSecret: options.botSecret,
      log,
      heartbeatMs: options.heartbeatMs,
      ackTimeoutMs: options.ackTimeoutMs,
      backoff: options.backoff,
      onCallback: (callback) => { options.onCallback(callback); },
      onState(state) {
        tellUp(state === 'subscribed');
        if (state !== 'kicked' || isStopped()) return;
        role = 'kicked';
        void kickedBy();
      },
    });
    socket = opened;
    opened.start();
    relaying = setInterval(() => { void relay(opened); }, POLL_MS);
    relaying.unref();
  }

  /**
   * Who kicked us: an instance of ours that took the lease while we were paused past its end (the
   * next tick hands over quietly), or a process outside this deployment, which nothing here can
   * stop — the operator must.
   */
  async function kickedBy(): Promise<void> {
    const holder = await store.leaseHolder(name).catch(() => instance);
    if (holder !== instance) {
      log.info('another instance of this deployment holds the long connection now', { bot: options.botId });
      return;
    }
    log.error('the bot\'s long connection was taken by a process outside this deployment; staying off it so as not to fight. Stop the other process, then restart duban', { bot: options.botId });
  }

  async function closeSocket(): Promise<void> {
    clearInterval(relaying);
    relaying = undefined;
    const closing = socket;
    socket = undefined;
    await closing?.stop();
  }

  async function tick(): Promise<void> {
    if (isStopped()) return;
    let held: boolean;
    try {
      held = await store.holdLease(name, instance, leaseMs);
    } catch (error) {
      // Without Redis nobody can take the lease from us until it would have ended.
      log.warn('could not renew the long connection\'s lease', { error: error instanceof Error ? error.message : String(error) });
      held = socket !== undefined && Date.now() - lastHeld < leaseMs;
    }
    // Stopped while asking: stop() closes the socket and gives the lease up itself.
    if (isStopped()) return;
    if (held) lastHeld = Date.now();
    if (held && role === 'follower') {
      role = 'holder';
      log.info('this instance holds the long connection', { bot: options.botId });
      openSocket();
    } else if (!held && role !== 'follower') {
      log.warn('the long connection\'s lease went to another instance; closing this one', { bot: options.botId });
      role = 'follower';
      await closeSocket();
    }
  }

  let relayBusy = false;
  /** The holder's side of handing over: takes what the others left, sends it, leaves the answer. */
  async function relay(here: WecomSocket): Promise<void> {
    if (relayBusy || here.state !== 'subscribed') return;
    relayBusy = true;
    try {
      const taken = await store.takeHandedOver(name, TAKEN_AT_ONCE);
      await Promise.all(taken.map(async (raw) => {
        const send = HandedOverSchema.safeParse(safeJson(raw));
        if (!send.success) {
          log.warn('a handed-over send is not one an instance writes; dropped');
          return;
        }
        const { id, cmd, body, deadline } = send.data;
        // Its sender has given up or is about to: sending now could send it twice.
        if (Date.now() > deadline) {
          log.warn('a handed-over send came too late to the holder; dropped unsent (its sender will try again)', { cmd });
          return;
        }
        const answer = await here.request(cmd, body).then(
          (ack) => ack,
          (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
        );
        await store.answerHandedOver(id, JSON.stringify(answer), HANDOVER_MS + ANSWER_GRACE_MS);
      }));
    } catch (error) {
      log.warn('handing over sends failed', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      relayBusy = false;
    }
  }

  /**
   * No instance has the connection (between a holder's death and the takeover, or no `duban serve`
   * running): not a failure of the post, which waits a tick and tries again — the outbox pauses
   * its lane without counting an attempt, so nothing is given up while the connection moves.
   */
  const noHolder = (): SendError =>
    new SendError('no instance holds the WeCom long connection now (is duban serve running with WECOM_MODE=websocket?)', 'no-holder', 'rate-limited', tickMs);

  async function handOver(cmd: string, body: unknown): Promise<Ack> {
    if ((await store.leaseHolder(name)) === undefined) throw noHolder();
    const id = randomUUID();
    const deadline = Date.now() + HANDOVER_MS;
    await store.handOver(name, JSON.stringify({ id, cmd, body, deadline }), HANDOVER_MS);
    while (Date.now() < deadline + ANSWER_GRACE_MS) {
      await new Promise((done) => setTimeout(done, POLL_MS));
      const raw = await store.handedOverAnswer(id);
      if (raw === undefined) continue;
      const answer = AnswerSchema.safeParse(safeJson(raw));
      if (!answer.success) throw new SendError('the holder\'s answer is unreadable', 'handover', 'failed');
      if ('error' in answer.data) throw new SendError(`the holder could not send it: ${answer.data.error}`, 'handover', 'failed');
      return answer.data;
    }
    // The holder died before taking it (it is never sent after its deadline), or between sending
    // it and answering: then the retry posts it again, the one way a post can go twice.
    throw noHolder();
  }

  return {
    start() {
      if (ticker || role === 'stopped') return;
      // Down until subscribed: an instance that never holds the lease still says so.
      tellUp(false);
      const next = () => { ticking = ticking.then(tick); };
      next();
      ticker = setInterval(next, tickMs);
      ticker.unref();
    },

    async stop() {
      clearInterval(ticker);
      const held = role === 'holder' || role === 'kicked';
      role = 'stopped';
      await ticking;
      await closeSocket();
      if (held) await store.releaseLease(name, instance).catch(() => undefined);
    },

    send(cmd, body) {
      const here = socket;
      return here?.state === 'subscribed' ? here.request(cmd, body) : handOver(cmd, body);
    },

    async respond(reqId, body) {
      const here = socket;
      if (!here) throw new SendError('the long connection moved to another instance before the answer', 'not-connected', 'failed');
      return here.request('aibot_respond_msg', body, reqId);
    },

    role: () => role,
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
