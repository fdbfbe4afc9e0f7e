/**
 * A decrypted WeCom callback as the router sees it. Only text and mixed messages are commands;
 * the rest are answered without running one.
 */
import type { IncomingMessage } from '../../core/types.js';
import { stripMention } from '../../domain/parse/index.js';
import type { MixedPayload, Payload, TextPayload } from './schema.js';

export type Inbound =
  | { kind: 'message'; message: IncomingMessage; responseUrl?: string }
  /** A picture, voice, file or video: the bot reads text only. `chat`: the group's chatid, or the sender in a single chat. */
  | { kind: 'not-text'; msgid: string; chat: string }
  /** A refresh of stream `streamId` (only if a reply was left unfinished). */
  | { kind: 'stream'; streamId: string }
  /** enter_chat, template_card_event, feedback_event…: an empty 200 is the documented answer. */
  | { kind: 'event'; eventType: string };

export function normalize(parsed: Payload): Inbound | { kind: 'malformed'; reason: string } {
  switch (parsed.kind) {
    case 'text':
      return message(parsed.payload, parsed.payload.text.content);
    case 'mixed':
      return message(parsed.payload, mixedText(parsed.payload));
    case 'stream':
      return { kind: 'stream', streamId: parsed.payload.stream.id };
    case 'event':
      return { kind: 'event', eventType: parsed.payload.event.eventtype };
    case 'other':
      return { kind: 'not-text', msgid: parsed.payload.msgid, chat: parsed.payload.chatid ?? parsed.payload.from.userid };
  }
}

/** The text parts of a text-and-picture message, in order. */
function mixedText(payload: MixedPayload): string {
  return payload.mixed.msg_item
    .flatMap((item) => (item.msgtype === 'text' && item.text ? [item.text.content] : []))
    .join(' ');
}

function message(payload: TextPayload | MixedPayload, content: string): Inbound | { kind: 'malformed'; reason: string } {
  // `chattype` is documented on every message; a group without its chatid could not be told apart.
  const group = payload.chattype === 'group' || (payload.chattype === undefined && payload.chatid !== undefined);
  if (group && payload.chatid === undefined) return { kind: 'malformed', reason: 'group message without chatid' };
  const userid = payload.from.userid;
  return {
    kind: 'message',
    message: {
      chat: { platform: 'wecom', id: group && payload.chatid !== undefined ? payload.chatid : userid, type: group ? 'group' : 'direct' },
      sender: { id: userid },
      text: withoutMention(content),
      messageId: payload.msgid,
    },
    ...(payload.response_url === undefined || payload.response_url === '' ? {} : { responseUrl: payload.response_url }),
  };
}

/**
 * The text without the leading `@机器人名`, which WeCom keeps in text.content (docs/protocols/wecom.md §1.3, page 100719). WeCom ends
 * a mention with U+2005, so a robot name with spaces or brackets (`@Duban Bot`, `@督办助手(测试)`)
 * goes whole; without one, the usual rule of a name followed by a space applies.
 */
export function withoutMention(content: string): string {
  const cut = /^\s*[@＠][^\u2005\n]{1,64}\u2005/u.exec(content);
  return stripMention(cut ? content.slice(cut[0].length) : content);
}
