/**
 * A redis-server of the test's own, on a unix socket in a temp dir, that the test may stop and
 * start again on the same data. The AOF is fsynced on every write (`--appendfsync always`), so
 * whatever the server confirmed to a client must still be there after a restart, however it was
 * stopped. Started the way `src/store/connect.ts` starts the app's private server, apart from that.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface PrivateRedis {
  /** `unix://…`, as REDIS_URL spells a socket. */
  url: string;
  /** Stops the server: SHUTDOWN lets it finish writing and exit; SIGKILL gives it no chance to. */
  stop(how: 'SHUTDOWN' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same data dir and socket; resolves once it answers PING. */
  start(): Promise<void>;
  /** Kills the server if it runs and removes its data. Safe to call twice. */
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'duban-fault-redis-'));
  const socket = join(dir, 'redis.sock');
  const args = ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
  let child: ChildProcess | undefined;

  const exited = (server: ChildProcess): Promise<void> =>
    server.exitCode !== null || server.signalCode !== null ? Promise.resolve() : new Promise((done) => server.once('exit', () => { done(); }));

  async function answers(): Promise<boolean> {
    const probe = new Redis({ path: socket, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    // A probe that is meant to fail would otherwise print "Unhandled error event".
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      return true;
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  }

  async function start(): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) throw new Error('private redis-server is already running');
    const started = spawn('redis-server', args, { stdio: 'ignore' });
    child = started;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (started.exitCode !== null) throw new Error(`redis-server exited with ${String(started.exitCode)} on start`);
      if (await answers()) return;
      await new Promise((done) => setTimeout(done, 50));
    }
    started.kill('SIGKILL');
    throw new Error('redis-server did not answer on its socket in time');
  }

  async function stop(how: 'SHUTDOWN' | 'SIGKILL'): Promise<void> {
    const running = child;
    if (!running) return;
    const gone = exited(running);
    if (how === 'SIGKILL') {
      running.kill('SIGKILL');
    } else {
      const admin = new Redis({ path: socket, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      admin.on('error', () => undefined);
      await admin.connect();
      // The server closes the connection instead of answering: the rejection is the success.
      await admin.shutdown().catch(() => undefined);
      admin.disconnect();
    }
    await gone;
    child = undefined;
  }

  await start();
  return {
    url: `unix://${socket}`,
    stop,
    start,
    async close() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
