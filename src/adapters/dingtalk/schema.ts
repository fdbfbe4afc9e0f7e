/**
 * What DingTalk sends and answers, as zod schemas. Loose objects: DingTalk adds fields
 * (`senderUnionId`, `openThreadId` appeared in 2026) and one we do not read must not turn a real
 * message into a 400. Sources: docs/protocols/dingtalk.md §1.2 (robot message), §3 (Stream frames), §4 (sends).
 */
import { z } from 'zod';

/** A robot message, the same in an HTTP callback body and in a Stream CALLBACK frame's data. */
export const RobotMessageSchema = z.looseObject({
  msgId: z.string().min(1),
  msgtype: z.string().min(1),
  text: z.looseObject({ content: z.string() }).optional(),
  conversationId: z.string().min(1),
  /** "1" a direct chat, "2" a group. */
  conversationType: z.enum(['1', '2']),
  conversationTitle: z.string().optional(),
  /** The sender, encrypted per robot; always sent, and the only id of a sender without a staff id. */
  senderId: z.string().min(1),
  senderNick: z.string().optional(),
  /** The sender's userId; only once the robot is published, and never for external members. */
  senderStaffId: z.string().optional(),
  robotCode: z.string().optional(),
  sessionWebhook: z.string().min(1),
  /** Milliseconds since the epoch; documented as a string, sent as a number. */
  sessionWebhookExpiredTime: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
  createAt: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
});
export type RobotMessage = z.infer<typeof RobotMessageSchema>;

/** `POST /v1.0/oauth2/accessToken` (obtain-the-access-token-of-an-internal-app). */
export const AccessTokenSchema = z.looseObject({ accessToken: z.string().min(1), expireIn: z.number().positive() });

/** `POST /v1.0/gateway/connections/open`: where to connect, with a one-use ticket valid 90 s. */
export const GatewaySchema = z.looseObject({ endpoint: z.string().min(1), ticket: z.string().min(1) });

/** A frame DingTalk pushes over the Stream connection; `data` is a JSON string. */
export const StreamFrameSchema = z.looseObject({
  type: z.string(),
  headers: z.looseObject({ topic: z.string().optional(), messageId: z.string().optional() }),
  data: z.string().optional(),
});

/** Custom robot and sessionWebhook answers: HTTP 200 even on failure, with an errcode. */
export const WebhookAnswerSchema = z.looseObject({ errcode: z.number().int().optional(), errmsg: z.string().optional() });

/** `POST oapi /media/upload`: the picture's media id (valid about 3 days), or an errcode. */
export const MediaUploadSchema = z.looseObject({ errcode: z.number().int().optional(), errmsg: z.string().optional(), media_id: z.string().min(1).optional() });

/** OpenAPI errors come as non-2xx with `{code, message}`. */
export const OpenApiErrorSchema = z.looseObject({ code: z.string().optional(), message: z.string().optional() });
