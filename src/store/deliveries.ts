/**
 * What became of the outbox's posts beyond BullMQ's own record: a post delivered within a bundle
 * (so it is not posted again on its own), and a post a platform refused for good (a dead letter).
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { DeadLetterSchema, decode, decodeJson, encodeJson } from './codec.js';
import type { Keys } from './keys.js';
import { run } from './redis-io.js';
import { defineScripts } from './scripts.js';
import type { DeadLetter } from './types.js';

/** Enough to see what went wrong lately; older ones are in the log. */
const DEAD_LETTERS_KEPT = 1000;

export interface DeliveryStore {
  /** Records that the post keyed `bundle` delivers the posts keyed `covered`, for `seconds`. */
  markCovered(covered: readonly string[], bundle: string, seconds: number): Promise<void>;
  /** For each key, the bundle recorded as delivering it, if any. */
  coveredBy(keys: readonly string[]): Promise<Map<string, string>>;
  addDeadLetter(letter: DeadLetter): Promise<void>;
  /** The newest dead letters first. */
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  /**
   * A queue's jobs in each of `states` (its name and the key of its job ids), counted by job name;
   * `jobKey` prefixes a job's id to make its hash's key. Only the pairs with jobs are given.
   */
  queueDepth(states: readonly { state: string; key: string }[], jobKey: string): Promise<QueueCount[]>;
}

export interface QueueCount {
  state: string;
  name: string;
  count: number;
}

/** queue-depth.lua's reply: state, name, count, state, name, count… */
const QueueDepthSchema = z
  .array(z.union([z.string(), z.number().int().nonnegative()]))
  .refine((flat) => flat.length % 3 === 0, 'not in threes')
  .transform((flat) => {
    const counts: QueueCount[] = [];
    for (let i = 0; i < flat.length; i += 3) counts.push({ state: String(flat[i]), name: String(flat[i + 1]), count: Number(flat[i + 2]) });
    return counts;
  });

export function createDeliveryStore(redis: Redis, keys: Keys): DeliveryStore {
  const scripts = defineScripts(redis);
  return {
    async markCovered(covered, bundle, seconds) {
      if (covered.length === 0) return;
      const pipeline = redis.pipeline();
      for (const key of covered) pipeline.set(keys.coveredBy(key), bundle, 'EX', seconds);
      await run(pipeline);
    },

    async coveredBy(posts) {
      const found = new Map<string, string>();
      if (posts.length === 0) return found;
      const bundles = await redis.mget(...posts.map((key) => keys.coveredBy(key)));
      posts.forEach((key, i) => {
        const bundle = bundles[i];
        if (bundle != null) found.set(key, bundle);
      });
      return found;
    },

    async addDeadLetter(letter) {
      await redis.multi().lpush(keys.deadLetters(), encodeJson(DeadLetterSchema, letter, 'dead letter')).ltrim(keys.deadLetters(), 0, DEAD_LETTERS_KEPT - 1).exec();
    },

    async deadLetters(limit = 50) {
      const raw = await redis.lrange(keys.deadLetters(), 0, limit - 1);
      return raw.map((json, i) => decodeJson(DeadLetterSchema, json, `dead letter ${String(i)}`));
    },

    async queueDepth(states, jobKey) {
      return decode(QueueDepthSchema, await scripts.queueDepth(states, jobKey), 'queue depth');
    },
  };
}
