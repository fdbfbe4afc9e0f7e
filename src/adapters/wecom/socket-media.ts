/**
 * Pictures over the long connection (docs/protocols/wecom.md §10): uploaded in chunks (init, chunk,
 * finish) for a `media_id`, which a post or a reply then names. WeCom keeps the file 3 days and
 * allows 30 uploads a minute and 1,000 an hour per bot, so an id is kept in Redis by the bot and
 * the picture's digest: a fan-out of one chart to every group, from any instance, uploads it once.
 */
import { createHash } from 'node:crypto';
import { SendError } from '../../core/errors.js';
import type { ConnectionStore, RateWindow } from '../../store/connections.js';
import type { LongConnection } from './long-connection.js';
import { UploadFinishedSchema, UploadStartedSchema } from './schema.js';
import { sendChecked, spend } from './socket-sends.js';

/** Uploads, per bot (docs/protocols/wecom.md §10). */
const UPLOAD_LIMITS: readonly RateWindow[] = [
  { ms: 60_000, max: 30 },
  { ms: 3_600_000, max: 1000 },
];
/** An upload's chunks: at most 512 KB before base64, at most 100 of them (docs/protocols/wecom.md §10). */
const CHUNK_BYTES = 512 * 1024;
/** WeCom keeps an uploaded file 3 days; its id is used for 2, so nothing names a file about to go. */
const MEDIA_KEPT_S = 2 * 24 * 60 * 60;

export type SocketMediaStore = Pick<ConnectionStore, 'spendBudget' | 'mediaId' | 'keepMediaId'>;

export interface SocketMediaDeps {
  connection: Pick<LongConnection, 'send'>;
  store: SocketMediaStore;
  botId: string;
}

export interface SocketMedia {
  /** The picture's media_id, uploading it unless it was uploaded lately. */
  idOf(base64: string): Promise<string>;
}

export function socketMedia({ connection, store, botId }: SocketMediaDeps): SocketMedia {
  /** Uploads under way in this process, by digest: a fan-out's groups post one chart at once, and wait for one upload. */
  const uploading = new Map<string, Promise<string>>();

  async function uploaded(raw: Buffer, digest: string): Promise<string> {
    // A media_id serves only the bot that uploaded it.
    const kept = `${botId}/${digest}`;
    const known = await store.mediaId('wecom', kept);
    if (known !== undefined) return known;
    await spend(store, `wecom-upload/${botId}`, UPLOAD_LIMITS);
    const chunks = Math.ceil(raw.length / CHUNK_BYTES);
    const started = await sendChecked(connection, 'aibot_upload_media_init', { type: 'image', filename: 'chart.png', total_size: raw.length, total_chunks: chunks, md5: digest }, 'the upload');
    const upload = UploadStartedSchema.safeParse(started.body);
    if (!upload.success) throw new SendError('the upload was not given an upload_id', 'bad-answer', 'failed');
    const { upload_id } = upload.data;
    for (let index = 0; index < chunks; index++) {
      const part = raw.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES);
      await sendChecked(connection, 'aibot_upload_media_chunk', { upload_id, chunk_index: index, base64_data: part.toString('base64') }, 'a chunk of the upload');
    }
    const finished = UploadFinishedSchema.safeParse((await sendChecked(connection, 'aibot_upload_media_finish', { upload_id }, 'the upload')).body);
    if (!finished.success) throw new SendError('the upload was not given a media_id', 'bad-answer', 'failed');
    await store.keepMediaId('wecom', kept, finished.data.media_id, MEDIA_KEPT_S);
    return finished.data.media_id;
  }

  return {
    idOf(base64) {
      const raw = Buffer.from(base64, 'base64');
      const digest = createHash('md5').update(raw).digest('hex');
      let pending = uploading.get(digest);
      if (!pending) {
        pending = uploaded(raw, digest).finally(() => uploading.delete(digest));
        uploading.set(digest, pending);
      }
      return pending;
    },
  };
}
