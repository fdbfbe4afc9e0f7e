/**
 * A pass-through HTTP server on 127.0.0.1 that notes when each request arrives and forwards it,
 * unchanged, to a fake platform. The fakes record what they get but not when; the rate-limit
 * checks need the arrival times. Point the bot's API base at `base` instead of the fake's.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  /** ms since the epoch, taken as the request line arrived. */
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface Stopwatch {
  base: string;
  arrivals: Arrival[];
  close(): Promise<void>;
}

export async function startStopwatch(upstream: string): Promise<Stopwatch> {
  const target = new URL(upstream);
  const arrivals: Arrival[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stopwatch');
    arrivals.push({ at: Date.now(), method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams) });
    const forward = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${String(port)}`,
    arrivals,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => { done(); });
      }),
  };
}
