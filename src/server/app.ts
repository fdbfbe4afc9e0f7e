/**
 * The Koa app (no listen): one error boundary, /healthz, /metrics when a token is set, the routes
 * of the platform adapters that are on, and the leaders' dashboard. `src/cli/serve.ts` listens;
 * tests drive it over HTTP.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import Koa from 'koa';
import { BusyError, DecodeError, StoreUnavailableError, VerifyError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { PlatformRoute } from '../core/platform.js';
import { BODY_TIMEOUT_MS, BodyTimeoutError, ClientGoneError, PayloadTooLargeError, readBody } from './body.js';
import { mountDashboard, type DashboardDeps } from './dashboard/index.js';

export interface AppDeps {
  log: Logger;
  /** Answers whether Redis responds right now. */
  redisUp(): Promise<boolean>;
  /** The platforms' callbacks (their adapters' `Inbound.routes`). */
  routes?: readonly PlatformRoute[];
  /** The leaders' dashboard at /dashboard. */
  dashboard?: DashboardDeps;
  /** How long a callback's body may take to arrive; BODY_TIMEOUT_MS by default (tests shorten it). */
  bodyTimeoutMs?: number;
  /** `GET /metrics` for whoever presents `token` (METRICS_TOKEN); absent, there is no such route. */
  metrics?: MetricsRoute;
}

export interface MetricsRoute {
  token: string;
  /** The exposition and its content type (src/server/metrics.ts). */
  scrape(): Promise<string>;
  contentType: string;
}

/**
 * Whether the request's `Authorization: Bearer …` (RFC 6750 §2.1) holds `token`, compared in
 * constant time: hashed first, so two values of any lengths compare as 32 bytes each.
 */
function bearerMatches(header: string, token: string): boolean {
  const given = /^Bearer +(\S+)\s*$/i.exec(header)?.[1] ?? '';
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(token)) && given !== '';
}

/** Refusals a platform (or a forger) gets, by error; the reason is logged, never the payload. */
function refusal(error: unknown): { status: number; body: string } | undefined {
  if (error instanceof VerifyError) return { status: 401, body: 'signature mismatch' };
  if (error instanceof DecodeError) return { status: 400, body: 'bad request' };
  if (error instanceof PayloadTooLargeError) return { status: 413, body: 'payload too large' };
  if (error instanceof BodyTimeoutError) return { status: 408, body: 'request timeout' };
  // The platform retries a 5xx; the message must not be confirmed while Redis is away (docs/design.md §7).
  if (error instanceof StoreUnavailableError) return { status: 503, body: 'store unavailable' };
  // More messages at once than are taken in: nothing was claimed, so the redelivery is recorded.
  if (error instanceof BusyError) return { status: 503, body: 'busy' };
  return undefined;
}

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  const body = { ms: deps.bodyTimeoutMs ?? BODY_TIMEOUT_MS };
  app.proxy = true;
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof ClientGoneError) {
        deps.log.info('request abandoned before its body arrived', { method: ctx.method, path: ctx.path });
        return;
      }
      const refused = refusal(error);
      if (refused) {
        deps.log.warn('request refused', { method: ctx.method, path: ctx.path, status: refused.status, reason: error instanceof Error ? error.message : String(error) });
        ctx.status = refused.status;
        ctx.body = refused.body;
        // An unread body would otherwise be parsed as the next request on this connection.
        if (refused.status === 413 || refused.status === 408) ctx.set('Connection', 'close');
        return;
      }
      deps.log.error('request failed', { method: ctx.method, path: ctx.path, error });
      ctx.status = 500;
      ctx.body = { error: 'internal error' };
    }
  });

  const router = new Router();
  router.get('/healthz', async (ctx) => {
    const up = await deps.redisUp().catch(() => false);
    ctx.status = up ? 200 : 503;
    ctx.body = { status: up ? 'ok' : 'unavailable', redis: up ? 'up' : 'down' };
  });

  if (deps.metrics) {
    const metrics = deps.metrics;
    router.get('/metrics', async (ctx) => {
      if (!bearerMatches(ctx.get('Authorization'), metrics.token)) {
        // RFC 6750 §3: a request without the right token is told which scheme to use.
        ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
        ctx.status = 401;
        ctx.body = 'unauthorized';
        return;
      }
      ctx.type = metrics.contentType;
      ctx.body = await metrics.scrape();
    });
  }

  for (const route of deps.routes ?? []) {
    const method = route.method === 'GET' ? 'get' : 'post';
    router[method](route.path, async (ctx) => {
      const answer = await route.handle({
        query: ctx.query,
        header: (name) => ctx.get(name) || undefined,
        body: route.method === 'POST' ? await readBody(ctx, body) : '',
      });
      ctx.status = 200;
      if (answer.type !== undefined) ctx.type = answer.type;
      ctx.body = answer.body;
    });
  }

  if (deps.dashboard) mountDashboard(router, deps.dashboard);

  app.use(router.routes()).use(router.allowedMethods());
  return app;
}
