/** A DingTalk robot message as the router sees it, and where its reply goes. */
import type { IncomingMessage } from '../../core/types.js';
import type { RobotMessage } from './schema.js';

/** Where and to whom a reply goes: the message's own sessionWebhook while it lasts. */
export interface ReplyTarget {
  sessionWebhook: string;
  /** ms since the epoch. */
  expiresAt: number;
  /** The conversation: the group's openConversationId, for a send when the webhook has expired. */
  conversationId: string;
  direct: boolean;
  /** Who to @ (groups) or write to (direct chats); absent for external members. */
  staffId?: string;
}

export type Inbound =
  | { kind: 'message'; message: IncomingMessage; replyTo: ReplyTarget }
  /** A picture, rich text without text, audio, video or file. */
  | { kind: 'not-text'; msgId: string; replyTo: ReplyTarget };

export function normalize(payload: RobotMessage): Inbound {
  const staffId = payload.senderStaffId === '' ? undefined : payload.senderStaffId;
  const direct = payload.conversationType === '1';
  const replyTo: ReplyTarget = {
    sessionWebhook: payload.sessionWebhook,
    expiresAt: payload.sessionWebhookExpiredTime,
    conversationId: payload.conversationId,
    direct,
    ...(staffId === undefined ? {} : { staffId }),
  };
  if (payload.msgtype !== 'text' || payload.text === undefined) return { kind: 'not-text', msgId: payload.msgId, replyTo };
  // Without a staff id (unpublished robot, external member) the encrypted senderId still tells people apart.
  const sender = staffId ?? payload.senderId;
  return {
    kind: 'message',
    message: {
      chat: { platform: 'dingtalk', id: payload.conversationId, type: direct ? 'direct' : 'group' },
      sender: { id: sender, ...(payload.senderNick === undefined ? {} : { name: payload.senderNick }) },
      // DingTalk removes the robot's own @ in groups and leaves a leading space.
      text: payload.text.content.trim(),
      messageId: payload.msgId,
    },
    replyTo,
  };
}
