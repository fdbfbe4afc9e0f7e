/** Pictures the outbox posts (ranking charts), kept once in Redis and referred to by id from every queued post. */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';
import { run } from './redis-io.js';

export interface PictureStore {
  /** Keeps a picture for `seconds` under the hex SHA-256 of its bytes, which it returns; the same picture is stored once. */
  putImage(bytes: Buffer, seconds: number): Promise<string>;
  image(id: string): Promise<Buffer | undefined>;
}

export function createPictureStore(redis: Redis, keys: Keys): PictureStore {
  return {
    async putImage(bytes, seconds) {
      const id = createHash('sha256').update(bytes).digest('hex');
      const key = keys.image(id);
      // Same bytes, same key: a fan-out of one chart to every group stores it once. GT: a later
      // post may lengthen the picture's life, never shorten it for a post queued before.
      await run(redis.multi().set(key, bytes, 'EX', seconds, 'NX').expire(key, seconds, 'GT'));
      return id;
    },

    async image(id) {
      return (await redis.getBuffer(keys.image(id))) ?? undefined;
    },
  };
}
