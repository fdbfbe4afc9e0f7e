/**
 * The Koa app (no listen): one error boundary, /healthz, and the platform routes as the
 * adapters arrive. `main.ts` listens; tests drive `app.callback()` directly.
 */
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '../core/logger.js';

export interface AppDeps {
  log: Logger;
  /** Answers whether Redis responds right now. */
  redisUp(): Promise<boolean>;
}

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = true;
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
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
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}
