/** The Stream client against gateways that misbehave: silent sockets and endpoints elsewhere. */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createStreamClient, gatewayEndpoint } from '../../src/adapters/dingtalk/stream.js';
import { createLogger } from '../../src/core/logger.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const portOf = (server: { address(): AddressInfo | string | null }): number => (server.address() as AddressInfo).port;

/** A TCP port that accepts connections and never says a word: a gateway stuck mid-handshake. */
async function silentSocket(): Promise<number> {
  const sockets: Socket[] = [];
  const server = createTcpServer((socket) => sockets.push(socket));
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  closers.push(() => new Promise((done) => { for (const s of sockets) s.destroy(); server.close(() => { done(); }); }));
  return portOf(server);
}

/** A registration endpoint that names `endpoint` as the gateway, counting the registrations. */
async function gateway(endpoint: (port: number) => string): Promise<{ base: string; opens: () => number }> {
  let opens = 0;
  const server: Server = createHttpServer((req, res) => {
    opens += 1;
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ endpoint: endpoint(portOf(server)), ticket: `t${String(opens)}` }));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  closers.push(() => new Promise((done) => { server.closeAllConnections(); server.close(() => { done(); }); }));
  return { base: `http://127.0.0.1:${String(portOf(server))}`, opens: () => opens };
}

function client(apiBase: string, lines: string[] = []) {
  const stream = createStreamClient({
    clientId: 'id',
    clientSecret: 'secret',
    apiBase,
    log: createLogger('info', (line) => lines.push(line)),
    onRobotMessage: () => Promise.resolve(),
    backoff: { firstMs: 10, maxMs: 20 },
    handshakeTimeoutMs: 100,
  });
  closers.push(() => stream.stop());
  return stream;
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((done) => setTimeout(done, 20));
};

describe('the DingTalk Stream client', () => {
  it('gives up on a gateway that never answers the handshake, and registers again', async () => {
    const silent = await silentSocket();
    const gw = await gateway(() => `ws://127.0.0.1:${String(silent)}/connect`);
    client(gw.base).start();
    await until(() => gw.opens() >= 3);

    expect(gw.opens()).toBeGreaterThanOrEqual(3);
  });

  it('refuses a gateway endpoint outside DingTalk and logs why', async () => {
    const lines: string[] = [];
    const gw = await gateway(() => 'wss://evil.example.com/connect');
    client(gw.base, lines).start();
    await until(() => gw.opens() >= 2);

    expect(lines.some((l) => l.includes('outside DingTalk'))).toBe(true);
  });
});

describe('gatewayEndpoint', () => {
  it.each([
    ['wss://wss-open-connection.dingtalk.com:443/connect', 'https://api.dingtalk.com'],
    ['wss://wss-open-connection-union.dingtalk.com/connect', 'https://api.dingtalk.com'],
    ['ws://127.0.0.1:4000/connect', 'http://127.0.0.1:4000'],
  ])('accepts %s for %s', (endpoint, base) => {
    expect(gatewayEndpoint(endpoint, base).href).toBe(new URL(endpoint).href);
  });

  it.each([
    ['ws://wss-open-connection.dingtalk.com/connect', 'https://api.dingtalk.com'],
    ['wss://dingtalk.com.evil.example/connect', 'https://api.dingtalk.com'],
    ['https://wss-open-connection.dingtalk.com/connect', 'https://api.dingtalk.com'],
    ['ws://10.0.0.1/connect', 'http://127.0.0.1:4000'],
  ])('refuses %s for %s', (endpoint, base) => {
    expect(() => gatewayEndpoint(endpoint, base)).toThrow(/outside DingTalk/);
  });
});
