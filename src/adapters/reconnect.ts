/**
 * What the platforms' own connections (DingTalk's Stream, WeCom's long connection) share: the loop
 * that keeps one up — run a session, and when it ends wait before the next, from `firstMs`,
 * doubling after each session that never came up, to `maxMs`, and back to `firstMs` after one that
 * did, with jitter so that the instances and bots that lost the platform together do not come back
 * together — the hang-up, and reading a frame as text.
 */
import type { Logger } from '../core/logger.js';

export interface Backoff {
  firstMs: number;
  maxMs: number;
}

export interface ReconnectOptions {
  /** One connection, until it ends; resolves true when it was up. */
  session: () => Promise<boolean>;
  /** Whether to stop: asked after each session and each wait. */
  over: () => boolean;
  backoff: Backoff;
  log: Logger;
  /** How the log names the connection. */
  name: string;
}

export interface Reconnecting {
  /** Resolves once `over()` says so. */
  done: Promise<void>;
  /** Cuts the current wait short (stopping: `over()` now says so). */
  wake(): void;
}

export function keepConnected({ session, over, backoff, log, name }: ReconnectOptions): Reconnecting {
  let wake: () => void = () => undefined;
  const pause = (ms: number): Promise<void> =>
    new Promise((done) => {
      const timer = setTimeout(done, ms);
      wake = () => {
        clearTimeout(timer);
        done();
      };
    });

  async function run(): Promise<void> {
    let failures = 0;
    while (!over()) {
      if (await session()) failures = 0;
      if (over()) break;
      const delay = Math.min(backoff.maxMs, backoff.firstMs * 2 ** failures);
      failures += 1;
      const wait = Math.round(delay / 2 + Math.random() * (delay / 2));
      log.info(`${name} reconnecting`, { attempt: failures, inMs: wait });
      await pause(wait);
    }
  }

  return { done: run(), wake: () => { wake(); } };
}

/** How long a closing socket may take to answer our close frame before it is cut. */
const CLOSE_GRACE_MS = 1000;

/** Closes a socket, and cuts it a moment later if it never answers (a half-open connection never does). */
export function hangUp(socket: { close(): void; terminate(): void }): void {
  socket.close();
  setTimeout(() => { socket.terminate(); }, CLOSE_GRACE_MS).unref();
}

/** A received WebSocket message as text: `ws` hands it over as one buffer, an ArrayBuffer or fragments. */
export function frameText(data: Buffer | ArrayBuffer | Buffer[]): string {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  return bytes.toString('utf8');
}
