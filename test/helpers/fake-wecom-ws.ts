/**
 * A fake of WeCom's 智能机器人 long connection (WebSocket, page 101463) on 127.0.0.1 for tests:
 * subscribe with BotID + Secret, ping, message and event callbacks, replies to callbacks
 * (`aibot_respond_msg`), pushes (`aibot_send_msg`) and chunked media upload. It records every frame
 * each connection sends, keeps one live connection per bot (a newer subscribe kicks the older with
 * `disconnected_event`), redelivers callbacks a closed connection left unanswered, and counts
 * messages per conversation against WeCom's 30 a minute and 1000 an hour. Switches make it fail the
 * ways a real server does: refused auth, silent pings, dying mid-reply, dropping after subscribe,
 * refusing sends; and `sendRaw` writes any frame at all to a bot's connection, for a server that
 * breaks the protocol, with `closes` saying how each connection ended.
 *
 * Written from the protocol as the project notes it, not from any SDK. WeCom documents few error
 * codes for this channel: every errmsg the fake makes up starts with `fake-wecom-ws:` so no test
 * mistakes it for WeCom's, and the codes marked "ours" below are borrowed from WeCom's global table
 * for the nearest meaning. Rate limits are recorded (`overLimit()`), not enforced: a test scripts
 * WeCom's refusal with `failNextSends` when it wants one.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import { jsonOrUndefined } from './json.js';

export interface FakeWecomWsOptions {
  /** BotID → Secret of every bot the fake accepts. */
  bots: Record<string, string>;
  /** The errcode a refused subscribe is acked with; 40001 (invalid credential) unless told. */
  authFailureCode?: number;
}

/** A frame as a client sends it: a command with its request id, and a body when the command takes one. */
export interface WecomWsFrame {
  cmd?: string;
  headers: { req_id: string };
  body?: unknown;
}

export interface ReceivedFrame {
  /** The connection that sent it, numbered from 1 in the order they were opened. */
  connection: number;
  frame: WecomWsFrame;
}

/** A frame the fake could not read (not JSON text, or no headers.req_id); it closed the connection with 1002. */
export interface MalformedFrame {
  connection: number;
  raw: string;
}

/** A connection that closed, with the code and reason of the close frame (1005 when it had none, 1006 when there was no close frame). */
export interface ClosedConnection {
  connection: number;
  code: number;
  reason: string;
}

const mediaRef = z.looseObject({ media_id: z.string().min(1) });
const imageMessage = z.looseObject({ msgtype: z.literal('image'), image: mediaRef });
const streamMessage = z.looseObject({
  msgtype: z.literal('stream'),
  stream: z.looseObject({ id: z.string().min(1), finish: z.boolean().optional(), content: z.string().optional() }),
});
const replyBody = z.discriminatedUnion('msgtype', [streamMessage, imageMessage]);
const pushTarget = { chatid: z.string().min(1), chat_type: z.number().int().optional() };
const pushBody = z.discriminatedUnion('msgtype', [
  z.looseObject({ ...pushTarget, msgtype: z.literal('markdown'), markdown: z.looseObject({ content: z.string().min(1) }) }),
  z.looseObject({ ...pushTarget, msgtype: z.literal('image'), image: mediaRef }),
]);

/** The body of an `aibot_respond_msg`: a stream (sent again with the same id to update it) or an image. */
export type ReplyBody = z.infer<typeof replyBody>;
/** The body of an `aibot_send_msg`: markdown or an image, to a chatid (a group's, or a user's for a single chat). */
export type PushBody = z.infer<typeof pushBody>;

export interface SentMessage<Body> {
  connection: number;
  /** A reply's is the req_id of the callback it answers; a push's is the sender's own. */
  reqId: string;
  body: Body;
  /** What the fake acked it with; undefined when it closed the socket instead (`closeOnNextRespond`). */
  errcode: number | undefined;
}

export interface DeliveredCallback {
  connection: number;
  botId: string;
  reqId: string;
  body: Record<string, unknown>;
  /** True for a redelivery of a callback a closed connection left unanswered. */
  redelivered: boolean;
  /** A reply to it was acked with errcode 0. */
  answered: boolean;
}

