/**
 * The HTTP server around the Koa app, with the limits that keep slow and idle clients from
 * holding it: a connection that sends its request slowly, or not at all, is closed within
 * seconds, and the connections open at once stay well under the descriptors the process may use.
 *
 * Timeouts alone do not keep the callbacks coming: within one timeout an attacker can fill every
 * place again. So when the places run out, the connection that has waited longest for its
 * request to arrive is cut to make room — a platform sends its callback whole in one go, so it is
 * never the one waiting longest, while a slow client always is. Requests read whole and being
 * answered are never cut; when every place is such a request, the newcomer is refused. Node has
 * no such rule of its own (`maxConnections` refuses newcomers, which is what a flood of slow
 * clients makes happen to the platforms), hence the few lines below. Limits per client address
 * belong to the reverse proxy (README, "Behind a reverse proxy"): behind it, every connection
 * comes from the proxy's address.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type Koa from 'koa';
import type { Logger } from '../core/logger.js';

export interface ServerLimits {
  /** Until a request's headers are all there. */
  headersTimeoutMs: number;
  /** Until a whole request (headers and body) is there, on any route, read or not. */
  requestTimeoutMs: number;
  /** How long a connection may sit idle between two requests. */
  keepAliveTimeoutMs: number;
  /** How long a socket may see no traffic at all, e.g. a client that stops reading its answer. */
  idleTimeoutMs: number;
  /** How often the two request timeouts are checked: they fire up to this much late. */
  checkEveryMs: number;
  /** Beyond this many open connections, the one waiting longest for its request is cut. */
  openConnections: number;
  /** Beyond this many, Node refuses a connection outright (a burst faster than the cutting). */
  maxConnections: number;
  maxHeadersCount: number;
}

export const SERVER_LIMITS: ServerLimits = {
  // WeCom drops a callback it has no answer to within 5 s and delivers it again
  // (docs/protocols/wecom.md §5, page 90238): headers still missing after that belong
  // to no callback worth answering. A phone's browser sends a request's headers in one packet.
  headersTimeoutMs: 5000,
  // Twice the platforms' deadline, for routes that never read a body (a 404, the dashboard);
  // callbacks give up on theirs sooner (BODY_TIMEOUT_MS, src/server/body.ts).
  requestTimeoutMs: 10_000,
  // Node's default. A proxy keeping connections to us must drop them sooner (nginx upstream
  // `keepalive_timeout` below this), or it may send a request on one we are closing.
  keepAliveTimeoutMs: 5000,
  // The largest answer is a dashboard chart of about 0.6 MB to a phone; a stall this long is a
  // client that has stopped reading.
  idleTimeoutMs: 30_000,
  // Node's default is 30 s, which would let a slow request outlive its timeout by that much.
  checkEveryMs: 1000,
  // Half the 1,024 descriptors a service is often held to (`ulimit -n 1024`): the rest is for
  // Redis, the outbox, outbound requests, logs and Node itself. A county's platforms and leaders
  // open tens at most; a flood of slow clients is cut long before the process runs out.
  openConnections: 480,
  maxConnections: 512,
  // A platform sends about a dozen headers, a browser about twenty; Node's default is 2,000.
  // (No `maxRequestsPerSocket`: past it Node answers 503 to a request sent before the client saw
  // the connection close, as load generators do; a proxy renews its pooled connections itself,
  // nginx after `keepalive_requests`.)
  maxHeadersCount: 64,
};

/** How often the number of connections cut or refused is logged while it goes on. */
const REPORT_EVERY_MS = 60_000;

export interface ServeHttpOptions {
  log: Logger;
  limits?: Partial<ServerLimits>;
}

/** The app's server, not yet listening. */
export function createHttpServer(app: Koa, { log, limits: given }: ServeHttpOptions): Server {
  const limits = { ...SERVER_LIMITS, ...given };
  const handle = app.callback();
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkEveryMs,
    },
    // Koa answers its own errors; the promise only says when it has.
    (req, res) => { void handle(req, res); },
  );
  server.timeout = limits.idleTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.maxHeadersCount = limits.maxHeadersCount;
  guardConnections(server, limits.openConnections, log);
  return server;
}

/** The app's server listening on `port` (0: a free one the system picks), resolved once it is. */
export function listen(app: Koa, options: ServeHttpOptions & { port: number; host?: string }): Promise<Server> {
  const server = createHttpServer(app, options);
  return new Promise<Server>((ready, fail) => {
    server.once('error', fail);
    const listening = (): void => {
      server.off('error', fail);
      // An accept that fails (EMFILE when descriptors run out) is emitted here; unheard, it would end the process.
      server.on('error', (error) => { options.log.error('http server error', { error }); });
      ready(server);
    };
    if (options.host === undefined) server.listen(options.port, listening);
    else server.listen(options.port, options.host, listening);
  });
}

/** Keeps at most `open` connections, cutting the one waiting longest for its request (see the top). */
function guardConnections(server: Server, open: number, log: Logger): void {
  /** Open connections, the one waiting longest first, with the request read or answered on it. */
  const waiting = new Map<Socket, IncomingMessage | undefined>();
  const settle = (socket: Socket, request?: IncomingMessage): void => {
    if (socket.destroyed) return;
    waiting.delete(socket);
    waiting.set(socket, request);
  };
  let cut = 0;
  let refused = 0;
  let reportedAt = Number.NEGATIVE_INFINITY;
  const report = (): void => {
    const now = Date.now();
    if (now - reportedAt < REPORT_EVERY_MS) return;
    reportedAt = now;
    log.warn('too many connections at once: the longest waiting are cut', { cut, refused, open: waiting.size });
    cut = 0;
    refused = 0;
  };

  server.on('connection', (socket: Socket) => {
    settle(socket);
    socket.once('close', () => waiting.delete(socket));
    if (waiting.size <= open) return;
    for (const [longest, request] of waiting) {
      // A request read whole is being answered: that is the work the places are for.
      if (request?.complete === true) continue;
      waiting.delete(longest);
      longest.destroy();
      if (longest === socket) refused += 1;
      else cut += 1;
      report();
      return;
    }
  });
  server.on('drop', () => {
    refused += 1;
    report();
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    settle(socket, request);
    // Answered: the connection waits for its next request from now on.
    response.once('close', () => { settle(socket); });
  });
}
