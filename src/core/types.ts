/**
 * What commands and jobs see of the platforms: nothing platform-specific. Adapters turn their
 * payloads into `IncomingMessage` and render `OutgoingMessage` for their platform.
 */
import type { ChatPlatform } from '../domain/model.js';

export interface ChatRef {
  platform: ChatPlatform;
  /** The platform's chat id (WeCom chatid, DingTalk conversationId, a console chat name). */
  id: string;
  type: 'group' | 'direct';
}

export interface IncomingMessage {
  chat: ChatRef;
  sender: { id: string; name?: string };
  /** The text as typed, with or without the leading @-mention (the router strips it). */
  text: string;
  /** The platform's message id: dedupe and the ledger's source. */
  messageId: string;
}

/** How a piece of text should stand out; renderers map it to colour or emphasis. */
export type Tone = 'strong' | 'good' | 'warn' | 'bad' | 'muted';
export type Span = string | { text: string; tone: Tone };
export type Line = readonly Span[];

/** A reply or a post, as structured text: a title, lines of spans, and who to @. */
export interface OutgoingMessage {
  title?: string;
  lines: readonly Line[];
  /** User ids to notify with a real @ where the platform allows it. */
  mentions?: readonly string[];
  /** A picture (PNG or JPEG bytes, base64) shown before the text where the platform can show one. */
  image?: { base64: string };
}

/** `mentions` only when there is someone to @. */
export const withMentions = (mentions: readonly string[]): { mentions?: readonly string[] } => (mentions.length > 0 ? { mentions } : {});

/** A message of plain sentences, one per line. */
export const plain = (...lines: string[]): OutgoingMessage => ({ lines: lines.map((l) => [l]) });

/** The ledger's and dedupe's name for a message: platform ids are unique only within a platform. */
export const sourceOf = (message: IncomingMessage): string => `${message.chat.platform}:${message.messageId}`;
