/**
 * The terminal as a platform: `duban say`, `duban chat` and the demo build `IncomingMessage`s
 * as the webhooks do (inbound.ts), and posts into the county's console groups are printed
 * (send.ts). It needs no credentials, so it is always on.
 */
import type { PlatformAdapter } from '../../core/platform.js';
import { consolePoster } from './send.js';

export { castOf, chat, defaultSpeaker, say, type Cast } from './inbound.js';
export { consoleMessage, type Speaker } from './normalize.js';

/** `write` is where posts to the terminal's groups go. */
export function createConsole(write: (text: string) => void): PlatformAdapter {
  return {
    platform: 'console',
    poster: consolePoster(write),
    // Typed lines are routed by `say` and `chat` directly: nothing to mount or open.
    receive: () => ({ routes: [], start() {}, stop: () => Promise.resolve(), describe: 'console is on: duban say, duban chat and the demo' }),
  };
}
