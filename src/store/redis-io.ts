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