export interface FakeWecomWs {
  /** e.g. `ws://127.0.0.1:40123`; any path is accepted. */
  url: string;
  /** Everything each connection sent, parsed, in arrival order. */
  frames: readonly ReceivedFrame[];
  malformed: readonly MalformedFrame[];
  /** Every connection that closed so far, in the order they closed, whichever side closed it. */
  closes: readonly ClosedConnection[];
  /** Successful subscribes so far, for one bot or all. */
  subscribes(botId?: string): number;
  /** Connections opened so far. */
  connections(): number;
  /** Live connections now (a bot has at most one), for one bot or all. */
  live(botId?: string): number;
  /**
   * Sends an `aibot_msg_callback` with this body to the bot's live connection, waiting up to
   * timeoutMs (5 s) for one; resolves with the req_id it used (a fresh one unless given).
   */
  deliver(botId: string, body: Record<string, unknown>, options?: { reqId?: string; timeoutMs?: number }): Promise<string>;
  /**
   * Writes `data` verbatim to the bot's live connection, as a server that breaks the protocol
   * would: a string as a text frame and a Buffer as a binary one, unless `binary` says otherwise (a
   * Buffer sent as text may hold bytes that are not UTF-8). It is not recorded as a callback, so a
   * closed connection leaves nothing of it to redeliver. Waits up to timeoutMs (5 s) for a live
   * connection, and resolves once the frame is written.
   */
  sendRaw(botId: string, data: string | Buffer, options?: { binary?: boolean; timeoutMs?: number }): Promise<void>;
  /** Every callback sent so far, redeliveries included, in order. */
  callbacks(botId?: string): DeliveredCallback[];
  /** The `aibot_respond_msg` frames whose body the fake could read, for one callback req_id or all. */
  responds(reqId?: string): Array<SentMessage<ReplyBody>>;
  /** The `aibot_send_msg` frames whose body the fake could read, for one chatid or all. */
  pushes(chatid?: string): Array<SentMessage<PushBody>>;
  /** The bytes of an uploaded file. */
  media(mediaId: string): Buffer | undefined;
  /** Conversations that got more than 30 messages in a minute or 1000 in an hour, replies and pushes together. */
  overLimit(): string[];
  /** While on, every subscribe is acked with authFailureCode and its socket closed. */
  refuseAuth(on: boolean): void;
  /** Holds every subscribe unanswered until the returned function is called, which answers them in order. */
  holdSubscribes(): () => void;
  /** While on, pings are recorded but not acked. */
  silentPings(on: boolean): void;
  /** The next `aibot_respond_msg` drops the socket instead of being acked, as a server dying mid-reply would. */
  closeOnNextRespond(): void;
  /** The next `times` successful subscribes are acked, then their socket dropped at once. */
  dropAfterSubscribe(times: number): void;
  /** The next `aibot_send_msg` frames the fake can read are acked with these errcodes, in order (0 sends normally). */
  failNextSends(codes: number[]): void;
  /** As if another connection took the bot: `disconnected_event` to its live connection, then a close. */
  kick(botId: string): void;
  /** Resolves once the predicate holds, polling; rejects after timeoutMs (5 s) with the state of the fake. */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Terminates every socket and the server; pending waits are rejected. */
  close(): Promise<void>;
}

const OK = { errcode: 0, errmsg: 'ok' };
/** Ours: the code a frame other than subscribe gets on a connection that is not (or no longer) live. */
const NOT_SUBSCRIBED = { errcode: 40014, errmsg: 'fake-wecom-ws: subscribe first (or this connection was replaced)' };
/** Ours: a msgtype the command does not take (WeCom's global 40008, invalid message type). */
const BAD_MSGTYPE = 40008;
/** Ours: a media_id this bot did not upload, or not an image (WeCom's global 40007, invalid media_id). */
const BAD_MEDIA = 40007;
/** Upload chunks that do not add up to what init announced. */
const BAD_UPLOAD = 40009;
/** Ours: a body the command cannot read, or an unknown command (WeCom's global 40058, invalid parameter). */
const BAD_PARAMETER = 40058;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const PER_MINUTE = 30;
const PER_HOUR = 1000;
const POLL_MS = 10;
/** RFC 6455 code for a protocol error, for frames the fake cannot read. */
const PROTOCOL_ERROR = 1002;

