/** Small tools for driving many requests at once and waiting for a condition, shared by the fault tests. */
import { createServer, type AddressInfo } from 'node:net';

/** Runs `work` on every item with at most `concurrency` at a time; resolves when all are done. */
export async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

/** Resolves once `done()` holds, polling; rejects with `what` after `timeoutMs`. */
export async function until(done: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${String(timeoutMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How often each value occurs. */
export function counts<T>(values: Iterable<T>): Map<T, number> {
  const seen = new Map<T, number>();
  for (const value of values) seen.set(value, (seen.get(value) ?? 0) + 1);
  return seen;
}

/**
 * Runs every clean-up step, even after one fails (a server must not outlive a failed stop of
 * another), then throws the first failure. Steps for things never started may be undefined.
 */
export async function closeAll(steps: ReadonlyArray<(() => unknown) | undefined>): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step?.();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0] instanceof Error ? failures[0] : new Error(String(failures[0]));
}

/** A port nothing listens on right now, for a child process to take. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((ready) => probe.listen(0, '127.0.0.1', ready));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => probe.close(() => { done(); }));
  return port;
}

/** Throws when something listens on `port` already: a leftover of an interrupted run would answer in place of the process a test starts there. */
export async function assertPortFree(port: number): Promise<void> {
  const probe = createServer();
  await new Promise<void>((done, fail) => {
    probe.once('error', (error) => { fail(new Error(`port ${String(port)} is taken, maybe by a process left from an interrupted run`, { cause: error })); });
    probe.listen(port, '127.0.0.1', done);
  });
  await new Promise<void>((done) => probe.close(() => { done(); }));
}
