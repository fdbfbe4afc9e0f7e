/** Whether Redis answers now: the server's /healthz, and the router telling an outage from a bug. */
import type { Redis } from 'ioredis';

export interface HealthStore {
  ping(): Promise<boolean>;
}

export function createHealthStore(redis: Redis): HealthStore {
  return {
    async ping() {
      // While reconnecting, ioredis queues commands and retries them for a long time: a health
      // check must answer now.
      if (redis.status !== 'ready') return false;
      try {
        // ioredis rejects when the server is down or answers with an error.
        await redis.ping();
        return true;
      } catch {
        return false;
      }
    },
  };
}
