/** Reading JSON values and running pipelines the same way in every store: every value parsed with `codec.ts`. */
import type { ChainableCommander, Redis } from 'ioredis';
import type { z } from 'zod';
import { decodeJson, decodeJsonHash } from './codec.js';

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

/** The replies of a pipeline or MULTI; the first failed command fails the whole call. */
export async function run(chain: ChainableCommander): Promise<unknown[]> {
  const replies = await chain.exec();
  if (replies === null) throw new Error('Redis transaction was aborted');
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
