/**
 * What instances share about a platform connection that only one of them may keep open (WeCom's
 * long connection: one per bot, a newer one kicks the older): who holds it (a lease), the sends
 * the others hand to the holder and its answers, each conversation's send budget, and the ids of
 * files uploaded through it.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChatPlatform } from '../domain/model.js';
import { CounterSchema, decode } from './codec.js';
import type { Keys } from './keys.js';
import { defineScripts } from './scripts.js';

/** A limit: at most `max` messages in any `ms`. */
export interface RateWindow {
  ms: number;
  max: number;
}

export interface ConnectionStore {
  /** Takes lease `name` for `owner`, or keeps it for `ms` more if it is theirs: true while it is. */
  holdLease(name: string, owner: string, ms: number): Promise<boolean>;
  /** Gives the lease up, if it is still `owner`'s. */
  releaseLease(name: string, owner: string): Promise<void>;
  /** Who holds lease `name` now. */
  leaseHolder(name: string): Promise<string | undefined>;

  /** Hands a send (JSON) to whoever holds connection `name`; dropped unless taken within `keepMs`. */
  handOver(name: string, send: string, keepMs: number): Promise<void>;
  /** Up to `count` sends handed over, oldest first. */
  takeHandedOver(name: string, count: number): Promise<string[]>;
  answerHandedOver(id: string, answer: string, keepMs: number): Promise<void>;
  handedOverAnswer(id: string): Promise<string | undefined>;

  /**
   * Counts one message against budget `name` if every window has room (or `force`: a reply
   * someone waits for goes anyway, and the pushes behind it wait): 0, or how long until there is room (ms).
   */
  spendBudget(name: string, now: number, windows: readonly RateWindow[], force?: boolean): Promise<number>;

  /** Whether posts to `chat` over the long connection were refused for good lately (the group falls back to its webhook). */
  socketRefused(chat: string): Promise<boolean>;
  markSocketRefused(chat: string, seconds: number): Promise<void>;

  /** The id the platform gave an uploaded `file` (who uploaded it and its digest), while it is kept. */
  mediaId(platform: ChatPlatform, file: string): Promise<string | undefined>;
  keepMediaId(platform: ChatPlatform, file: string, id: string, seconds: number): Promise<void>;
}

export function createConnectionStore(redis: Redis, keys: Keys): ConnectionStore {
  const scripts = defineScripts(redis);
  return {
    async holdLease(name, owner, ms) {
      return decode(CounterSchema, await scripts.holdLease(keys.lease(name), owner, ms), `lease ${name}`) === 1;
    },

    async releaseLease(name, owner) {
      await scripts.releaseLease(keys.lease(name), owner);
    },

    async leaseHolder(name) {
      return (await redis.get(keys.lease(name))) ?? undefined;
    },

    async handOver(name, send, keepMs) {
      await redis.multi().lpush(keys.handedOver(name), send).pexpire(keys.handedOver(name), keepMs).exec();
    },

    async takeHandedOver(name, count) {
      return (await redis.rpop(keys.handedOver(name), count)) ?? [];
    },

    async answerHandedOver(id, answer, keepMs) {
      await redis.set(keys.handedOverAnswer(id), answer, 'PX', keepMs);
    },

    async handedOverAnswer(id) {
      return (await redis.get(keys.handedOverAnswer(id))) ?? undefined;
    },

    async spendBudget(name, now, windows, force = false) {
      return decode(CounterSchema, await scripts.spendBudget(keys.budget(name), now, `${String(now)}:${randomUUID()}`, force, windows), `budget ${name}`);
    },

    async socketRefused(chat) {
      return (await redis.exists(keys.socketRefused(chat))) === 1;
    },

    async markSocketRefused(chat, seconds) {
      await redis.set(keys.socketRefused(chat), '1', 'EX', seconds);
    },

    async mediaId(platform, file) {
      return (await redis.get(keys.mediaId(platform, file))) ?? undefined;
    },

    async keepMediaId(platform, file, id, seconds) {
      await redis.set(keys.mediaId(platform, file), id, 'EX', seconds);
    },
  };
}
