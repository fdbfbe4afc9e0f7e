/**
 * The 智能机器人's long connection (docs/protocols/wecom.md §10): the bot dials out to WeCom, so a
 * county office without a public address still receives @-messages and can post into groups.
 *
 * Open the socket, subscribe with the bot's id and secret, ping every 30 s and count the
 * connection dead after two pings go unanswered, and after any drop connect again for as long as
 * the bot runs (1 s doubling to 30 s, with jitter). Every command we send is answered by a frame
 * with its `req_id` and an `errcode`: `request` waits for that answer.
 *
 * One exception ends the reconnecting: WeCom keeps one connection per bot, and a newer one kicks
 * the older with a `disconnected_event`. Connecting again would kick the newcomer in turn, so a
 * kicked socket stays down and says so (`onState('kicked')`); who connects next is decided by the
 * lease in `long-connection.ts`.
 *
 * Hand-written on `ws` rather than the official `@wecom/aibot-node-sdk`: that SDK gives up after 10
 * reconnects by default, owns the reconnect decision after a kick, and would bring axios for a
 * download we never make; here the lease decides, as DingTalk's Stream client does for its own.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { SendError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { rememberSecret } from '../../core/redact.js';
import { frameText, hangUp, keepConnected, type Backoff, type Reconnecting } from '../reconnect.js';
import { KickSchema, SocketFrameSchema, type SocketFrame } from './schema.js';

/** docs/protocols/wecom.md §10: a ping every 30 s; two unanswered and the connection is dead. */
const HEARTBEAT_MS = 30_000;
const MISSED_PINGS = 2;
/** How long a command waits for its answer frame (the official SDK's figure). */
const ACK_TIMEOUT_MS = 5000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Callbacks are a few KB; a frame this large is not one WeCom sends (`ws` closes the socket with 1009). */
const MAX_FRAME_BYTES = 1024 * 1024;

export type SocketState = 'connecting' | 'subscribed' | 'down' | 'kicked' | 'stopped';

/** What WeCom sends unprompted: a message or an event, to be answered (if at all) with its `reqId`. */
export interface Callback {
  cmd: 'aibot_msg_callback' | 'aibot_event_callback';
  reqId: string;
  body: unknown;
}

/** WeCom's answer to one of our commands. */
export interface Ack {
  errcode: number;
  errmsg: string;
  body?: unknown;
}

export interface SocketOptions {
  url: string;
  botId: string;
  botSecret: string;
  log: Logger;
  onCallback(callback: Callback): void;
  onState?(state: SocketState): void;
  heartbeatMs?: number;
  ackTimeoutMs?: number;
  backoff?: Backoff;
}

export interface WecomSocket {
  /** Connects, and keeps connecting after every drop until stopped or kicked. */
  start(): void;
  /** Closes the connection for good. */
  stop(): Promise<void>;
  /**
   * Sends one command and resolves with WeCom's answer, whatever its errcode; SendError when
   * there is no subscribed connection or no answer comes. Commands sharing a `reqId` (a reply's
   * text and then its picture) go one after another, each once the previous is answered.
   */
  request(cmd: string, body: unknown, reqId?: string): Promise<Ack>;
  readonly state: SocketState;
}

