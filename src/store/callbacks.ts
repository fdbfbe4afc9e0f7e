/**
 * What the platform adapters keep of one callback across deliveries and instances: the answer a
 * WeCom callback got, and which worker took a DingTalk message.
 */
import type { Redis } from 'ioredis';
import type { ChatPlatform } from '../domain/model.js';
import type { Keys } from './keys.js';

export interface CallbackStore {
  /** What a platform adapter answered one callback, while it is kept. */
  callbackReply(platform: ChatPlatform, id: string): Promise<string | undefined>;
  /**
   * Keeps `answer` as the answer to callback `id` unless one is kept already, and returns the one
   * kept: `fresh` when it is this caller's. Two deliveries of one callback racing get one answer.
   */
  keepCallbackReply(platform: ChatPlatform, id: string, answer: string, seconds: number): Promise<{ answer: string; fresh: boolean }>;
  /** Takes inbound message `id` for this worker: false when another delivery took it within `seconds`. */
  claimCallback(platform: ChatPlatform, id: string, seconds: number): Promise<boolean>;
  /** Gives a claim back, so a redelivery may try again after a failure. */
  releaseCallback(platform: ChatPlatform, id: string): Promise<void>;
}

export function createCallbackStore(redis: Redis, keys: Keys): CallbackStore {
  return {
    async callbackReply(platform, id) {
      return (await redis.get(keys.callbackReply(platform, id))) ?? undefined;
    },

    async keepCallbackReply(platform, id, answer, seconds) {
      const key = keys.callbackReply(platform, id);
      if ((await redis.set(key, answer, 'EX', seconds, 'NX')) === 'OK') return { answer, fresh: true };
      // Lost the race; the winner's answer can only be gone if it expired in between.
      return { answer: (await redis.get(key)) ?? answer, fresh: false };
    },

    async claimCallback(platform, id, seconds) {
      return (await redis.set(keys.callbackClaim(platform, id), '1', 'EX', seconds, 'NX')) === 'OK';
    },

    async releaseCallback(platform, id) {
      await redis.del(keys.callbackClaim(platform, id));
    },
  };
}
