import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { createLogger } from '../../../src/core/logger.js';
import { createApp } from '../../../src/server/app.js';

let server: Server | undefined;

async function get(redisUp: () => Promise<boolean>, path: string): Promise<Response> {
  const app = createApp({ log: createLogger('silent'), redisUp });
  server = app.listen(0, '127.0.0.1');
  await new Promise((ready) => server?.once('listening', ready));
  const { port } = server.address() as AddressInfo;
  return fetch(`http://127.0.0.1:${String(port)}${path}`);
}

afterEach(() => {
  server?.close();
});

describe('GET /healthz', () => {
  it('answers 200 while Redis answers', async () => {
    const res = await get(() => Promise.resolve(true), '/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', redis: 'up' });
  });

  it('answers 503 when Redis is down, so a load balancer stops sending', async () => {
    const res = await get(() => Promise.reject(new Error('ECONNREFUSED')), '/healthz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', redis: 'down' });
  });

  it('answers 404 for a path it does not serve', async () => {
    expect((await get(() => Promise.resolve(true), '/nothing')).status).toBe(404);
  });
});