interface Waiting {
  resolve(ack: Ack): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export function createWecomSocket(options: SocketOptions): WecomSocket {
  const { log } = options;
  rememberSecret(options.botSecret);
  const backoff = options.backoff ?? { firstMs: 1000, maxMs: 30_000 };
  const ackTimeoutMs = options.ackTimeoutMs ?? ACK_TIMEOUT_MS;
  let state: SocketState = 'down';
  let socket: WebSocket | undefined;
  let loop: Reconnecting | undefined;
  const waiting = new Map<string, Waiting>();
  /** The last command of each reqId, for the next one of the same reqId to go after. */
  const lines = new Map<string, Promise<unknown>>();

  const isOver = (): boolean => state === 'stopped' || state === 'kicked';

  /**
   * Stopped and kicked are final (a kicked socket may still be stopped): a subscribe answered
   * after `stop()` must not bring the socket back to life, or the loop would reconnect forever
   * while `stop()` waits — and hold a connection whose lease was given up.
   */
  function setState(next: SocketState): void {
    if (state === next || state === 'stopped' || (state === 'kicked' && next !== 'stopped')) return;
    state = next;
    options.onState?.(next);
  }

  function send(ws: WebSocket, frame: object): void {
    ws.send(JSON.stringify(frame));
  }

  /** Sends a frame on `ws` and waits for the answer with its req_id. */
  function exchange(ws: WebSocket, cmd: string, reqId: string, body: unknown): Promise<Ack> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(reqId);
        reject(new SendError(`no answer to ${cmd} within ${String(ackTimeoutMs)} ms`, 'no-ack', 'failed'));
      }, ackTimeoutMs);
      waiting.set(reqId, { resolve, reject, timer });
      try {
        send(ws, { cmd, headers: { req_id: reqId }, ...(body === undefined ? {} : { body }) });
      } catch (error) {
        clearTimeout(timer);
        waiting.delete(reqId);
        reject(new SendError(`could not send ${cmd}: ${error instanceof Error ? error.message : String(error)}`, 'socket', 'failed'));
      }
    });
  }

  /** Fails every command still waiting: their answers cannot come on a closed socket. */
  function abandon(reason: string): void {
    for (const [reqId, wait] of waiting) {
      clearTimeout(wait.timer);
      wait.reject(new SendError(`connection closed before ${reqId} was answered (${reason})`, 'closed', 'failed'));
    }
    waiting.clear();
  }

  function onFrame(ws: WebSocket, frame: SocketFrame): void {
    const reqId = frame.headers.req_id;
    if (frame.cmd === undefined) {
      const wait = waiting.get(reqId);
      if (!wait) return;
      clearTimeout(wait.timer);
      waiting.delete(reqId);
      wait.resolve({ errcode: frame.errcode ?? 0, errmsg: frame.errmsg ?? '', body: frame.body });
      return;
    }
    if (frame.cmd === 'aibot_event_callback' && KickSchema.safeParse(frame.body).success) {
      log.warn('another connection took the bot over (disconnected_event); not reconnecting');
      setState('kicked');
      ws.close();
      return;
    }
    if (frame.cmd === 'aibot_msg_callback' || frame.cmd === 'aibot_event_callback') {
      options.onCallback({ cmd: frame.cmd, reqId, body: frame.body });
      return;
    }
    log.warn('long connection sent a command we do not know; ignored', { cmd: frame.cmd });
  }

  /** One connection, until it closes; true when it was subscribed (the backoff starts over). */
  function session(): Promise<boolean> {
    return new Promise((closed) => {
      // `followRedirects: false` (ws's default, said here because it is a promise, docs/design.md §7):
      // a redirected handshake would be a host the configuration never named.
      const ws = new WebSocket(options.url, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS, followRedirects: false, maxPayload: MAX_FRAME_BYTES });
      socket = ws;
      setState('connecting');
      let subscribed = false;
      let missed = 0;
      let heartbeat: NodeJS.Timeout | undefined;

      ws.on('open', () => {
        exchange(ws, 'aibot_subscribe', `aibot_subscribe_${randomUUID()}`, { bot_id: options.botId, secret: options.botSecret }).then(
          (ack) => {
            if (ack.errcode !== 0) {
              // A secret reset in the console, or a bot switched back to the callback URL.
              log.error('WeCom refused the long connection\'s subscription: check WECOM_BOT_ID and WECOM_BOT_SECRET', { errcode: ack.errcode, errmsg: ack.errmsg });
              ws.close();
              return;
            }
            // Stopped (or kicked) while the subscription was on its way: the close is under way.
            if (isOver()) return;
            subscribed = true;
            setState('subscribed');
            log.info('long connection subscribed');
            heartbeat = setInterval(() => {
              if (missed >= MISSED_PINGS) {
                log.warn('long connection dead: pings unanswered', { missed });
                ws.terminate();
                return;
              }
              missed += 1;
              exchange(ws, 'ping', `ping_${randomUUID()}`, undefined).then(
                (pong) => { if (pong.errcode === 0) missed = 0; },
                () => undefined,
              );
            }, options.heartbeatMs ?? HEARTBEAT_MS);
            heartbeat.unref();
          },
          (error: unknown) => {
            log.warn('long connection subscription unanswered', { error: error instanceof Error ? error.message : String(error) });
            ws.terminate();
          },
        );
      });
      ws.on('message', (data: WebSocket.RawData) => {
        let frame: SocketFrame;
        try {
          frame = SocketFrameSchema.parse(JSON.parse(frameText(data)));
        } catch {
          log.warn('long connection frame is not one WeCom sends; ignored');
          return;
        }
        onFrame(ws, frame);
      });
      ws.on('error', (error) => { log.warn('long connection socket error', { error: error.message }); });
      ws.on('close', (code) => {
        clearInterval(heartbeat);
        if (socket === ws) socket = undefined;
        abandon(`code ${String(code)}`);
        if (!isOver()) setState('down');
        closed(subscribed);
      });
    });
  }

  return {
    start() {
      if (isOver()) return;
      loop ??= keepConnected({ session, over: isOver, backoff, log, name: 'long connection' });
    },

    async stop() {
      setState('stopped');
      loop?.wake();
      if (socket) hangUp(socket);
      await loop?.done;
    },

    request(cmd, body, reqId = `${cmd}_${randomUUID()}`) {
      const before = lines.get(reqId) ?? Promise.resolve();
      const mine = before.catch(() => undefined).then(() => {
        const ws = socket;
        if (!ws || state !== 'subscribed') throw new SendError('the long connection is not up', 'not-connected', 'failed');
        return exchange(ws, cmd, reqId, body);
      });
      lines.set(reqId, mine);
      void mine.catch(() => undefined).finally(() => { if (lines.get(reqId) === mine) lines.delete(reqId); });
      return mine;
    },

    get state() {
      return state;
    },
  };
}
