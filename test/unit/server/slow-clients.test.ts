/**
 * Slow and silent clients against the server `duban serve` runs (src/server/listen.ts), over real
 * sockets on 127.0.0.1. The timeouts are shortened so each test waits for the server to close a
 * connection, never for a clock: nothing here measures how long anything took.
 */
import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callbackRoute, createDingtalkCallback } from '../../../src/adapters/dingtalk/callback.js';
import type { DingtalkInbound } from '../../../src/adapters/dingtalk/inbound.js';
import { createLogger } from '../../../src/core/logger.js';
import { createApp } from '../../../src/server/app.js';
import { listen, type ServerLimits } from '../../../src/server/listen.js';
import { callbackHeaders, robotMessage } from '../../helpers/dingtalk-client.js';

const SECRET = 'slow-clients-app-secret';
/** Longer than any of these tests: where a test is about places, not timeouts. */
const NEVER = 10 * 60_000;

const servers: Server[] = [];
const clients: Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((done) => {
    s.closeAllConnections();
    s.close(() => { done(); });
  })));
});

/** The bot's app with DingTalk on, whose taking in of a message waits for `taken` when given. */
async function serve(limits: Partial<ServerLimits>, options: { bodyTimeoutMs?: number; taken?: Promise<void>; received?: () => void } = {}): Promise<{ server: Server; port: number }> {
  const inbound: DingtalkInbound = {
    async receive() {
      options.received?.();
      await options.taken;
    },
    receiveAcknowledged: () => Promise.resolve(),
    drain: () => Promise.resolve(),
  };
  const app = createApp({ log: createLogger('silent'), redisUp: () => Promise.resolve(true), routes: [callbackRoute(createDingtalkCallback({ appSecret: SECRET, inbound }))], bodyTimeoutMs: options.bodyTimeoutMs });
  const server = await listen(app, { port: 0, host: '127.0.0.1', log: createLogger('silent'), limits });
  servers.push(server);
  return { server, port: (server.address() as AddressInfo).port };
}

interface RawClient {
  socket: Socket;
  /** Everything the server sent, once it has closed the connection. */
  closed: Promise<string>;
  isClosed(): boolean;
}

