/** Plain text for the terminal and `duban say`: tones are dropped, the title is a line of its own. */
import type { Line, OutgoingMessage } from '../core/types.js';

export const lineText = (line: Line): string => line.map((s) => (typeof s === 'string' ? s : s.text)).join('');

export function renderText(message: OutgoingMessage): string {
  const lines = message.lines.map(lineText);
  return (message.title === undefined ? lines : [`【${message.title}】`, ...lines]).join('\n');
}
