/** A flood test's router: every message waits behind a gate the test opens; the most at once is kept. */
import type { RouteMessage, RouteOptions } from '../../src/core/router.js';
import type { IncomingMessage, OutgoingMessage } from '../../src/core/types.js';

export function gated(inner: RouteMessage): { route: RouteMessage; open(): void; started: () => number; most: () => number } {
  let open = (): void => undefined;
  const gate = new Promise<void>((done) => (open = done));
  let running = 0;
  let most = 0;
  let started = 0;
  // The caller's options go through: an adapter's `unless` (a DingTalk claim lost) must still hold.
  function route(message: IncomingMessage): Promise<OutgoingMessage>;
  function route(message: IncomingMessage, options: RouteOptions): Promise<OutgoingMessage | undefined>;
  async function route(message: IncomingMessage, options?: RouteOptions): Promise<OutgoingMessage | undefined> {
    started += 1;
    running += 1;
    most = Math.max(most, running);
    try {
      await gate;
      return await (options ? inner(message, options) : inner(message));
    } finally {
      running -= 1;
    }
  }
  return { route, open, started: () => started, most: () => most };
}