/** A client that sends `sent` and then nothing more. */
async function rawClient(port: number, sent: string): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  clients.push(socket);
  let got = '';
  let over = false;
  socket.on('data', (chunk: Buffer) => (got += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  const closed = new Promise<string>((done) => socket.once('close', () => {
    over = true;
    done(got);
  }));
  await new Promise<void>((ready) => socket.once('connect', ready));
  if (sent !== '') socket.write(sent);
  return { socket, closed, isClosed: () => over };
}

/** Headers announcing a 60 KB callback body, and its first few bytes. */
const slowCallback = (path = '/dingtalk/callback'): string =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${String(60 * 1024)}\r\n\r\n{"msgId":`;

/** Resolves once the server has read the headers of `n` more requests. */
function requestsRead(server: Server, n: number): Promise<void> {
  return new Promise((done) => {
    let seen = 0;
    const onRequest = (): void => {
      seen += 1;
      if (seen < n) return;
      server.off('request', onRequest);
      done();
    };
    server.on('request', onRequest);
  });
}

async function signedCallback(port: number, msgId: string): Promise<{ status: number; body: string }> {
  const message = robotMessage({ msgId, content: '任务', conversationType: '2', senderStaffId: '1665000001', senderNick: '钱联络', sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=s' });
  const res = await fetch(`http://127.0.0.1:${String(port)}/dingtalk/callback`, { method: 'POST', headers: callbackHeaders(SECRET), body: JSON.stringify(message) });
  return { status: res.status, body: await res.text() };
}

describe('a client that sends its request slowly or not at all', () => {
  it('is answered 408 and disconnected when it announces a 60 KB callback body and sends a few bytes', async () => {
    const { port } = await serve({}, { bodyTimeoutMs: 50 });
    const slow = await rawClient(port, slowCallback());

    expect(await slow.closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('is answered 413 and disconnected when a body without a length runs past 64 KB', async () => {
    const { port } = await serve({});
    const chunk = 'x'.repeat(16 * 1024);
    const chunked = `POST /dingtalk/callback HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n${`${(16 * 1024).toString(16)}\r\n${chunk}\r\n`.repeat(5)}`;
    const huge = await rawClient(port, chunked);

    expect(await huge.closed).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('is disconnected when it sends a slow body to a route that never reads it', async () => {
    const { port } = await serve({ headersTimeoutMs: 100, requestTimeoutMs: 200, checkEveryMs: 20 });
    const slow = await rawClient(port, slowCallback('/nothing'));

    // Answered 404 at once; the body it still owes is not waited for past the request timeout.
    expect(await slow.closed).toMatch(/^HTTP\/1\.1 404 /);
  });

  it('is disconnected when it opens a connection and says nothing', async () => {
    const { port } = await serve({ headersTimeoutMs: 100, requestTimeoutMs: 200, checkEveryMs: 20 });
    const silent = await rawClient(port, '');

    await silent.closed;
    expect(silent.isClosed()).toBe(true);
  });

  it('is disconnected when it stops in the middle of its headers', async () => {
    const { port } = await serve({ headersTimeoutMs: 100, requestTimeoutMs: 200, checkEveryMs: 20 });
    const halfway = await rawClient(port, 'POST /dingtalk/callback HTTP/1.1\r\nHost: 127.0.0.1\r\n');

    expect(await halfway.closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('is disconnected when it keeps its connection open after the answer', async () => {
    const { port } = await serve({ keepAliveTimeoutMs: 50 });
    const idle = await rawClient(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');

    expect(await idle.closed).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe('more slow clients than the server has places for', () => {
  const PLACES = 8;
  const places: Partial<ServerLimits> = { openConnections: PLACES, maxConnections: PLACES + 4, headersTimeoutMs: NEVER, requestTimeoutMs: NEVER, idleTimeoutMs: NEVER };

  it('do not keep a signed callback from its answer: the one waiting longest is cut to make room', async () => {
    const { server, port } = await serve(places, { bodyTimeoutMs: NEVER });
    const slow: RawClient[] = [];
    for (let i = 0; i < PLACES; i++) {
      const read = requestsRead(server, 1);
      slow.push(await rawClient(port, slowCallback()));
      await read;
    }

    expect(await signedCallback(port, 'real-1')).toEqual({ status: 200, body: '{"msgtype":"empty"}' });
    await slow[0]?.closed;
    expect(slow.map((c) => c.isClosed())).toEqual([true, ...Array<boolean>(PLACES - 1).fill(false)]);
  });

  it('keep being cut, the longest waiting first, as long as they keep coming', async () => {
    const { server, port } = await serve(places, { bodyTimeoutMs: NEVER });
    const slow: RawClient[] = [];
    for (let i = 0; i < 3 * PLACES; i++) {
      const read = requestsRead(server, 1);
      slow.push(await rawClient(port, slowCallback()));
      await read;
    }
    await Promise.all(slow.slice(0, 2 * PLACES).map((c) => c.closed));

    expect(slow.map((c) => c.isClosed())).toEqual([...Array<boolean>(2 * PLACES).fill(true), ...Array<boolean>(PLACES).fill(false)]);
    expect(await signedCallback(port, 'real-2')).toEqual({ status: 200, body: '{"msgtype":"empty"}' });
  });

  it('never cut a request being answered: while every place is one, a newcomer is refused', async () => {
    let open = (): void => undefined;
    const taken = new Promise<void>((done) => (open = done));
    let received = 0;
    let allReceived = (): void => undefined;
    const full = new Promise<void>((done) => (allReceived = done));
    const { port } = await serve(places, {
      taken,
      received: () => {
        received += 1;
        if (received === PLACES) allReceived();
      },
    });
    const answers = Array.from({ length: PLACES }, (_, i) => signedCallback(port, `busy-${String(i)}`));
    await full;
    const newcomer = await rawClient(port, slowCallback());

    expect(await newcomer.closed).toBe('');
    open();
    expect((await Promise.all(answers)).map((a) => a.status)).toEqual(Array<number>(PLACES).fill(200));
  });
});
