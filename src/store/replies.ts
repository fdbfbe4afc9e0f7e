/** The router's replies, kept so that a message delivered again gets the answer it got the first time. */
import type { Redis } from 'ioredis';
import type { OutgoingMessage } from '../core/types.js';
import { encodeJson, OutgoingMessageSchema } from './codec.js';
import type { Keys } from './keys.js';
import { getJson, run } from './redis-io.js';

export interface ReplyStore {
  /** The reply given to a source message, while it is kept: a redelivery gets the same answer. */
  reply(source: string): Promise<OutgoingMessage | undefined>;
  /** Keeps the reply for `seconds`, its picture (large) only for `pictureSeconds`: a later redelivery gets the text. */
  saveReply(source: string, reply: OutgoingMessage, seconds: number, pictureSeconds: number): Promise<void>;
}

export function createReplyStore(redis: Redis, keys: Keys): ReplyStore {
  return {
    // Every message asks, and almost every one is new: the picture is asked for only when there
    // is a kept reply, so a new message costs one command.
    async reply(source) {
      const text = await getJson(redis, OutgoingMessageSchema, keys.reply(source));
      if (!text) return undefined;
      const picture = await redis.get(keys.replyPicture(source));
      return picture === null ? text : { ...text, image: { base64: picture } };
    },

    async saveReply(source, { image, ...text }, seconds, pictureSeconds) {
      const kept = encodeJson(OutgoingMessageSchema, text, `reply ${source}`);
      if (!image) {
        await redis.set(keys.reply(source), kept, 'EX', seconds);
        return;
      }
      await run(redis.multi().set(keys.reply(source), kept, 'EX', seconds).set(keys.replyPicture(source), image.base64, 'EX', Math.min(seconds, pictureSeconds)));
    },
  };
}
