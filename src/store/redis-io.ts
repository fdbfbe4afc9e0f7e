/** Reading JSON values and running pipelines the same way in every store: every value parsed with `codec.ts`. */
import type { ChainableCommander, Redis } from 'ioredis';
import { z } from 'zod';
import { decode, decodeJson, decodeJsonHash } from './codec.js';

export async function getJson<T>(redis: Redis, schema: z.ZodType<T>, key: string): Promise<T | undefined> {
  const text = await redis.get(key);
  return text === null ? undefined : decodeJson(schema, text, key);
}

export async function hgetJson<T>(redis: Redis, schema: z.ZodType<T>, key: string, field: string): Promise<T | undefined> {
  const text = await redis.hget(key, field);
  return text === null ? undefined : decodeJson(schema, text, `${key} ${field}`);
}

export async function hvalsJson<T>(redis: Redis, schema: z.ZodType<T>, key: string): Promise<T[]> {
  return [...decodeJsonHash(schema, await redis.hgetall(key), key).values()];
}

/** A hash as HGETALL returns it. */
export const StringHash = z.record(z.string(), z.string());

/** Each key's hash (HGETALL), in one round trip and in the keys' order; a missing key is an empty one. */
export async function hashes(redis: Redis, keys: readonly string[]): Promise<Record<string, string>[]> {
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hgetall(key);
  const replies = await run(pipeline);
  return keys.map((key, i) => decode(StringHash, replies[i], key));
}

/** The replies of a pipeline or MULTI; the first failed command fails the whole call. */
export async function run(chain: ChainableCommander): Promise<unknown[]> {
  const replies = await chain.exec();
  if (replies === null) throw new Error('Redis transaction was aborted');
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/** Batches of a batched read on the wire at once: Redis answers one while the one before is taken. */
const BATCHES_IN_FLIGHT = 2;

/**
 * A read too large for one pipeline, as pipelines of `perBatch` items, each batch's replies handed
 * to `take` in order while the next batches are on the wire. Redis runs every command of a
 * pipeline it has read and holds all their replies before they go out ("send them as batches",
 * https://redis.io/docs/latest/develop/use/pipelining/): the 96 MB of a 20,000-township county's
 * standings took 470–820 ms as one pipeline here, 60–170 ms in batches of about 4 MB.
 */
export async function readInBatches<T>(
  redis: Redis,
  items: readonly T[],
  perBatch: number,
  queue: (pipeline: ChainableCommander, item: T) => ChainableCommander,
  take: (replies: readonly unknown[], batch: readonly T[]) => Promise<void> | void,
): Promise<void> {
  const size = Math.max(1, perBatch);
  const batches: T[][] = [];
  for (let at = 0; at < items.length; at += size) batches.push(items.slice(at, at + size));
  const sent: Promise<unknown[]>[] = [];
  const send = (batch: readonly T[] | undefined): void => {
    if (!batch) return;
    const replies = run(batch.reduce(queue, redis.pipeline()));
    // Taken in order: when one fails, those after it are never awaited, and this keeps their
    // failures (the same lost connection) from being unhandled rejections.
    replies.catch(() => undefined);
    sent.push(replies);
  };
  for (const batch of batches.slice(0, BATCHES_IN_FLIGHT)) send(batch);
  for (const [index, batch] of batches.entries()) {
    const replies = await sent[index];
    send(batches[index + BATCHES_IN_FLIGHT]);
    if (replies) await take(replies, batch);
  }
}
