/**
 * What WeCom sends and answers, as zod schemas. Loose objects throughout: WeCom adds fields
 * (the 2026 pages added `video`, `quote`), and a field we do not read must not turn a real
 * message into a 400. Sources: 接收消息 (docs/protocols/wecom.md §1.3, page 100719), 接收事件 (docs/protocols/wecom.md §1.4, page 101027), 消息推送 (docs/protocols/wecom.md §4, page 91770).
 */
import { z } from 'zod';

/** The query WeCom puts on every callback URL; `echostr` only on the GET URL check. */
export const CallbackQuerySchema = z.looseObject({
  msg_signature: z.string().min(1),
  timestamp: z.string().regex(/^\d{1,13}$/),
  nonce: z.string().min(1).max(128),
});
export const UrlCheckQuerySchema = CallbackQuerySchema.extend({ echostr: z.string().min(1) });

/** The POST body before decryption. */
export const EnvelopeSchema = z.looseObject({ encrypt: z.string().min(1) });

/**
 * Bounds far above what WeCom sends (a chatid is 32 characters, a userid at most 64 bytes, a msgid
 * some 30), so that what becomes part of a Redis key (a conversation's budget, a claim) stays small.
 */
const common = {
  msgid: z.string().min(1).max(256),
  aibotid: z.string().optional(),
  /** Present for group chats only. */
  chatid: z.string().min(1).max(128).optional(),
  chattype: z.enum(['single', 'group']).optional(),
  from: z.looseObject({ userid: z.string().min(1).max(128) }),
  /** One active reply within an hour (主动回复消息, docs/protocols/wecom.md §2.2, page 101138). */
  response_url: z.string().optional(),
};

const TextSchema = z.looseObject({ ...common, msgtype: z.literal('text'), text: z.looseObject({ content: z.string() }) });

const MixedItemSchema = z.looseObject({ msgtype: z.string(), text: z.looseObject({ content: z.string() }).optional() });
const MixedSchema = z.looseObject({ ...common, msgtype: z.literal('mixed'), mixed: z.looseObject({ msg_item: z.array(MixedItemSchema) }) });

/** A refresh of a stream reply we left unfinished; it accepts only a stream reply. */
const StreamSchema = z.looseObject({ msgid: z.string().min(1), msgtype: z.literal('stream'), stream: z.looseObject({ id: z.string().min(1) }) });

const EventSchema = z.looseObject({ msgid: z.string().optional(), msgtype: z.literal('event'), event: z.looseObject({ eventtype: z.string() }) });

/** image, voice, file, video — and whatever WeCom adds next. */
const OtherSchema = z.looseObject({ ...common, msgtype: z.string() });

export type TextPayload = z.infer<typeof TextSchema>;
export type MixedPayload = z.infer<typeof MixedSchema>;
export type StreamPayload = z.infer<typeof StreamSchema>;
export type EventPayload = z.infer<typeof EventSchema>;
export type OtherPayload = z.infer<typeof OtherSchema>;

export type Payload =
  | { kind: 'text'; payload: TextPayload }
  | { kind: 'mixed'; payload: MixedPayload }
  | { kind: 'stream'; payload: StreamPayload }
  | { kind: 'event'; payload: EventPayload }
  | { kind: 'other'; payload: OtherPayload };

const KindSchema = z.looseObject({ msgtype: z.string() });

/** The decrypted callback, by kind; a zod error when a known kind lacks what it must carry. */
export function parsePayload(json: unknown): Payload {
  const { msgtype } = KindSchema.parse(json);
  switch (msgtype) {
    case 'text':
      return { kind: 'text', payload: TextSchema.parse(json) };
    case 'mixed':
      return { kind: 'mixed', payload: MixedSchema.parse(json) };
    case 'stream':
      return { kind: 'stream', payload: StreamSchema.parse(json) };
    case 'event':
      return { kind: 'event', payload: EventSchema.parse(json) };
    default:
      return { kind: 'other', payload: OtherSchema.parse(json) };
  }
}

/** What the webhook and response_url answer; a missing errcode counts as success (no body is documented: docs/protocols/wecom.md §2.2, page 101138). */
export const ApiAnswerSchema = z.looseObject({ errcode: z.number().int().optional(), errmsg: z.string().optional() });

/**
 * A frame of the long connection (docs/protocols/wecom.md §10): a command `{cmd, headers:{req_id}, body}`,
 * or the answer to one of ours, which has no `cmd` and carries `errcode`, `errmsg` and sometimes a body.
 */
export const SocketFrameSchema = z.looseObject({
  cmd: z.string().min(1).optional(),
  headers: z.looseObject({ req_id: z.string().min(1) }),
  body: z.unknown().optional(),
  errcode: z.number().int().optional(),
  errmsg: z.string().optional(),
});
export type SocketFrame = z.infer<typeof SocketFrameSchema>;

/** The event that tells a connection a newer one for the same bot replaced it. */
export const KickSchema = z.looseObject({ event: z.looseObject({ eventtype: z.literal('disconnected_event') }) });

/** What `aibot_upload_media_init` and `_finish` answer in their body. */
export const UploadStartedSchema = z.looseObject({ upload_id: z.string().min(1) });
export const UploadFinishedSchema = z.looseObject({ media_id: z.string().min(1) });
