/** A flood test's router: every message waits behind a gate the test opens; the most at once is kept. */
import type { RouteMessage } from '../../src/core/router.js';

export function gated(inner: RouteMessage): { route: RouteMessage; open(): void; started: () => number; most: () => number } {
  let open = (): void => undefined;
  const gate = new Promise<void>((done) => (open = done));
  let running = 0;
  let most = 0;
  let started = 0;
  const route: RouteMessage = async (message) => {
    started += 1;
    running += 1;
    most = Math.max(most, running);
    try {
      await gate;
      return await inner(message);
    } finally {
      running -= 1;
    }
  };
  return { route, open, started: () => started, most: () => most };
}
