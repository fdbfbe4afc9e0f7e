/**
 * A platform host on 127.0.0.1 that answers with a redirect to a canary on another port, the
 * way a hijacked or misconfigured origin would: `307 Location: <canary><same path and query>`
 * (307 keeps the method and body, so a client that followed it would hand the canary the whole
 * request, credentials and all). Every WebSocket upgrade is redirected the same way. Paths listed
 * in `answers` are answered normally instead (200 with that JSON), so a test can redirect one
 * step of a flow, e.g. the send after a token. The canary records every request it gets.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export interface CanaryRequest {
  method: string;
  /** Path and query, as requested. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RedirectingPlatform {
  /** e.g. `http://127.0.0.1:40123`, no trailing slash: the origin the bot is configured with. */
  base: string;
  /** The canary's origin, where every redirect points. */
  canaryBase: string;
  /** Every request the canary got, upgrades included. */
  canary: CanaryRequest[];
  /** How many requests the platform answered with a redirect. */
  redirects(): number;
  close(): Promise<void>;
}

export async function startRedirectingPlatform(options: { answers?: Record<string, unknown>; status?: 301 | 302 | 303 | 307 | 308 } = {}): Promise<RedirectingPlatform> {
  const status = options.status ?? 307;
  const canary: CanaryRequest[] = [];
  const canaryServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      canary.push(recorded(req, Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"errcode":0,"errmsg":"ok","accessToken":"canary","expireIn":7200}');
    });
  });
  canaryServer.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    canary.push(recorded(req, ''));
    socket.destroy();
  });
  const canaryBase = await listening(canaryServer);

  let redirects = 0;
  const platform = createServer((req, res) => {
    const answer = options.answers?.[new URL(req.url ?? '/', 'http://platform').pathname];
    req.resume();
    req.on('end', () => {
      if (answer !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
        return;
      }
      redirects += 1;
      res.writeHead(status, { location: `${canaryBase}${req.url ?? '/'}`, 'content-type': 'text/plain' });
      res.end('moved');
    });
  });
  platform.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    redirects += 1;
    // The bot drops the socket as soon as it reads the redirect, which can reset it while this end
    // still reads; a socket handed over at 'upgrade' has no error listener, so that would be uncaught.
    socket.on('error', () => undefined);
    socket.end(`HTTP/1.1 ${String(status)} Moved\r\nLocation: ${canaryBase.replace(/^http/, 'ws')}${req.url ?? '/'}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  });
  const base = await listening(platform);

  return {
    base,
    canaryBase,
    canary,
    redirects: () => redirects,
    async close() {
      await Promise.all([closed(platform), closed(canaryServer)]);
    },
  };
}

function recorded(req: IncomingMessage, body: string): CanaryRequest {
  return { method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body };
}

async function listening(server: Server): Promise<string> {
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ready);
  });
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

function closed(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done) => server.close(() => { done(); }));
}
