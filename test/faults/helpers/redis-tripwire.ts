/**
 * A TCP hop between the app and a private redis-server that kills the server at one exact point:
 * right after it has answered a command the test names, before the app can send the next one.
 * The answer is held until the server is dead, then passed on and the connection closed; until
 * `reopen`, connections are refused, as they are by a Redis that is down. That is "Redis died
 * just after the write", made repeatable.
 */
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** More than a command's keys and arguments; a script's body may be longer, and is not matched on. */
const RECENT_CHARS = 4096;

export interface Tripwire {
  /** `redis://127.0.0.1:port`, for REDIS_URL. */
  url: string;
  /** The next command whose bytes satisfy `matches` is answered, then the server is killed. */
  arm(matches: (command: string) => boolean): void;
  /** Takes connections again, once the server was started again. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `socketPath` is the server's unix socket; `kill` stops it for good (SIGKILL) and resolves once
 * it is gone.
 */
export async function startTripwire(socketPath: string, kill: () => Promise<void>): Promise<Tripwire> {
  let armed: ((command: string) => boolean) | undefined;
  const pairs = new Set<Socket>();

  const hop = (client: Socket): void => {
    const upstream = createConnection(socketPath);
    pairs.add(client).add(upstream);
    let holding = false;
    const end = (): void => {
      if (holding) return;
      client.destroy();
      upstream.destroy();
      pairs.delete(client);
      pairs.delete(upstream);
    };
    // A long command (a script sent whole with EVAL) comes in several chunks: match on what came lately.
    let recent = '';
    let killAfterAnswer = false;
    client.on('data', (chunk: Buffer) => {
      recent = (recent + chunk.toString('utf8')).slice(-RECENT_CHARS);
      if (armed?.(recent)) {
        armed = undefined;
        recent = '';
        killAfterAnswer = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!killAfterAnswer) {
        client.write(chunk);
        return;
      }
      killAfterAnswer = false;
      holding = true;
      client.pause();
      // Refused from now on; open connections are ended here, not awaited.
      server.close();
      void kill().then(() => {
        // end, not destroy: the held answer must reach the app before the connection closes.
        client.end(chunk);
        holding = false;
        for (const socket of pairs) if (socket !== client) socket.destroy();
      });
    });
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  };

  const listenOn = (port: number): Promise<Server> =>
    new Promise((done) => {
      const listening = createServer(hop).listen(port, '127.0.0.1', () => { done(listening); });
    });
  let server = await listenOn(0);
  const { port } = server.address() as AddressInfo;

  return {
    url: `redis://127.0.0.1:${String(port)}`,
    arm(matches) {
      armed = matches;
    },
    async reopen() {
      server = await listenOn(port);
    },
    async close() {
      for (const socket of pairs) socket.destroy();
      if (server.listening) await new Promise((done) => server.close(done));
    },
  };
}
