/**
 * A fake of WeCom's API host (qyapi) on 127.0.0.1 for tests: it serves the 消息推送 webhook
 * (`/cgi-bin/webhook/send?key=…`) and the AI bot's one-shot `response_url`
 * (`/cgi-bin/aibot/response?response_code=…`), and records every request it gets, so a test can
 * assert exactly what the bot posted. Point the bot's WeCom API base at `base`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonOrUndefined } from './json.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The body parsed as JSON; undefined when it is empty or not JSON (see `raw`). */
  body: unknown;
  raw: string;
  contentType?: string;
}

/** A scripted webhook answer: a WeCom error (HTTP 200 with an errcode), or an HTTP failure. */
export type WebhookAnswer = { errcode: number; errmsg: string } | { status: number; body?: string };

export interface FakeWecom {
  /** e.g. `http://127.0.0.1:40123`, no trailing slash. */
  base: string;
  webhookUrl(key: string): string;
  responseUrl(code: string): string;
  /** Every request, in arrival order, recorded before it is answered. */
  received: ReceivedRequest[];
  /** Scripts the next answers for a webhook key, used in order; after them it answers ok again. */
  answerNext(key: string, ...answers: WebhookAnswer[]): void;
  /** Resolves with the first request, already received or still to come, that matches. */
  waitFor(predicate: (request: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

const WEBHOOK_PATH = '/cgi-bin/webhook/send';
const RESPONSE_PATH = '/cgi-bin/aibot/response';
const OK = { errcode: 0, errmsg: 'ok' };
/**
 * A response_url takes one call (docs/protocols/wecom.md §2.2, page 101138), but WeCom documents neither its answers nor
 * what a second call gets. These answers are ours; tests should assert on `received`, not on them.
 */
const USED = { errcode: -1, errmsg: 'response_url used' };

/** An HTTP answer: an object is sent as JSON, a string as plain text. */
interface Reply {
  status: number;
  body: object | string;
}

interface Waiter {
  predicate: (request: ReceivedRequest) => boolean;
  resolve: (request: ReceivedRequest) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export async function startFakeWecom(): Promise<FakeWecom> {
  const received: ReceivedRequest[] = [];
  const scripts = new Map<string, WebhookAnswer[]>();
  const usedCodes = new Set<string>();
  const waiters = new Set<Waiter>();

  function record(request: ReceivedRequest): void {
    received.push(request);
    for (const waiter of waiters) {
      if (!waiter.predicate(request)) continue;
      waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(request);
    }
  }

  /** Records the request, then decides WeCom's answer to it. */
  function answer(req: IncomingMessage, raw: string): Reply {
    const url = new URL(req.url ?? '/', 'http://fake-wecom');
    const query = Object.fromEntries(url.searchParams);
    const request: ReceivedRequest = { method: req.method ?? '', path: url.pathname, query, body: jsonOrUndefined(raw), raw };
    const contentType = req.headers['content-type'];
    if (contentType !== undefined) request.contentType = contentType;
    record(request);

    if (url.pathname !== WEBHOOK_PATH && url.pathname !== RESPONSE_PATH) return { status: 404, body: { errcode: 404, errmsg: `fake-wecom: no ${url.pathname}` } };
    if (req.method !== 'POST') return { status: 405, body: { errcode: 405, errmsg: `fake-wecom: ${url.pathname} takes POST` } };
    // Both endpoints take a JSON body; WeCom's code for a malformed one is not documented, so this one is ours.
    if (request.body === undefined) return { status: 200, body: { errcode: -1, errmsg: 'fake-wecom: body is not JSON' } };

    if (url.pathname === RESPONSE_PATH) {
      const code = query.response_code ?? '';
      if (usedCodes.has(code)) return { status: 200, body: USED };
      usedCodes.add(code);
      return { status: 200, body: OK };
    }
    // WeCom reports its errors (rate limit, removed bot) as HTTP 200 with an errcode.
    const scripted = scripts.get(query.key ?? '')?.shift() ?? OK;
    if ('status' in scripted) return { status: scripted.status, body: scripted.body ?? `fake-wecom: HTTP ${String(scripted.status)}` };
    return { status: 200, body: scripted };
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      send(res, answer(req, Buffer.concat(chunks).toString('utf8')));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${String(port)}`;

  return {
    base,
    webhookUrl: (key) => `${base}${WEBHOOK_PATH}?${new URLSearchParams({ key }).toString()}`,
    responseUrl: (code) => `${base}${RESPONSE_PATH}?${new URLSearchParams({ response_code: code }).toString()}`,
    received,
    answerNext(key, ...answers) {
      scripts.set(key, [...(scripts.get(key) ?? []), ...answers]);
    },
    waitFor(predicate, timeoutMs = 5000) {
      const already = received.find(predicate);
      if (already !== undefined) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          predicate,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            const seen = received.map((r) => `${r.method} ${r.path}`).join(', ') || 'nothing';
            reject(new Error(`fake-wecom: no matching request within ${String(timeoutMs)} ms (received: ${seen})`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    async close() {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error('fake-wecom: closed while waiting'));
      }
      waiters.clear();
      // The bot's fetch keeps connections alive; drop them so close() does not wait for their timeout.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      });
    },
  };
}

function send(res: ServerResponse, { status, body }: Reply): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8' });
  res.end(text);
}
