/** A line typed in the terminal, as the message a platform's webhook would have brought. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from '../../core/types.js';
import type { ChatPlatform } from '../../domain/model.js';

export interface Speaker {
  platform: ChatPlatform;
  /** A group chat id; absent means a direct chat with the bot. */
  chat?: string;
  user: string;
  name?: string;
}

export function consoleMessage(speaker: Speaker, text: string, messageId = `console-${randomUUID()}`): IncomingMessage {
  return {
    chat: { platform: speaker.platform, id: speaker.chat ?? speaker.user, type: speaker.chat === undefined ? 'direct' : 'group' },
    sender: { id: speaker.user, ...(speaker.name === undefined ? {} : { name: speaker.name }) },
    text,
    messageId,
  };
}
