/**
 * A post as the queue keeps it: a picture is stored once in Redis and referred to by id, so a
 * chart sent to 2,000 groups is not copied into 2,000 jobs. `createQueuedPosts` packs posts for the
 * queue (`enqueue`) and unpacks them for sending (the worker).
 */
import type { Logger } from '../core/logger.js';
import type { Post } from '../core/posts.js';
import type { OutgoingMessage } from '../core/types.js';
import type { PictureStore } from '../store/pictures.js';

export type QueuedPost = Omit<Post, 'message'> & { message: Omit<OutgoingMessage, 'image'> & { image?: { id: string } } };

const DAY_S = 24 * 60 * 60;
/** A post may wait out a long holiday (国庆: 8 days) and its retries; its picture must outlive that. */
const IMAGE_KEEP_S = 21 * DAY_S;
const PICTURES_KEPT = 4;

export interface QueuedPosts {
  /** Packs one batch of posts for the queue: each picture in the batch is stored once (a fan-out shares one message object). */
  packer(): (post: Post) => Promise<QueuedPost>;
  /**
   * The post with its picture's bytes back in; without the picture if it is gone, so the text
   * still goes. `lostPicture`: the parts counted so far included the picture, so they no longer
   * line up with the text's.
   */
  unpacked(post: QueuedPost): Promise<{ post: Post; lostPicture: boolean }>;
}

export function createQueuedPosts(store: PictureStore, log: Logger): QueuedPosts {
  /**
   * A picture's base64 by id. A fan-out sends one chart to every group: it is read from Redis and
   * encoded once, and every post gets the same string, which the renderers can recognise cheaply.
   */
  const pictures = new Map<string, string>();
  async function pictureOf(id: string): Promise<string | undefined> {
    const known = pictures.get(id);
    if (known !== undefined) return known;
    const bytes = await store.image(id);
    if (!bytes) return undefined;
    const base64 = bytes.toString('base64');
    pictures.set(id, base64);
    // The township groups' chart and the leaders': a few at a time, never a month of them.
    for (const old of pictures.keys()) if (pictures.size > PICTURES_KEPT) pictures.delete(old);
    return base64;
  }

  return {
    packer() {
      // The stored id's promise: posts packed at once share one store of their picture.
      const images = new Map<string, Promise<string>>();
      return async ({ message, ...rest }) => {
        const { image, ...others } = message;
        if (!image) return { ...rest, message: others };
        let id = images.get(image.base64);
        if (id === undefined) {
          id = store.putImage(Buffer.from(image.base64, 'base64'), IMAGE_KEEP_S);
          images.set(image.base64, id);
        }
        return { ...rest, message: { ...others, image: { id: await id } } };
      };
    },

    async unpacked(post) {
      const { image, ...message } = post.message;
      if (!image) return { post: { ...post, message }, lostPicture: false };
      const base64 = await pictureOf(image.id);
      if (base64 !== undefined) return { post: { ...post, message: { ...message, image: { base64 } } }, lostPicture: false };
      log.warn('picture expired before its post went out; posting the text only', { key: post.key });
      return { post: { ...post, message }, lostPicture: true };
    },
  };
}