const MEDIA_TYPES = ['file', 'image', 'voice', 'video'] as const;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const frameSchema = z.looseObject({
  cmd: z.string().optional(),
  headers: z.looseObject({ req_id: z.string().min(1) }),
  body: z.unknown().optional(),
});
const subscribeBody = z.looseObject({ bot_id: z.string().min(1), secret: z.string() });
const uploadInitBody = z.looseObject({
  type: z.enum(MEDIA_TYPES),
  filename: z.string().min(1),
  total_size: z.number().int().positive(),
  total_chunks: z.number().int().positive(),
  md5: z.string().regex(/^[0-9a-f]{32}$/i),
});
const uploadChunkBody = z.looseObject({
  upload_id: z.string().min(1),
  chunk_index: z.number().int().nonnegative(),
  base64_data: z.string().refine((text) => text.length % 4 === 0 && BASE64.test(text), 'not standard base64'),
});
const uploadFinishBody = z.looseObject({ upload_id: z.string().min(1) });

interface Answer {
  errcode: number;
  errmsg: string;
}

interface Callback extends DeliveredCallback {
  /** Who the reply is counted against: the group's chatid, or the sender's userid in a single chat. */
  conversation: string;
  /** Stream ids already counted: updating a stream does not send another message. */
  streams: Set<string>;
}

interface Connection {
  id: number;
  socket: WebSocket;
  /** Set by its one successful subscribe, and kept after it stops being live so its callbacks can be redelivered. */
  botId?: string;
  live: boolean;
  callbacks: Map<string, Callback>;
}

interface Upload {
  botId: string;
  type: (typeof MEDIA_TYPES)[number];
  totalSize: number;
  totalChunks: number;
  md5: string;
  chunks: Map<number, Buffer>;
}

interface Media {
  botId: string;
  type: (typeof MEDIA_TYPES)[number];
  bytes: Buffer;
}

interface Poll {
  ready: () => boolean;
  resolve: () => void;
  reject: (error: Error) => void;
  deadline: number;
  timeout: () => string;
}

