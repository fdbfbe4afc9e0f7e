/**
 * Proves the fake WeCom long-connection server behaves as the protocol says, driven by a bare
 * `ws` client, so tests of the bot built on it prove something about the bot.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFakeWecomWs, type FakeWecomWs } from '../../helpers/fake-wecom-ws.js';

const BOT = 'bot-duban';
const SECRET = 'bot-secret-0001';

interface Frame {
  cmd?: string;
  headers: { req_id: string };
  errcode?: number;
  errmsg?: string;
  body?: Record<string, unknown>;
}

/** A bare client: it sends commands and reads frames in order, answering nothing on its own. */
interface Client {
  socket: WebSocket;
  /** Sends a command and resolves with the server's ack to it. */
  request(cmd: string, body?: object, reqId?: string): Promise<Frame>;
  /** Sends a frame without waiting for anything. */
  send(cmd: string, body?: object, reqId?: string): void;
  /** Resolves with the first frame not yet taken that matches, already received or still to come. */
  next(predicate?: (frame: Frame) => boolean): Promise<Frame>;
  /** Every frame received and not yet taken. */
  inbox: Frame[];
  /** Resolves with the close code once the socket is closed. */
  closed: Promise<number>;
}

describe('the fake WeCom long-connection server', () => {
  let fake: FakeWecomWs | undefined;
  const sockets: WebSocket[] = [];
  let requests = 0;

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await fake?.close();
    fake = undefined;
  });

  async function start(): Promise<FakeWecomWs> {
    fake = await startFakeWecomWs({ bots: { [BOT]: SECRET, 'bot-other': 'other-secret' } });
    return fake;
  }

  async function connect(server: FakeWecomWs): Promise<Client> {
    const socket = new WebSocket(server.url);
    sockets.push(socket);
    const inbox: Frame[] = [];
    const wanted: Array<{ predicate: (frame: Frame) => boolean; resolve: (frame: Frame) => void }> = [];
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as Frame;
      const taker = wanted.findIndex((w) => w.predicate(frame));
      if (taker === -1) inbox.push(frame);
      else wanted.splice(taker, 1)[0]?.resolve(frame);
    });
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    const next = (predicate: (frame: Frame) => boolean = () => true): Promise<Frame> => {
      const index = inbox.findIndex(predicate);
      if (index !== -1) return Promise.resolve(inbox.splice(index, 1)[0]!);
      return new Promise((resolve) => wanted.push({ predicate, resolve }));
    };
    const send = (cmd: string, body?: object, reqId = `${cmd}-${String(++requests)}`): string => {
      socket.send(JSON.stringify({ cmd, headers: { req_id: reqId }, ...(body === undefined ? {} : { body }) }));
      return reqId;
    };
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return {
      socket,
      inbox,
      closed,
      next,
      send(cmd, body, reqId) {
        send(cmd, body, reqId);
      },
      request(cmd, body, reqId) {
        const id = send(cmd, body, reqId);
        return next((frame) => frame.cmd === undefined && frame.headers.req_id === id);
      },
    };
  }

  async function subscribed(server: FakeWecomWs, botId = BOT): Promise<Client> {
    const client = await connect(server);
    expect(await client.request('aibot_subscribe', { bot_id: botId, secret: botId === BOT ? SECRET : 'other-secret' })).toMatchObject({ errcode: 0 });
    return client;
  }

  const isCallback = (frame: Frame): boolean => frame.cmd === 'aibot_msg_callback';

  function groupText(msgid: string, content: string): Record<string, unknown> {
    return { msgid, aibotid: BOT, chatid: 'wrkGroup1', chattype: 'group', from: { userid: 'zhangsan' }, msgtype: 'text', text: { content } };
  }

  it('accepts a subscribe with the right secret, after refusing a frame sent before it with 40014', async () => {
    const server = await start();
    const client = await connect(server);
    expect(await client.request('ping')).toMatchObject({ errcode: 40014 });
    const ack = await client.request('aibot_subscribe', { bot_id: BOT, secret: SECRET }, 'sub-1');
    expect(ack).toEqual({ headers: { req_id: 'sub-1' }, errcode: 0, errmsg: 'ok' });
    expect([server.subscribes(BOT), server.subscribes(), server.live(BOT), server.connections()]).toEqual([1, 1, 1, 1]);
    expect(server.frames.map(({ connection, frame }) => [connection, frame.cmd])).toEqual([[1, 'ping'], [1, 'aibot_subscribe']]);
    expect(server.frames[1]?.frame.body).toEqual({ bot_id: BOT, secret: SECRET });
  });

  it('refuses a wrong secret with 40001 and closes the socket, and refuses the right one while refuseAuth is on', async () => {
    const server = await start();
    const wrong = await connect(server);
    expect(await wrong.request('aibot_subscribe', { bot_id: BOT, secret: 'nope' })).toMatchObject({ errcode: 40001 });
    await wrong.closed;

    server.refuseAuth(true);
    const refused = await connect(server);
    expect(await refused.request('aibot_subscribe', { bot_id: BOT, secret: SECRET })).toMatchObject({ errcode: 40001 });
    await refused.closed;
    expect([server.subscribes(), server.live()]).toEqual([0, 0]);

    server.refuseAuth(false);
    await subscribed(server);
    expect(server.live(BOT)).toBe(1);
  });

  it('closes with 1002 a connection that sends a frame without headers.req_id, and records the frame', async () => {
    const server = await start();
    const client = await connect(server);
    client.socket.send(JSON.stringify({ cmd: 'ping' }));
    expect(await client.closed).toBe(1002);
    expect(server.malformed).toEqual([{ connection: 1, raw: '{"cmd":"ping"}' }]);
  });

  it('acks a ping with errcode 0, and leaves pings unanswered while silentPings is on', async () => {
    const server = await start();
    const client = await subscribed(server);
    expect(await client.request('ping', undefined, 'ping-a')).toEqual({ headers: { req_id: 'ping-a' }, errcode: 0, errmsg: 'ok' });

    server.silentPings(true);
    client.send('ping', undefined, 'ping-silent');
    await server.waitFor(() => server.frames.some(({ frame }) => frame.headers.req_id === 'ping-silent'));
    server.silentPings(false);
    // Acks come back in the order the frames went out, so once this one is in, the silent one's would be too.
    expect(await client.request('ping', undefined, 'ping-b')).toMatchObject({ errcode: 0 });
    expect(client.inbox.filter((frame) => frame.headers.req_id === 'ping-silent')).toEqual([]);
  });

  it('sends the older connection a disconnected_event and closes it when a second one subscribes for the same bot', async () => {
    const server = await start();
    const first = await subscribed(server);
    const second = await subscribed(server);
    const event = await first.next((frame) => frame.cmd === 'aibot_event_callback');
    expect(event.body).toMatchObject({ aibotid: BOT, msgtype: 'event', event: { eventtype: 'disconnected_event' } });
    await first.closed;
    expect([server.subscribes(BOT), server.live(BOT), server.connections()]).toEqual([2, 1, 2]);

    server.kick(BOT);
    expect(await second.next((frame) => frame.cmd === 'aibot_event_callback')).toMatchObject({ body: { event: { eventtype: 'disconnected_event' } } });
    await second.closed;
    expect(server.live(BOT)).toBe(0);
  });

  it('redelivers a callback left unanswered when the socket died mid-reply, same msgid and a new req_id, to the next live connection', async () => {
    const server = await start();
    const first = await subscribed(server);

    const answeredId = await server.deliver(BOT, groupText('msg-1', '@督办助手 进度'));
    expect(await first.next(isCallback)).toMatchObject({ headers: { req_id: answeredId }, body: { msgid: 'msg-1' } });
    const reply = { msgtype: 'stream', stream: { id: 'stream-1', finish: true, content: '已记录' } };
    expect(await first.request('aibot_respond_msg', reply, answeredId)).toMatchObject({ errcode: 0 });

    const lostId = await server.deliver(BOT, groupText('msg-2', '@督办助手 上报 T2 80%'));
    await first.next(isCallback);
    server.closeOnNextRespond();
    first.send('aibot_respond_msg', { msgtype: 'stream', stream: { id: 'stream-2', finish: true, content: '已上报' } }, lostId);
    await first.closed;
    expect(server.responds(lostId)).toMatchObject([{ errcode: undefined }]);

    const second = await subscribed(server);
    const again = await second.next(isCallback);
    expect(again.body).toEqual(groupText('msg-2', '@督办助手 上报 T2 80%'));
    expect(again.headers.req_id).not.toBe(lostId);
    expect(await second.request('aibot_respond_msg', reply, again.headers.req_id)).toMatchObject({ errcode: 0 });

    expect(server.callbacks(BOT).map(({ reqId, redelivered, answered }) => ({ reqId, redelivered, answered }))).toEqual([
      { reqId: answeredId, redelivered: false, answered: true },
      { reqId: lostId, redelivered: false, answered: false },
      { reqId: again.headers.req_id, redelivered: true, answered: true },
    ]);
    expect(server.responds(answeredId)).toEqual([{ connection: 1, reqId: answeredId, body: reply, errcode: 0 }]);
  });

  it('joins uploaded chunks into a media_id whose bytes match, and refuses chunks whose md5 does not', async () => {
    const server = await start();
    const client = await subscribed(server);
    const bytes = Buffer.from('督办 chart bytes, not really a PNG '.repeat(40));
    const md5 = createHash('md5').update(bytes).digest('hex');
    const parts = [bytes.subarray(0, 500), bytes.subarray(500)];

    const init = await client.request('aibot_upload_media_init', { type: 'image', filename: 'chart.png', total_size: bytes.length, total_chunks: 2, md5 });
    const uploadId = String(init.body?.upload_id);
    for (const [index, part] of parts.entries()) {
      expect(await client.request('aibot_upload_media_chunk', { upload_id: uploadId, chunk_index: index, base64_data: part.toString('base64') })).toMatchObject({ errcode: 0 });
    }
    const finish = await client.request('aibot_upload_media_finish', { upload_id: uploadId });
    expect(finish).toMatchObject({ errcode: 0 });
    const mediaId = String(finish.body?.media_id);
    expect(server.media(mediaId)?.equals(bytes)).toBe(true);
    expect(await client.request('aibot_send_msg', { chatid: 'wrkGroup1', msgtype: 'image', image: { media_id: mediaId } })).toMatchObject({ errcode: 0 });

    const bad = await client.request('aibot_upload_media_init', { type: 'image', filename: 'chart.png', total_size: bytes.length, total_chunks: 1, md5: '0'.repeat(32) });
    const badId = String(bad.body?.upload_id);
    await client.request('aibot_upload_media_chunk', { upload_id: badId, chunk_index: 0, base64_data: bytes.toString('base64') });
    expect(await client.request('aibot_upload_media_finish', { upload_id: badId })).toMatchObject({ errcode: 40009 });
  });

  it('acks scripted errcodes on the next pushes in order, then ok, recording each with its errcode', async () => {
    const server = await start();
    const client = await subscribed(server);
    server.failNextSends([45009, -1]);
    const push = { chatid: 'wrkGroup1', chat_type: 2, msgtype: 'markdown', markdown: { content: '**催办** T2' } };
    const codes: Array<number | undefined> = [];
    for (let i = 0; i < 3; i++) codes.push((await client.request('aibot_send_msg', push)).errcode);
    expect(codes).toEqual([45009, -1, 0]);
    expect(server.pushes('wrkGroup1').map((sent) => sent.errcode)).toEqual([45009, -1, 0]);
    expect(server.pushes('wrkGroup1')[2]?.body).toEqual(push);
  });

  it('reports a conversation that got 31 pushes in a minute, and not one that got 30', async () => {
    const server = await start();
    const client = await subscribed(server);
    const markdown = (chatid: string) => ({ chatid, msgtype: 'markdown', markdown: { content: '提醒' } });
    for (let i = 0; i < 30; i++) await client.request('aibot_send_msg', markdown('wrkBusy'));
    for (let i = 0; i < 30; i++) await client.request('aibot_send_msg', markdown('wrkCalm'));
    expect(server.overLimit()).toEqual([]);
    await client.request('aibot_send_msg', markdown('wrkBusy'));
    expect(server.overLimit()).toEqual(['wrkBusy']);
  });

  it('rejects a delivery to a bot with no live connection, and a wait that never holds, naming what it saw', async () => {
    const server = await start();
    await subscribed(server, 'bot-other');
    await expect(server.deliver(BOT, groupText('msg-9', '帮助'), { timeoutMs: 50 })).rejects.toThrow(/no live connection for bot bot-duban .*live bots: bot-other/);
    await expect(server.waitFor(() => false, 50)).rejects.toThrow(/#1 aibot_subscribe/);
  });

  it('acks a subscribe then drops the socket for as many subscribes as dropAfterSubscribe says', async () => {
    const server = await start();
    server.dropAfterSubscribe(1);
    const dropped = await subscribed(server);
    await dropped.closed;
    expect([server.subscribes(BOT), server.live(BOT)]).toEqual([1, 0]);
    await subscribed(server);
    expect([server.subscribes(BOT), server.live(BOT)]).toEqual([2, 1]);
  });
});
