/**
 * A TCP hop to the test Redis that freezes chosen connections: once the bytes a client sends on a
 * connection contain `pattern`, nothing more passes on it either way, and it stays open. A client
 * waiting on a frozen connection gets neither an answer nor an error, which is how a BullMQ
 * worker's blocking connection looks when it has wedged after a Redis outage
 * (src/outbox/watchdog.ts): the worker seems to run and takes up nothing.
 */
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

export interface FreezingProxy {
  /** A Redis URL that goes through the hop, with the credentials of the upstream one. */
  url: string;
  /** Connections frozen so far. */
  frozen(): number;
  close(): Promise<void>;
}

/** `upstream`: a unix socket path, or a `redis://` URL (as test/helpers/redis.ts gives them). */
export async function startFreezingProxy(upstream: string, pattern: string): Promise<FreezingProxy> {
  const target = upstream.startsWith('/') ? undefined : new URL(upstream.includes('://') ? upstream : `redis://${upstream}`);
  const sockets = new Set<Socket>();
  let frozen = 0;

  const server = createServer((client) => {
    const redis = target ? createConnection(Number(target.port || 6379), target.hostname) : createConnection(upstream);
    sockets.add(client).add(redis);
    let stuck = false;
    // A command may come in more than one chunk: match on what came lately.
    let recent = '';
    client.on('data', (chunk: Buffer) => {
      if (stuck) return;
      recent = (recent + chunk.toString('latin1')).slice(-4096);
      if (recent.includes(pattern)) {
        stuck = true;
        frozen += 1;
        return;
      }
      redis.write(chunk);
    });
    redis.on('data', (chunk: Buffer) => {
      if (!stuck) client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      redis.destroy();
      sockets.delete(client);
      sockets.delete(redis);
    };
    client.on('error', end).on('close', end);
    redis.on('error', end).on('close', end);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  const auth = target && (target.username || target.password) ? `${target.username}:${target.password}@` : '';

  return {
    url: `redis://${auth}127.0.0.1:${String(port)}${target?.pathname && target.pathname !== '/' ? target.pathname : ''}`,
    frozen: () => frozen,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}
