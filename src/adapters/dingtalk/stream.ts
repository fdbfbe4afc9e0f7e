/**
 * Stream mode (dingtalk.md §3, DingTalk's developerpedia `learn/stream/protocol.md`): the bot
 * dials out, so a township office without a public address can still receive @-messages.
 * Register at `/v1.0/gateway/connections/open` for a one-use ticket, open the WebSocket it names,
 * acknowledge every frame before working on it, answer pings, and after any drop register again
 * with exponential backoff (1 s doubling to 60 s, with jitter, as the official SDKs do).
 */
import WebSocket from 'ws';
import type { Logger } from '../../core/logger.js';
import { GatewaySchema, StreamFrameSchema } from './schema.js';

export const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';
const REQUEST_TIMEOUT_MS = 10_000;
/** A socket that answers no WebSocket ping for this long is dead (NAT timeouts leave half-open TCP). */
const KEEPALIVE_MS = 10_000;

export interface StreamClientOptions {
  clientId: string;
  clientSecret: string;
  apiBase: string;
  log: Logger;
  /** A robot message, already acknowledged; rejections are logged. */
  onRobotMessage(payload: unknown): Promise<void>;
  backoff?: { firstMs: number; maxMs: number };
}

export interface StreamClient {
  start(): void;
  /** Closes the connection and stops reconnecting. */
  stop(): Promise<void>;
}

type Frame = ReturnType<typeof StreamFrameSchema.parse>;

export function createStreamClient(options: StreamClientOptions): StreamClient {
  const { log } = options;
  const backoff = options.backoff ?? { firstMs: 1000, maxMs: 60_000 };
  let stopped = false;
  let socket: WebSocket | undefined;
  let wake: (() => void) | undefined;
  let running: Promise<void> | undefined;

  async function register(): Promise<{ endpoint: string; ticket: string }> {
    const res = await fetch(new URL('/v1.0/gateway/connections/open', options.apiBase), {
      method: 'POST',
      // Without Accept: application/json the gateway answers XML.
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        subscriptions: [{ type: 'CALLBACK', topic: ROBOT_TOPIC }],
        ua: 'duban',
      }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body: unknown = await res.json().catch(() => undefined);
    const gateway = GatewaySchema.safeParse(body);
    if (!res.ok || !gateway.success) throw new Error(`gateway registration failed: HTTP ${String(res.status)}`);
    return gateway.data;
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
  function session(endpoint: string, ticket: string): Promise<boolean> {
    return new Promise((closed) => {
      const url = new URL(endpoint);
      url.searchParams.set('ticket', ticket);
      const ws = new WebSocket(url);
      socket = ws;
      let up = false;
      let alive = true;
      const keepalive = setInterval(() => {
        if (!alive) ws.terminate();
        alive = false;
        ws.ping();
      }, KEEPALIVE_MS);
      keepalive.unref();
      ws.on('open', () => {
        up = true;
        log.info('stream connected');
      });
      ws.on('pong', () => { alive = true; });
      ws.on('message', (data: WebSocket.RawData) => {
        alive = true;
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        onFrame(ws, bytes.toString('utf8'));
      });
      ws.on('error', (error) => { log.warn('stream socket error', { error: error.message }); });
      ws.on('close', () => {
        clearInterval(keepalive);
        if (socket === ws) socket = undefined;
        closed(up);
      });
    });
  }

  const pause = (ms: number): Promise<void> =>
    new Promise((done) => {
      const timer = setTimeout(done, ms);
      wake = () => {
        clearTimeout(timer);
        done();
      };
    });

  // A call, not the variable: `stop()` flips it while this loop awaits, which narrowing cannot see.
  const isStopped = (): boolean => stopped;

  async function run(): Promise<void> {
    let failures = 0;
    while (!isStopped()) {
      try {
        const { endpoint, ticket } = await register();
        if (isStopped()) break;
        if (await session(endpoint, ticket)) failures = 0;
      } catch (error) {
        log.warn('stream registration failed', { error: error instanceof Error ? error.message : String(error) });
      }
      if (isStopped()) break;
      const delay = Math.min(backoff.maxMs, backoff.firstMs * 2 ** failures);
      failures += 1;
      // Jitter keeps instances that lost the gateway together from coming back together.
      const wait = Math.round(delay / 2 + Math.random() * (delay / 2));
      log.info('stream reconnecting', { attempt: failures, inMs: wait });
      await pause(wait);
    }
  }

  return {
    start() {
      running ??= run();
    },
    async stop() {
      stopped = true;
      wake?.();
      socket?.close();
      await running;
    },
  };
}
