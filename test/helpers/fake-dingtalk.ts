/**
 * A fake DingTalk on 127.0.0.1 for tests, standing in for both hosts the bot talks to:
 *
 * - DingTalk's older API host (oapi): the sessionWebhook reply URL (`/robot/sendBySession?session=…`), custom
 *   robot webhooks (`/robot/send?access_token=…`, optionally 加签) and media upload
 *   (`/media/upload?access_token=…&type=image`, multipart field `media`);
 * - DingTalk's newer API host (api): the app access token (`/v1.0/oauth2/accessToken`), robot group and 1-on-1
 *   sends (`/v1.0/robot/groupMessages/send`, `/v1.0/robot/oToMessages/batchSend`), and the Stream
 *   gateway (`/v1.0/gateway/connections/open`, then a WebSocket at `/connect?ticket=…`).
 *
 * Point both DINGTALK_API_BASE and DINGTALK_OAPI_BASE at `base`. Every HTTP request (the WebSocket
 * upgrade included) is recorded before it is answered, so a test can assert exactly what the bot
 * sent. Written from the protocol notes (docs/protocols/dingtalk.md §2, §3.1, §4a, §4b); answers marked
 * "ours" below are not documented by DingTalk and carry a `fake` prefix so no test mistakes them for
 * DingTalk's.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { checkCustomRobotSign } from './dingtalk-client.js';
import { jsonOrUndefined } from './json.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Every request header, names lower-cased (content-type, accept, x-acs-dingtalk-access-token, timestamp, sign, …). */
  headers: Record<string, string>;
  /** The body parsed as JSON; undefined when it is empty or not JSON (see `raw`). */
  body: unknown;
  raw: string;
  /** The file of a multipart upload (`media`), as sent. */
  file?: Buffer;
}

/**
 * A scripted answer: a DingTalk error carried in an HTTP 200 (`{errcode, errmsg}`, how oapi reports
 * failures), or an HTTP status with an optional body (an object is sent as JSON, e.g. the newer API host's
 * `{code, message}`; a string as text).
 */
export type DingtalkAnswer = { errcode: number; errmsg: string } | { status: number; body?: object | string };

export interface FakeDingtalkOptions {
  clientId: string;
  clientSecret: string;
  /** `expireIn` of issued access tokens; the fake also stops accepting a token after it. */
  tokenSeconds?: number;
}

/** A frame the gateway sends down the socket (docs/protocols/dingtalk.md §3.1 step 3). */
export interface StreamFrame {
  specVersion: '1.0';
  type: 'SYSTEM' | 'EVENT' | 'CALLBACK';
  headers: Record<string, string>;
  /** A JSON document, as a string. */
  data: string;
}

/**
 * A reply the client sends back (§3.1 step 4): `{code, headers: {messageId, …}, message, data}`.
 * The fake only matches it by `headers.messageId`; the rest is as the client sent it, for tests to assert.
 */
export interface StreamReply {
  code: number;
  headers: Record<string, string>;
  message: string;
  data: string;
}

export interface FakeStream {
  /** How many `connections/open` calls arrived, refused ones included. */
  opens(): number;
  /** How many sockets are open right now. */
  connections(): number;
  /** Resolves once the nth connection (counting every one ever accepted, from 1) is open. */
  waitForConnection(n?: number, timeoutMs?: number): Promise<void>;
  /** Every frame the client sent, in order, parsed as JSON (a frame that is not JSON is kept as its text). */
  frames: unknown[];
  /** Pushes a robot message (§1.2 JSON) as a CALLBACK frame to the newest connection; returns its messageId. */
  callback(payload: object, messageId?: string): string;
  /** Resolves with the client's reply to that messageId (already sent or still to come). */
  waitForAck(messageId: string, timeoutMs?: number): Promise<StreamReply>;
  /** Sends a SYSTEM ping to the newest connection and resolves with the client's echo. */
  ping(timeoutMs?: number): Promise<StreamReply>;
  /** Sends a SYSTEM disconnect to the newest connection, closes it ~100 ms later, and resolves when closed. */
  disconnect(): Promise<void>;
  /** Kills the newest connection without a close handshake, as a network failure would; resolves when closed. */
  drop(): Promise<void>;
}

