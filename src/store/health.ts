/**
 * Whether Redis answers now (the server's /healthz, and the router telling an outage from a bug),
 * and how it keeps what it is given (`duban doctor`).
 */
import type { Redis } from 'ioredis';

/**
 * What Redis says about keeping confirmed reports (docs/design.md §7): each setting as Redis
 * reports it, undefined where it would not say.
 */
export interface RedisDurability {
  /** AOF on (`appendonly yes`, or INFO's `aof_enabled:1` where CONFIG is refused). */
  aof?: boolean;
  /** The RDB snapshot rule (`save`, e.g. `3600 1 300 100`); `''` means no snapshots. */
  save?: string;
  /** `maxmemory-policy` (from CONFIG, else INFO memory's `maxmemory_policy`). */
  maxmemoryPolicy?: string;
  /** CONFIG GET was refused (a managed Redis, an ACL): what is known came from INFO, if anything. */
  configRefused: boolean;
}

export interface HealthStore {
  ping(): Promise<boolean>;
  /** Reads the persistence and eviction settings; never throws for a refused command. */
  durability(): Promise<RedisDurability>;
}

export function createHealthStore(redis: Redis): HealthStore {
  /** One CONFIG GET value; undefined when Redis refuses CONFIG or has no such setting. */
  async function setting(name: string): Promise<string | undefined> {
    try {
      const answer: unknown = await redis.config('GET', name);
      return Array.isArray(answer) && typeof answer[1] === 'string' ? answer[1] : undefined;
    } catch {
      return undefined;
    }
  }

  /** One `field:value` line of an INFO section; undefined when INFO is refused or lacks it. */
  async function info(section: string, field: string): Promise<string | undefined> {
    try {
      const text = await redis.info(section);
      const line = text.split(/\r?\n/).find((l) => l.startsWith(`${field}:`));
      return line?.slice(field.length + 1).trim();
    } catch {
      return undefined;
    }
  }

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

    async durability() {
      const [appendonly, save, policy] = await Promise.all([setting('appendonly'), setting('save'), setting('maxmemory-policy')]);
      const configRefused = appendonly === undefined && save === undefined && policy === undefined;
      const aofEnabled = appendonly === undefined ? await info('persistence', 'aof_enabled') : undefined;
      const infoPolicy = policy === undefined ? await info('memory', 'maxmemory_policy') : undefined;
      const aof = appendonly !== undefined ? appendonly === 'yes' : aofEnabled === undefined ? undefined : aofEnabled === '1';
      const maxmemoryPolicy = policy ?? infoPolicy;
      return {
        ...(aof === undefined ? {} : { aof }),
        ...(save === undefined ? {} : { save }),
        ...(maxmemoryPolicy === undefined ? {} : { maxmemoryPolicy }),
        configRefused,
      };
    },
  };
}
