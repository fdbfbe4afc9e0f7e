/** A reply as the terminal shows it: plain text, and a picture saved as a file whose path is printed. */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutgoingMessage } from '../../core/types.js';
import { cli } from '../../messages/index.js';
import { renderText } from '../../render/plain.js';

let pictures: string | undefined;

/** A reply as the terminal shows it: a picture is saved as a file, and its path is printed first. */
export function shown(reply: OutgoingMessage): string {
  if (!reply.image) return renderText(reply);
  const bytes = Buffer.from(reply.image.base64, 'base64');
  // A folder of our own (mkdtemp): a shared /tmp/duban could be a link planted by someone else.
  pictures ??= mkdtempSync(join(tmpdir(), 'duban-'));
  const file = join(pictures, `${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}.png`);
  writeFileSync(file, bytes);
  return `${cli.chat.imageSaved(file)}\n${renderText(reply)}`;
}
