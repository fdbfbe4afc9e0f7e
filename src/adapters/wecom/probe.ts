/**
 * One subscribe on the 智能机器人's long connection (docs/protocols/wecom.md §10), for
 * `duban doctor`: open the socket, send `aibot_subscribe` with the bot's id and secret, read
 * WeCom's answer, close. Bounded: whatever happens, it settles within `timeoutMs` (10 s) and the
 * socket is closed a second after that at most.
 *
 * Not `createWecomSocket` (socket.ts): that client is made to stay up — a refused subscribe is
 * logged as an error and tried again with backoff until stopped, and its states tell neither a
 * refusal from a host that cannot be reached nor WeCom's errcode. A probe needs the one answer.
 *
 * WeCom keeps one connection per bot and a new subscribe kicks the one it has: the caller asks
 * only when no instance holds the bot's lease (src/adapters/wecom/long-connection.ts).
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { frameText } from '../reconnect.js';
import { SocketFrameSchema } from './schema.js';

const TIMEOUT_MS = 10_000;
const CLOSE_GRACE_MS = 1000;
/** Answers are a few hundred bytes; `ws` closes the socket on anything larger (1009). */
const MAX_FRAME_BYTES = 1024 * 1024;

export type SubscribeOutcome =
  /** WeCom answered errcode 0: the id and secret are right and the console is set to 长连接. */
  | { kind: 'subscribed' }
  | { kind: 'refused'; errcode: number; errmsg: string }
  /** No connection: the host, DNS, a firewall, TLS, or an HTTP answer instead of a WebSocket. */
  | { kind: 'unreachable'; reason: string }
  /** Connected, but no answer to the subscribe came before the deadline or the socket closed. */
  | { kind: 'no-answer' };

export interface SubscribeProbeOptions {
  /** WECOM_WS_URL. */
  url: string;
  botId: string;
  botSecret: string;
  timeoutMs?: number;
}

export function probeSubscribe({ url, botId, botSecret, timeoutMs = TIMEOUT_MS }: SubscribeProbeOptions): Promise<SubscribeOutcome> {
  return new Promise((resolve) => {
    const reqId = `aibot_subscribe_${randomUUID()}`;
    let outcome: SubscribeOutcome | undefined;
    let opened = false;
    let failure: string | undefined;
    // `followRedirects: false`, as socket.ts: a redirected handshake would be a host the configuration never named.
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, followRedirects: false, maxPayload: MAX_FRAME_BYTES });

    function settle(result: SubscribeOutcome): void {
      if (outcome !== undefined) return;
      outcome = result;
      clearTimeout(deadline);
      if (ws.readyState === WebSocket.CLOSED) {
        resolve(result);
        return;
      }
      // A half-open socket never answers the close frame.
      const grace = setTimeout(() => { ws.terminate(); }, CLOSE_GRACE_MS);
      ws.once('close', () => {
        clearTimeout(grace);
        resolve(result);
      });
      ws.close();
    }

    const deadline = setTimeout(() => {
      settle(opened ? { kind: 'no-answer' } : { kind: 'unreachable', reason: failure ?? `no connection within ${String(timeoutMs)} ms` });
    }, timeoutMs);

    ws.on('open', () => {
      opened = true;
      ws.send(JSON.stringify({ cmd: 'aibot_subscribe', headers: { req_id: reqId }, body: { bot_id: botId, secret: botSecret } }), (error) => {
        if (error) settle({ kind: 'unreachable', reason: error.message });
      });
    });
    ws.on('message', (data: WebSocket.RawData) => {
      let json: unknown;
      try {
        json = JSON.parse(frameText(data));
      } catch {
        return;
      }
      const frame = SocketFrameSchema.safeParse(json);
      // Only the answer to our subscribe: a frame without cmd carrying our req_id.
      if (!frame.success || frame.data.cmd !== undefined || frame.data.headers.req_id !== reqId) return;
      const errcode = frame.data.errcode ?? 0;
      settle(errcode === 0 ? { kind: 'subscribed' } : { kind: 'refused', errcode, errmsg: frame.data.errmsg ?? '' });
    });
    ws.on('error', (error) => {
      failure = error.message;
      if (!opened) settle({ kind: 'unreachable', reason: error.message });
    });
    ws.on('close', (code) => {
      settle(opened ? { kind: 'no-answer' } : { kind: 'unreachable', reason: failure ?? `closed with code ${String(code)}` });
    });
  });
}