export async function startFakeWecomWs({ bots, authFailureCode = 40001 }: FakeWecomWsOptions): Promise<FakeWecomWs> {
  const frames: ReceivedFrame[] = [];
  const malformed: MalformedFrame[] = [];
  const closes: ClosedConnection[] = [];
  const opened: Connection[] = [];
  const liveByBot = new Map<string, Connection>();
  const subscribeCounts = new Map<string, number>();
  const callbacks: Callback[] = [];
  /** Bodies of callbacks left unanswered by a closed connection, waiting for the bot's next live one. */
  const redeliveries = new Map<string, Array<Record<string, unknown>>>();
  const replies: Array<SentMessage<ReplyBody>> = [];
  const pushed: Array<SentMessage<PushBody>> = [];
  const uploads = new Map<string, Upload>();
  const stored = new Map<string, Media>();
  /** When each conversation's messages of the last hour were sent. */
  const sentAt = new Map<string, number[]>();
  const over = new Set<string>();
  const polls = new Set<Poll>();
  let ticker: NodeJS.Timeout | undefined;
  let closed = false;
  let serial = 0;

  let refusing = false;

  /** Subscribes waiting for `holdSubscribes`' release, while it holds them. */

  let heldSubscribes: Array<() => void> | undefined;
  let silent = false;
  let dieOnRespond = false;
  let dropsLeft = 0;
  const sendFailures: number[] = [];

  const fresh = (kind: string): string => `${kind}-${String(++serial)}-${randomUUID()}`;

  function send(connection: Connection, frame: object, sent?: () => void): void {
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    connection.socket.send(JSON.stringify(frame), () => sent?.());
  }

  function ack(connection: Connection, reqId: string, answer: Answer, body?: object): void {
    send(connection, { headers: { req_id: reqId }, ...answer, ...(body === undefined ? {} : { body }) });
  }

  function invalid(errmsg: string, errcode = BAD_PARAMETER): Answer {
    return { errcode, errmsg: `fake-wecom-ws: ${errmsg}` };
  }

  function count(conversation: string): void {
    const now = Date.now();
    const times = (sentAt.get(conversation) ?? []).filter((at) => now - at < HOUR_MS);
    times.push(now);
    sentAt.set(conversation, times);
    const lastMinute = times.filter((at) => now - at < MINUTE_MS).length;
    if (lastMinute > PER_MINUTE || times.length > PER_HOUR) over.add(conversation);
  }

  function sendCallback(connection: Connection, botId: string, body: Record<string, unknown>, reqId: string, redelivered: boolean): void {
    const callback: Callback = { connection: connection.id, botId, reqId, body, redelivered, answered: false, conversation: conversationOf(body), streams: new Set() };
    callbacks.push(callback);
    connection.callbacks.set(reqId, callback);
    send(connection, { cmd: 'aibot_msg_callback', headers: { req_id: reqId }, body });
  }

  function flushRedeliveries(botId: string): void {
    const target = liveByBot.get(botId);
    const waiting = redeliveries.get(botId);
    if (target === undefined || waiting === undefined) return;
    redeliveries.delete(botId);
    // WeCom keeps the message (same msgid) but the req_id belonged to the dead connection.
    for (const body of waiting) sendCallback(target, botId, body, fresh('callback'), true);
  }

  function endLife(connection: Connection): void {
    connection.live = false;
    if (connection.botId !== undefined && liveByBot.get(connection.botId) === connection) liveByBot.delete(connection.botId);
  }

  function disconnect(connection: Connection, botId: string): void {
    endLife(connection);
    send(connection, {
      cmd: 'aibot_event_callback',
      headers: { req_id: fresh('event') },
      // WeCom does not say who the sender of a system event is; an empty userid keeps the shape.
      body: { msgid: fresh('event'), create_time: Math.floor(Date.now() / 1000), aibotid: botId, from: { userid: '' }, msgtype: 'event', event: { eventtype: 'disconnected_event' } },
    });
    connection.socket.close(1000, 'fake-wecom-ws: another connection took the bot');
  }

  function subscribe(connection: Connection, reqId: string, body: unknown): void {
    const parsed = subscribeBody.safeParse(body);
    if (!parsed.success) {
      ack(connection, reqId, invalid('aibot_subscribe takes {bot_id, secret}'));
      return;
    }
    const { bot_id: botId, secret } = parsed.data;
    if (connection.botId !== undefined) {
      // A connection serves the one bot it first subscribed for; saying so again changes nothing.
      ack(connection, reqId, connection.live && connection.botId === botId ? OK : invalid(`this connection already subscribed for ${connection.botId}`));
      return;
    }
    const expected = Object.hasOwn(bots, botId) ? bots[botId] : undefined;
    if (refusing || expected !== secret) {
      ack(connection, reqId, { errcode: authFailureCode, errmsg: 'fake-wecom-ws: invalid bot_id or secret' });
      // ws sends the close frame after the ack, so the client reads the refusal first.
      connection.socket.close(1000, 'fake-wecom-ws: subscribe refused');
      return;
    }
    connection.botId = botId;
    connection.live = true;
    subscribeCounts.set(botId, (subscribeCounts.get(botId) ?? 0) + 1);
    const previous = liveByBot.get(botId);
    liveByBot.set(botId, connection);
    if (dropsLeft > 0) {
      dropsLeft--;
      endLife(connection);
      // Dropped only once the ack is written, so the client sees a subscribe that succeeded and then died.
      send(connection, { headers: { req_id: reqId }, ...OK }, () => {
        connection.socket.terminate();
      });
    } else {
      ack(connection, reqId, OK);
    }
    if (previous !== undefined) disconnect(previous, botId);
    flushRedeliveries(botId);
  }

  function respond(connection: Connection, frame: WecomWsFrame): void {
    const reqId = frame.headers.req_id;
    const parsed = replyBody.safeParse(frame.body);
    if (dieOnRespond) {
      dieOnRespond = false;
      if (parsed.success) replies.push({ connection: connection.id, reqId, body: parsed.data, errcode: undefined });
      connection.socket.terminate();
      return;
    }
    if (!parsed.success) {
      ack(connection, reqId, badBody(frame.body, ['stream', 'image'], 'aibot_respond_msg'));
      return;
    }
    const body = parsed.data;
    const callback = connection.callbacks.get(reqId);
    const answer =
      callback === undefined
        ? invalid(`no callback with req_id ${reqId} on this connection`)
        : body.msgtype === 'image'
          ? mediaProblem(connection, body.image.media_id) ?? OK
          : OK;
    replies.push({ connection: connection.id, reqId, body, errcode: answer.errcode });
    if (callback !== undefined && answer.errcode === 0) {
      callback.answered = true;
      const repeat = body.msgtype === 'stream' && callback.streams.has(body.stream.id);
      if (body.msgtype === 'stream') callback.streams.add(body.stream.id);
      if (!repeat) count(callback.conversation);
    }
    ack(connection, reqId, answer);
  }

  function push(connection: Connection, frame: WecomWsFrame): void {
    const reqId = frame.headers.req_id;
    const parsed = pushBody.safeParse(frame.body);
    if (!parsed.success) {
      ack(connection, reqId, badBody(frame.body, ['markdown', 'image'], 'aibot_send_msg'));
      return;
    }
    const body = parsed.data;
    const scripted = sendFailures.shift();
    const answer =
      scripted !== undefined && scripted !== 0
        ? invalid(`scripted failure ${String(scripted)}`, scripted)
        : body.msgtype === 'image'
          ? mediaProblem(connection, body.image.media_id) ?? OK
          : OK;
    pushed.push({ connection: connection.id, reqId, body, errcode: answer.errcode });
    if (answer.errcode === 0) count(body.chatid);
    ack(connection, reqId, answer);
  }

  function mediaProblem(connection: Connection, mediaId: string): Answer | undefined {
    const media = stored.get(mediaId);
    if (media === undefined || media.botId !== connection.botId) return invalid(`no media ${mediaId} uploaded by this bot`, BAD_MEDIA);
    if (media.type !== 'image') return invalid(`media ${mediaId} is a ${media.type}, not an image`, BAD_MEDIA);
    return undefined;
  }

  function uploadInit(connection: Connection, reqId: string, body: unknown, botId: string): void {
    const parsed = uploadInitBody.safeParse(body);
    if (!parsed.success) {
      ack(connection, reqId, invalid('aibot_upload_media_init takes {type, filename, total_size, total_chunks, md5}'));
      return;
    }
    const { type, total_size: totalSize, total_chunks: totalChunks, md5 } = parsed.data;
    const uploadId = fresh('upload');
    uploads.set(uploadId, { botId, type, totalSize, totalChunks, md5: md5.toLowerCase(), chunks: new Map() });
    ack(connection, reqId, OK, { upload_id: uploadId });
  }

  function uploadChunk(connection: Connection, reqId: string, body: unknown, botId: string): void {
    const parsed = uploadChunkBody.safeParse(body);
    if (!parsed.success) {
      ack(connection, reqId, invalid('aibot_upload_media_chunk takes {upload_id, chunk_index, base64_data}'));
      return;
    }
    const { upload_id: uploadId, chunk_index: index, base64_data: data } = parsed.data;
    const upload = uploads.get(uploadId);
    if (upload === undefined || upload.botId !== botId) {
      ack(connection, reqId, invalid(`no upload ${uploadId} for this bot`));
      return;
    }
    if (index >= upload.totalChunks) {
      ack(connection, reqId, invalid(`chunk_index ${String(index)} is not below total_chunks ${String(upload.totalChunks)}`, BAD_UPLOAD));
      return;
    }
    upload.chunks.set(index, Buffer.from(data, 'base64'));
    ack(connection, reqId, OK);
  }

  function uploadFinish(connection: Connection, reqId: string, body: unknown, botId: string): void {
    const parsed = uploadFinishBody.safeParse(body);
    if (!parsed.success) {
      ack(connection, reqId, invalid('aibot_upload_media_finish takes {upload_id}'));
      return;
    }
    const uploadId = parsed.data.upload_id;
    const upload = uploads.get(uploadId);
    if (upload === undefined || upload.botId !== botId) {
      ack(connection, reqId, invalid(`no upload ${uploadId} for this bot`));
      return;
    }
    // A finished upload is spent, whether it succeeded or not.
    uploads.delete(uploadId);
    const chunks: Buffer[] = [];
    for (let index = 0; index < upload.totalChunks; index++) {
      const chunk = upload.chunks.get(index);
      if (chunk === undefined) {
        ack(connection, reqId, invalid(`chunk ${String(index)} of ${String(upload.totalChunks)} never arrived`, BAD_UPLOAD));
        return;
      }
      chunks.push(chunk);
    }
    const bytes = Buffer.concat(chunks);
    const md5 = createHash('md5').update(bytes).digest('hex');
    if (bytes.length !== upload.totalSize || md5 !== upload.md5) {
      ack(connection, reqId, invalid(`the chunks join to ${String(bytes.length)} bytes with md5 ${md5}, not the announced ${String(upload.totalSize)} and ${upload.md5}`, BAD_UPLOAD));
      return;
    }
    const mediaId = fresh('media');
    stored.set(mediaId, { botId, type: upload.type, bytes });
    ack(connection, reqId, OK, { media_id: mediaId });
  }

  function onFrame(connection: Connection, data: RawData, isBinary: boolean): void {
    const raw = rawText(data);
    const parsed = isBinary ? undefined : frameSchema.safeParse(jsonOrUndefined(raw));
    if (parsed === undefined || !parsed.success) {
      malformed.push({ connection: connection.id, raw });
      connection.socket.close(PROTOCOL_ERROR, 'fake-wecom-ws: frames are JSON text with headers.req_id');
      return;
    }
    const frame: WecomWsFrame = parsed.data;
    frames.push({ connection: connection.id, frame });
    const reqId = frame.headers.req_id;
    if (frame.cmd === 'aibot_subscribe') {
      if (heldSubscribes) heldSubscribes.push(() => { subscribe(connection, reqId, frame.body); });
      else subscribe(connection, reqId, frame.body);
      return;
    }
    const botId = connection.botId;
    if (!connection.live || botId === undefined) {
      ack(connection, reqId, NOT_SUBSCRIBED);
      return;
    }
    switch (frame.cmd) {
      case 'ping':
        if (!silent) ack(connection, reqId, OK);
        return;
      case 'aibot_respond_msg':
        respond(connection, frame);
        return;
      case 'aibot_send_msg':
        push(connection, frame);
        return;
      case 'aibot_upload_media_init':
        uploadInit(connection, reqId, frame.body, botId);
        return;
      case 'aibot_upload_media_chunk':
        uploadChunk(connection, reqId, frame.body, botId);
        return;
      case 'aibot_upload_media_finish':
        uploadFinish(connection, reqId, frame.body, botId);
        return;
      default:
        ack(connection, reqId, invalid(`unknown cmd ${frame.cmd ?? '(none)'}`));
    }
  }

  function onClose(connection: Connection): void {
    endLife(connection);
    const botId = connection.botId;
    if (botId === undefined) return;
    const unanswered = [...connection.callbacks.values()].filter((callback) => !callback.answered);
    if (unanswered.length === 0) return;
    redeliveries.set(botId, [...(redeliveries.get(botId) ?? []), ...unanswered.map((callback) => callback.body)]);
    flushRedeliveries(botId);
  }

  function tick(): void {
    for (const poll of polls) {
      let ready: boolean;
      try {
        ready = poll.ready();
      } catch (error) {
        polls.delete(poll);
        poll.reject(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (ready) {
        polls.delete(poll);
        poll.resolve();
      } else if (Date.now() >= poll.deadline) {
        polls.delete(poll);
        poll.reject(new Error(`fake-wecom-ws: ${poll.timeout()}`));
      }
    }
    if (polls.size === 0 && ticker !== undefined) {
      clearInterval(ticker);
      ticker = undefined;
    }
  }

  function until(ready: () => boolean, timeoutMs: number, timeout: () => string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (closed) throw new Error('fake-wecom-ws: closed');
      if (ready()) {
        resolve();
        return;
      }
      polls.add({ ready, resolve, reject, deadline: Date.now() + timeoutMs, timeout });
      ticker ??= setInterval(tick, POLL_MS);
    });
  }

  /** What the fake has seen, for timeout messages. */
  function state(): string {
    const live = [...liveByBot.keys()].join(', ') || 'none';
    const recent = frames.slice(-8).map(({ connection, frame }) => `#${String(connection)} ${frame.cmd ?? '(ack)'}`).join(', ') || 'none';
    return `connections opened: ${String(opened.length)}; live bots: ${live}; last frames: ${recent}`;
  }

  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once('error', reject);
    wss.once('listening', resolve);
  });
  const { port } = wss.address() as AddressInfo;
  wss.on('connection', (socket) => {
    const connection: Connection = { id: opened.length + 1, socket, live: false, callbacks: new Map() };
    opened.push(connection);
    socket.on('message', (data, isBinary) => {
      onFrame(connection, data, isBinary);
    });
    socket.on('close', (code, reason) => {
      closes.push({ connection: connection.id, code, reason: reason.toString('utf8') });
      onClose(connection);
    });
    socket.on('error', () => undefined);
  });

  return {
    url: `ws://127.0.0.1:${String(port)}`,
    frames,
    malformed,
    closes,
    subscribes: (botId) => (botId === undefined ? [...subscribeCounts.values()].reduce((sum, n) => sum + n, 0) : subscribeCounts.get(botId) ?? 0),
    connections: () => opened.length,
    live: (botId) => (botId === undefined ? liveByBot.size : liveByBot.has(botId) ? 1 : 0),
    async deliver(botId, body, { reqId, timeoutMs = 5000 } = {}) {
      await until(() => liveByBot.has(botId), timeoutMs, () => `no live connection for bot ${botId} within ${String(timeoutMs)} ms (${state()})`);
      const target = liveByBot.get(botId);
      if (target === undefined) throw new Error(`fake-wecom-ws: bot ${botId} lost its connection`);
      const used = reqId ?? fresh('callback');
      sendCallback(target, botId, body, used, false);
      return used;
    },
    async sendRaw(botId, data, { binary = typeof data !== 'string', timeoutMs = 5000 } = {}) {
      await until(() => liveByBot.has(botId), timeoutMs, () => `no live connection for bot ${botId} within ${String(timeoutMs)} ms (${state()})`);
      const target = liveByBot.get(botId);
      if (target === undefined) throw new Error(`fake-wecom-ws: bot ${botId} lost its connection`);
      await new Promise<void>((resolve, reject) => {
        target.socket.send(data, { binary }, (error) => {
          if (error) reject(error);
          else resolve();
        });
      });
    },
    callbacks: (botId) =>
      callbacks
        .filter((callback) => botId === undefined || callback.botId === botId)
        .map(({ connection, botId: bot, reqId, body, redelivered, answered }) => ({ connection, botId: bot, reqId, body, redelivered, answered })),
    responds: (reqId) => replies.filter((reply) => reqId === undefined || reply.reqId === reqId),
    pushes: (chatid) => pushed.filter((message) => chatid === undefined || message.body.chatid === chatid),
    media: (mediaId) => stored.get(mediaId)?.bytes,
    overLimit: () => [...over],
    holdSubscribes() {
      const held: Array<() => void> = [];
      heldSubscribes = held;
      return () => {
        if (heldSubscribes === held) heldSubscribes = undefined;
        for (const answer of held.splice(0)) answer();
      };
    },

    refuseAuth(on) {
      refusing = on;
    },
    silentPings(on) {
      silent = on;
    },
    closeOnNextRespond() {
      dieOnRespond = true;
    },
    dropAfterSubscribe(times) {
      dropsLeft = times;
    },
    failNextSends(codes) {
      sendFailures.push(...codes);
    },
    kick(botId) {
      const connection = liveByBot.get(botId);
      if (connection === undefined) throw new Error(`fake-wecom-ws: bot ${botId} has no live connection to kick`);
      disconnect(connection, botId);
    },
    waitFor(predicate, timeoutMs = 5000) {
      return until(predicate, timeoutMs, () => `the condition did not hold within ${String(timeoutMs)} ms (${state()})`);
    },
    async close() {
      closed = true;
      if (ticker !== undefined) clearInterval(ticker);
      ticker = undefined;
      for (const poll of polls) poll.reject(new Error('fake-wecom-ws: closed while waiting'));
      polls.clear();
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve, reject) => {
        wss.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      });
    },
  };
}

/** Tells a msgtype the command does not take (40008) from a body it cannot read (40058). */
function badBody(body: unknown, msgtypes: readonly string[], cmd: string): Answer {
  const msgtype = isObject(body) ? body.msgtype : undefined;
  if (typeof msgtype !== 'string' || !msgtypes.includes(msgtype)) {
    return { errcode: BAD_MSGTYPE, errmsg: `fake-wecom-ws: ${cmd} takes msgtype ${msgtypes.join(' or ')}` };
  }
  return { errcode: BAD_PARAMETER, errmsg: `fake-wecom-ws: ${cmd} body is not a valid ${msgtype} message` };
}

/** A group's chatid, or in a single chat (no chatid) the sender's userid. */
function conversationOf(body: Record<string, unknown>): string {
  if (typeof body.chatid === 'string') return body.chatid;
  const from = body.from;
  return isObject(from) && typeof from.userid === 'string' ? from.userid : '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString('utf8');
}