export interface FakeDingtalk {
  /** e.g. `http://127.0.0.1:40123`, no trailing slash. */
  base: string;
  /** Every HTTP request, in arrival order, recorded before it is answered. */
  received: ReceivedRequest[];
  /** The reply URL a robot message carries (§2); any session id is accepted. */
  sessionWebhook(session: string): string;
  /** Registers a custom robot (with a `SEC…` secret when it uses 加签) and returns its webhook URL (§4a). */
  customWebhook(accessToken: string, secret?: string): string;
  /** How many access-token requests arrived, refused ones included. */
  tokenRequests(): number;
  /** Makes every access token issued so far invalid, as if they had expired. */
  revokeTokens(): void;
  /**
   * Scripts the next answers for a target: a session id, a custom robot's access_token, or
   * 'groupMessages' / 'oToMessages'. Used in order once a request has passed the checks (token,
   * sign, body); after them it answers normally again.
   */
  answerNext(target: string, ...answers: DingtalkAnswer[]): void;
  /** Resolves with the first request, already received or still to come, that matches. */
  waitFor(predicate: (request: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest>;
  stream: FakeStream;
  /** Closes every socket and the server; pending waits are rejected. */
  close(): Promise<void>;
}

const SESSION_PATH = '/robot/sendBySession';
const CUSTOM_PATH = '/robot/send';
const TOKEN_PATH = '/v1.0/oauth2/accessToken';
const GROUP_PATH = '/v1.0/robot/groupMessages/send';
const OTO_PATH = '/v1.0/robot/oToMessages/batchSend';
const OPEN_PATH = '/v1.0/gateway/connections/open';
const MEDIA_PATH = '/media/upload';
const CONNECT_PATH = '/connect';
/** The topic of robot messages, which a client must subscribe to as a CALLBACK (§3.1). */
const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';
/** A Stream ticket is good for 90 s and one connection (§3.1 step 1). */
const TICKET_MS = 90_000;
/** DingTalk waits 10 s after a disconnect frame; tests should not, so the fake waits 100 ms. */
const DISCONNECT_CLOSE_MS = 100;
/** oapi answers 200 with an errcode, on success and failure alike (§4a). */
const OK = { errcode: 0, errmsg: 'ok' };
/** batchSend takes at most 20 userIds per call (§4b). */
const MAX_OTO_USERS = 20;

/** An HTTP answer: an object is sent as JSON, a string as text. */
interface Reply {
  status: number;
  body: object | string;
  contentType?: string;
}

interface Subscription {
  type: string;
  topic: string;
}

interface Connection {
  socket: WebSocket;
  subscriptions: Subscription[];
}

export async function startFakeDingtalk({ clientId, clientSecret, tokenSeconds = 7200 }: FakeDingtalkOptions): Promise<FakeDingtalk> {
  const received: ReceivedRequest[] = [];
  const scripts = new Map<string, DingtalkAnswer[]>();
  const customRobots = new Map<string, { secret: string | undefined }>();
  /** Access token → when it stops being accepted (ms). */
  const tokens = new Map<string, number>();
  /** Stream ticket → when it expires, and what the open call subscribed to. */
  const tickets = new Map<string, { expires: number; subscriptions: Subscription[] }>();
  const live: Connection[] = [];
  /** One entry per accepted connection, numbered from 1, so waitForConnection can look back. */
  const accepted: number[] = [];
  const frames: unknown[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let tokenCalls = 0;
  let tokensIssued = 0;
  let opens = 0;
  let queryKeys = 0;
  let messageIds = 0;
  let mediaIds = 0;

  const requestWaits = waitlist<ReceivedRequest>();
  const frameWaits = waitlist<unknown>();
  const connectionWaits = waitlist<number>();

  function record(request: ReceivedRequest): void {
    received.push(request);
    requestWaits.offer(request);
  }

  function scripted(target: string): Reply | undefined {
    const next = scripts.get(target)?.shift();
    if (next === undefined) return undefined;
    if ('status' in next) return { status: next.status, body: next.body ?? `fake-dingtalk: HTTP ${String(next.status)}` };
    return { status: 200, body: next };
  }

  function tokenIsValid(token: string | undefined): boolean {
    const expires = token === undefined ? undefined : tokens.get(token);
    return expires !== undefined && Date.now() < expires;
  }

  /** Records the request, then decides DingTalk's answer to it. */
  function answer(req: IncomingMessage, bytes: Buffer): Reply {
    const url = new URL(req.url ?? '/', 'http://fake-dingtalk');
    const raw = bytes.toString('utf8');
    const headers = flatten(req.headers);
    const file = multipartFile(headers['content-type'] ?? '', bytes, 'media');
    const request: ReceivedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: jsonOrUndefined(raw),
      raw,
      ...(file ? { file } : {}),
    };
    record(request);

    const oapi = url.pathname === SESSION_PATH || url.pathname === CUSTOM_PATH || url.pathname === MEDIA_PATH;
    const api = [TOKEN_PATH, GROUP_PATH, OTO_PATH, OPEN_PATH].includes(url.pathname);
    if (!oapi && !api) return { status: 404, body: { code: 'fake.notFound', message: `fake-dingtalk: no ${request.method} ${url.pathname}` } };
    if (request.method !== 'POST') {
      // oapi's answer to a GET was seen in a live probe (§4a: 43002 需要POST请求); api's is ours.
      return oapi ? { status: 200, body: { errcode: 43002, errmsg: '需要POST请求' } } : { status: 405, body: { code: 'fake.methodNotAllowed', message: `fake-dingtalk: ${url.pathname} takes POST` } };
    }
    const body = isObject(request.body) ? request.body : undefined;

    switch (url.pathname) {
      case MEDIA_PATH:
        // The app's access token goes in the query on oapi (§4b); failures are HTTP 200 + errcode.
        if (!tokenIsValid(request.query.access_token)) return { status: 200, body: { errcode: 40014, errmsg: '不合法的access_token' } };
        if (file === undefined) return { status: 200, body: { errcode: 43008, errmsg: '参数需要multipart类型' } };
        if (request.query.type !== 'image') return { status: 200, body: { errcode: 40004, errmsg: '不合法的媒体文件类型' } };
        return { status: 200, body: { ...OK, type: 'image', media_id: `@media-${String(++mediaIds)}`, created_at: Date.now() } };
      case SESSION_PATH:
        // A sessionWebhook needs no token or signature (§2); its URL is the credential.
        if (body === undefined) return notJsonOapi();
        return scripted(request.query.session ?? '') ?? { status: 200, body: OK };
      case CUSTOM_PATH:
        return customSend(request.query, body);
      case TOKEN_PATH:
        return issueToken(body);
      case GROUP_PATH:
        return robotSend('groupMessages', request.headers, body);
      case OTO_PATH:
        return robotSend('oToMessages', request.headers, body);
      default: // OPEN_PATH, the only path left
        return openStream(request.headers, body);
    }
  }

  function customSend(query: Record<string, string>, body: Record<string, unknown> | undefined): Reply {
    const token = query.access_token ?? '';
    const robot = customRobots.get(token);
    // 300005 is what a 2026 live probe got for an unknown token (older reports say 300001; §4a).
    if (robot === undefined) return { status: 200, body: { errcode: 300005, errmsg: 'token is not exist' } };
    // 加签: timestamp within an hour and sign = urlEncode(base64(hmac)); every failure is HTTP 200 + 310000.
    if (robot.secret !== undefined && !checkCustomRobotSign(robot.secret, query)) return { status: 200, body: { errcode: 310000, errmsg: 'sign not match' } };
    if (body === undefined) return notJsonOapi();
    return scripted(token) ?? { status: 200, body: OK };
  }

  function issueToken(body: Record<string, unknown> | undefined): Reply {
    tokenCalls++;
    if (body?.appKey !== clientId || body.appSecret !== clientSecret) return { status: 400, body: { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' } };
    // DingTalk hands back the same token while it is valid (§4b); a new one per call lets tests see which was used.
    const accessToken = `token-${String(++tokensIssued)}`;
    tokens.set(accessToken, Date.now() + tokenSeconds * 1000);
    return { status: 200, body: { accessToken, expireIn: tokenSeconds } };
  }

  function robotSend(target: 'groupMessages' | 'oToMessages', headers: Record<string, string>, body: Record<string, unknown> | undefined): Reply {
    // The newer API host takes the token in this header, not in the query (§4b), and fails with HTTP 401.
    if (!tokenIsValid(headers['x-acs-dingtalk-access-token'])) return { status: 401, body: { code: 'InvalidAuthentication', message: '不合法的access_token' } };
    const problem = robotSendProblem(target, body);
    if (problem !== undefined) return { status: 400, body: { code: 'fake.invalidParameter', message: `fake-dingtalk: ${problem}` } };
    const done = scripted(target);
    if (done !== undefined) return done;
    const processQueryKey = `pqk-${String(++queryKeys)}`;
    return { status: 200, body: target === 'groupMessages' ? { processQueryKey } : { processQueryKey, invalidStaffIdList: [], flowControlledStaffIdList: [] } };
  }

  /** The request rules of §4b that a bot could get wrong; DingTalk's codes for them are not known, so the answers are ours. */
  function robotSendProblem(target: 'groupMessages' | 'oToMessages', body: Record<string, unknown> | undefined): string | undefined {
    if (body === undefined) return 'body is not a JSON object';
    // For an enterprise-internal app the robotCode is the AppKey.
    if (body.robotCode !== clientId) return `robotCode must be the clientId ${clientId}`;
    if (typeof body.msgKey !== 'string') return 'msgKey must be a string';
    // msgParam is a JSON document inside a string, not an object.
    if (typeof body.msgParam !== 'string' || !isObject(jsonOrUndefined(body.msgParam))) return 'msgParam must be a string holding a JSON object';
    if (target === 'groupMessages' && typeof body.openConversationId !== 'string') return 'openConversationId must be a string';
    if (target === 'oToMessages') {
      const { userIds } = body;
      if (!Array.isArray(userIds) || userIds.length === 0 || userIds.length > MAX_OTO_USERS || !userIds.every((id) => typeof id === 'string')) {
        return `userIds must be 1..${String(MAX_OTO_USERS)} strings`;
      }
    }
    return undefined;
  }

  function openStream(headers: Record<string, string>, body: Record<string, unknown> | undefined): Reply {
    opens++;
    // Without Accept: application/json the gateway answers XML (§3.1); make a client that forgets it fail visibly.
    if (!(headers.accept ?? '').includes('application/json')) {
      return { status: 406, contentType: 'application/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>fake.notAcceptable</Code><Message>fake-dingtalk: send Accept: application/json</Message></Error>' };
    }
    if (body?.clientId !== clientId || body.clientSecret !== clientSecret) return { status: 400, body: { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' } };
    const { subscriptions } = body;
    if (!Array.isArray(subscriptions) || !subscriptions.every(isSubscription)) {
      return { status: 400, body: { code: 'fake.invalidParameter', message: 'fake-dingtalk: subscriptions must be an array of {type, topic}' } };
    }
    const ticket = randomUUID();
    tickets.set(ticket, { expires: Date.now() + TICKET_MS, subscriptions });
    return { status: 200, body: { endpoint: `${base.replace(/^http/, 'ws')}${CONNECT_PATH}`, ticket } };
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      send(res, answer(req, Buffer.concat(chunks)));
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://fake-dingtalk');
    record({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: flatten(req.headers), body: undefined, raw: '' });
    socket.on('error', () => undefined);
    if (url.pathname !== CONNECT_PATH) {
      refuse(socket, 404, 'Not Found');
      return;
    }
    const ticket = url.searchParams.get('ticket') ?? '';
    const grant = tickets.get(ticket);
    // One ticket, one connection: it is spent here whether or not it was still fresh.
    tickets.delete(ticket);
    if (grant === undefined || Date.now() > grant.expires) {
      refuse(socket, 401, 'Unauthorized');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      attach(ws, grant.subscriptions);
    });
  });

  function attach(socket: WebSocket, subscriptions: Subscription[]): void {
    const connection: Connection = { socket, subscriptions };
    live.push(connection);
    socket.on('message', (data: RawData) => {
      const text = rawText(data);
      const frame = jsonOrUndefined(text) ?? text;
      frames.push(frame);
      frameWaits.offer(frame);
    });
    socket.on('close', () => {
      const index = live.indexOf(connection);
      if (index >= 0) live.splice(index, 1);
    });
    socket.on('error', () => undefined);
    accepted.push(accepted.length + 1);
    connectionWaits.offer(accepted.length);
  }

  function newest(): Connection {
    const connection = live.findLast((c) => c.socket.readyState === c.socket.OPEN);
    if (connection === undefined) throw new Error('fake-dingtalk: no open stream connection');
    return connection;
  }

  function push(connection: Connection, frame: StreamFrame): void {
    connection.socket.send(JSON.stringify(frame));
  }

  function systemFrame(topic: string, messageId: string, data: object): StreamFrame {
    return { specVersion: '1.0', type: 'SYSTEM', headers: { topic, messageId, contentType: 'application/json', time: String(Date.now()) }, data: JSON.stringify(data) };
  }

  function waitForReply(messageId: string, timeoutMs: number): Promise<StreamReply> {
    return frameWaits.wait(frames, (frame) => isReplyTo(frame, messageId), timeoutMs, () => `a reply to ${messageId} (frames: ${String(frames.length)})`) as Promise<StreamReply>;
  }

  function closed(socket: WebSocket): Promise<void> {
    if (socket.readyState === socket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => socket.once('close', () => { resolve(); }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${String(port)}`;

  const stream: FakeStream = {
    opens: () => opens,
    connections: () => live.length,
    waitForConnection(n = 1, timeoutMs = 5000) {
      return connectionWaits.wait(accepted, (count) => count >= n, timeoutMs, () => `connection #${String(n)} (accepted so far: ${String(accepted.length)})`).then(() => undefined);
    },
    frames,
    callback(payload, messageId = `msg-${String(++messageIds)}-${randomUUID()}`) {
      const connection = newest();
      // DingTalk only pushes robot messages to a client that subscribed to them when it opened.
      if (!connection.subscriptions.some((s) => s.type === 'CALLBACK' && s.topic === ROBOT_TOPIC)) {
        throw new Error(`fake-dingtalk: the client did not subscribe to CALLBACK ${ROBOT_TOPIC}, so DingTalk would not push it robot messages`);
      }
      push(connection, { specVersion: '1.0', type: 'CALLBACK', headers: { topic: ROBOT_TOPIC, messageId, contentType: 'application/json', time: String(Date.now()) }, data: JSON.stringify(payload) });
      return messageId;
    },
    waitForAck: (messageId, timeoutMs = 5000) => waitForReply(messageId, timeoutMs),
    ping(timeoutMs = 5000) {
      // The client must echo the headers and the opaque data (§3.1 step 4); the messageId ties the echo to this ping.
      const messageId = `ping-${randomUUID()}`;
      push(newest(), systemFrame('ping', messageId, { opaque: randomUUID() }));
      return waitForReply(messageId, timeoutMs);
    },
    disconnect() {
      const connection = newest();
      // The client must not answer it, but open a new connection (§3.1 step 4).
      push(connection, systemFrame('disconnect', `disconnect-${randomUUID()}`, { reason: 'fake-dingtalk: disconnect' }));
      const timer = setTimeout(() => {
        timers.delete(timer);
        connection.socket.close();
      }, DISCONNECT_CLOSE_MS);
      timers.add(timer);
      return closed(connection.socket);
    },
    drop() {
      const { socket } = newest();
      socket.terminate();
      return closed(socket);
    },
  };

  return {
    base,
    received,
    sessionWebhook: (session) => `${base}${SESSION_PATH}?${new URLSearchParams({ session }).toString()}`,
    customWebhook(accessToken, secret) {
      customRobots.set(accessToken, { secret });
      return `${base}${CUSTOM_PATH}?${new URLSearchParams({ access_token: accessToken }).toString()}`;
    },
    tokenRequests: () => tokenCalls,
    revokeTokens() {
      tokens.clear();
    },
    answerNext(target, ...answers) {
      scripts.set(target, [...(scripts.get(target) ?? []), ...answers]);
    },
    waitFor(predicate, timeoutMs = 5000) {
      return requestWaits.wait(received, predicate, timeoutMs, () => `a matching request (received: ${received.map((r) => `${r.method} ${r.path}`).join(', ') || 'nothing'})`);
    },
    stream,
    async close() {
      const error = new Error('fake-dingtalk: closed while waiting');
      requestWaits.rejectAll(error);
      frameWaits.rejectAll(error);
      connectionWaits.rejectAll(error);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => {
        wss.close(() => {
          resolve();
        });
      });
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

// ---- small helpers ----

interface Waiter<T> {
  predicate: (item: T) => boolean;
  resolve: (item: T) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Promises for "the first item that matches", looking back at items already seen and forward at new ones. */
function waitlist<T>() {
  const waiters = new Set<Waiter<T>>();
  return {
    offer(item: T): void {
      for (const waiter of waiters) {
        if (!waiter.predicate(item)) continue;
        waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(item);
      }
    },
    wait(seen: readonly T[], predicate: (item: T) => boolean, timeoutMs: number, what: () => string): Promise<T> {
      const already = seen.find(predicate);
      if (already !== undefined) return Promise.resolve(already);
      return new Promise<T>((resolve, reject) => {
        const waiter: Waiter<T> = {
          predicate,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`fake-dingtalk: no ${what()} within ${String(timeoutMs)} ms`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    rejectAll(error: Error): void {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(error);
      }
      waiters.clear();
    },
  };
}

function isReplyTo(frame: unknown, messageId: string): boolean {
  return isObject(frame) && isObject(frame.headers) && frame.headers.messageId === messageId;
}

function isSubscription(value: unknown): value is Subscription {
  return isObject(value) && typeof value.type === 'string' && typeof value.topic === 'string';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString('utf8');
}

/** Ours: DingTalk's errcode for a body that is not JSON is not documented. */
function notJsonOapi(): Reply {
  return { status: 200, body: { errcode: -1, errmsg: 'fake-dingtalk: body is not a JSON object' } };
}

/** Refuses a WebSocket upgrade with a plain HTTP status, as the gateway does for a bad ticket. */
function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${String(status)} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function send(res: ServerResponse, { status, body, contentType }: Reply): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType ?? (typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8') });
  res.end(text);
}

/** The bytes of the multipart part named `field`, when the body is multipart and has one. */
function multipartFile(contentType: string, body: Buffer, field: string): Buffer | undefined {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!contentType.startsWith('multipart/form-data') || boundary === undefined) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next === -1) return undefined;
    const part = body.subarray(at + delimiter.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1 && part.subarray(0, split).toString('utf8').includes(`name="${field}"`)) return part.subarray(split + 4);
    at = next;
  }
  return undefined;
}
