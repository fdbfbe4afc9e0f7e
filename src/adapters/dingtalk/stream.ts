/**
 * Stream mode (docs/protocols/dingtalk.md §3, DingTalk's developerpedia `learn/stream/protocol.md`): the bot
 * dials out, so a township office without a public address can still receive @-messages.
 * Register at `/v1.0/gateway/connections/open` for a one-use ticket, open the WebSocket it names,
 * acknowledge every frame before working on it, answer pings, and after any drop register again
 * with exponential backoff (1 s doubling to 60 s, with jitter, as the official SDKs do).
 */
import WebSocket from 'ws';
import type { Logger } from '../../core/logger.js';
import { rememberSecret, rememberToken } from '../../core/redact.js';
import { postJson } from '../http.js';
import { frameText, hangUp, keepConnected, type Backoff, type Reconnecting } from '../reconnect.js';
import { GatewaySchema, StreamFrameSchema } from './schema.js';

export const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';
/** A socket that answers no WebSocket ping for this long is dead (NAT timeouts leave half-open TCP). */
const KEEPALIVE_MS = 10_000;
/** `ws` waits for a handshake forever by default; a gateway that accepts TCP and says nothing must not stall us. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface StreamClientOptions {
  clientId: string;
  clientSecret: string;
  apiBase: string;
  log: Logger;
  /** A robot message, already acknowledged; rejections are logged. */
  onRobotMessage(payload: unknown): Promise<void>;
  backoff?: Backoff;
  handshakeTimeoutMs?: number;
  /** Told when the connection comes up and when it goes down (the /metrics gauge). */
  onConnection?(up: boolean): void;
}

export interface StreamClient {
  start(): void;
  /** Closes the connection and stops reconnecting. */
  stop(): Promise<void>;
}

type Frame = ReturnType<typeof StreamFrameSchema.parse>;

export function createStreamClient(options: StreamClientOptions): StreamClient {
  const { log } = options;
  rememberSecret(options.clientSecret);
  const backoff = options.backoff ?? { firstMs: 1000, maxMs: 60_000 };
  let stopped = false;
  let socket: WebSocket | undefined;

  async function register(): Promise<{ endpoint: URL; ticket: string }> {
    // Without Accept: application/json the gateway answers XML (postJson sends it).
    const { status, json } = await postJson(new URL('/v1.0/gateway/connections/open', options.apiBase), {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      subscriptions: [{ type: 'CALLBACK', topic: ROBOT_TOPIC }],
      ua: 'duban',
    });
    const gateway = GatewaySchema.safeParse(json);
    if (status !== 200 || !gateway.success) throw new Error(`gateway registration failed: HTTP ${String(status)}`);
    rememberToken(gateway.data.ticket);
    return { endpoint: gatewayEndpoint(gateway.data.endpoint, options.apiBase), ticket: gateway.data.ticket };
  }

  function reply(ws: WebSocket, frame: Frame, code: number, data: unknown): void {
    ws.send(JSON.stringify({ code, message: code === 200 ? 'OK' : 'unknown topic', headers: { ...frame.headers, contentType: 'application/json' }, data: typeof data === 'string' ? data : JSON.stringify(data) }));
  }

  function onFrame(ws: WebSocket, raw: string): void {
    let frame: Frame;
    try {
      frame = StreamFrameSchema.parse(JSON.parse(raw));
    } catch {
      log.warn('stream frame is not one DingTalk sends; ignored');
      return;
    }
    const topic = frame.headers.topic;
    if (frame.type === 'SYSTEM') {
      if (topic === 'ping') reply(ws, frame, 200, frame.data ?? '{}');
      else if (topic === 'disconnect') {
        // DingTalk closes the socket 10 s after this; reconnect now rather than wait.
        log.info('stream gateway asked to reconnect');
        ws.close();
      }
      return;
    }
    if (frame.type === 'CALLBACK' && topic === ROBOT_TOPIC) {
      // Acknowledge first: an unanswered frame is pushed again within about a minute.
      reply(ws, frame, 200, { response: null });
      let payload: unknown;
      try {
        payload = JSON.parse(frame.data ?? '');
      } catch {
        log.warn('robot frame without JSON data; ignored', { messageId: frame.headers.messageId });
        return;
      }
      options.onRobotMessage(payload).catch((error: unknown) => { log.error('robot message failed', { messageId: frame.headers.messageId, error }); });
      return;
    }
    if (frame.type === 'EVENT') reply(ws, frame, 200, { status: 'SUCCESS', message: 'ok' });
    else reply(ws, frame, 404, { response: null });
  }

  /** One connection, until it closes; true when it was up (the backoff starts over). */
  function session(endpoint: URL, ticket: string): Promise<boolean> {
    return new Promise((closed) => {
      const url = new URL(endpoint);
      url.searchParams.set('ticket', ticket);
      // `followRedirects: false` is ws's default, said here because it is a promise (docs/design.md §7):
      // a redirected handshake would carry the ticket to a host gatewayEndpoint never checked.
      const ws = new WebSocket(url, { handshakeTimeout: options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS, followRedirects: false });
      socket = ws;
      let up = false;
      let alive = true;
      let keepalive: NodeJS.Timeout | undefined;
      ws.on('open', () => {
        up = true;
        log.info('stream connected');
        options.onConnection?.(true);
        // Only an open socket can be pinged; `ws` throws on a ping while connecting.
        keepalive = setInterval(() => {
          if (!alive) ws.terminate();
          alive = false;
          ws.ping();
        }, KEEPALIVE_MS);
        keepalive.unref();
      });
      ws.on('pong', () => { alive = true; });
      ws.on('message', (data: WebSocket.RawData) => {
        alive = true;
        onFrame(ws, frameText(data));
      });
      ws.on('error', (error) => { log.warn('stream socket error', { error: error.message }); });
      ws.on('close', () => {
        clearInterval(keepalive);
        if (socket === ws) socket = undefined;
        if (up) options.onConnection?.(false);
        closed(up);
      });
    });
  }

  // A call, not the variable: `stop()` flips it while the loop awaits, which narrowing cannot see.
  const isStopped = (): boolean => stopped;

  /** Registers for a ticket, then holds the connection it opens; a failed registration is a session that never came up. */
  async function registeredSession(): Promise<boolean> {
    try {
      const { endpoint, ticket } = await register();
      return isStopped() ? false : await session(endpoint, ticket);
    } catch (error) {
      log.warn('stream registration failed', { error: error instanceof Error ? error.message : String(error) });
      return false;
    }
  }

  let loop: Reconnecting | undefined;

  return {
    start() {
      if (!loop) options.onConnection?.(false);
      loop ??= keepConnected({ session: registeredSession, over: isStopped, backoff, log, name: 'stream' });
    },
    async stop() {
      stopped = true;
      loop?.wake();
      if (socket) hangUp(socket);
      await loop?.done;
    },
  };
}

/**
 * The WebSocket address the gateway names, if it is one: `wss:` on DingTalk's own domain, or a
 * socket on DINGTALK_API_BASE's host (a test gateway). docs/design.md §7: no other host.
 */
export function gatewayEndpoint(raw: string, apiBase: string): URL {
  const url = new URL(raw);
  const base = new URL(apiBase);
  const dingtalk = url.protocol === 'wss:' && (url.hostname === 'dingtalk.com' || url.hostname.endsWith('.dingtalk.com'));
  const local = (url.protocol === 'ws:' || url.protocol === 'wss:') && url.hostname === base.hostname;
  if (!dingtalk && !local) throw new Error(`gateway named an endpoint outside DingTalk: ${url.origin}`);
  return url;
}
