/**
 * An open-model load at a fixed rate: request n is due at n / rate seconds and is sent then,
 * whether or not earlier ones have been answered, so the requests of a second are spread over it
 * (k6's constant-arrival-rate executor, https://grafana.com/docs/k6/latest/using-k6/scenarios/executors/constant-arrival-rate/:
 * "Iteration starts are spaced fractionally"). A latency runs from the moment the request was
 * due, not from when it went out: a request held back — by a connection still busy with a slow
 * answer, or by this process's own event loop — counts its wait, as wrk2 counts it (coordinated
 * omission, https://github.com/giltene/wrk2#readme).
 *
 * autocannon's `overallRate` is not this: it gives each connection a quota per second that it
 * sends back to back from the start of the second (lib/httpClient.js, `reqsMadeThisSecond`), so
 * at 500/s over 10 connections every second opens with the server saturated by ten at once, and a
 * latency there measures the maximum rate again; and it times a request from when it was sent, so
 * a stall of the machine delays the requests after it unseen. inbound.ts runs this beside
 * autocannon's rate with BENCH_PACED=1.
 */
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface PacedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface PacedOptions<R extends PacedRequest> {
  port: number;
  amount: number;
  /** Requests a second. */
  rate: number;
  /** At most this many requests in flight; one due while all are busy waits for a connection (and counts the wait). */
  connections: number;
  next(): R;
  /** Each answer with its body, and the request it answers. */
  onAnswer?(status: number, body: string, sent: R): void;
  /** A request not answered within this is abandoned and counted as a timeout (autocannon's default, 10 s). */
  timeoutMs: number;
  /** The run is stopped after this; requests still unanswered are then neither answered nor failed. */
  limitMs: number;
  /** A request sent more than this after it was due waited: the rate was not held. */
  lateMs: number;
  signal: AbortSignal;
}

export interface PacedResult {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Latencies of 2xx answers in ms, from when each was due, sorted. */
  latencies: number[];
  /** Requests sent more than `lateMs` after they were due. */
  late: number;
  /** From the first request's due time to the last answer, in seconds. */
  seconds: number;
  cutShort: boolean;
}

export async function paced<R extends PacedRequest>(options: PacedOptions<R>): Promise<PacedResult> {
  const { amount, rate, signal } = options;
  signal.throwIfAborted();
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const result: PacedResult = { ok: 0, non2xx: 0, errors: 0, timeouts: 0, latencies: [], late: 0, seconds: 0, cutShort: false };
  const interval = 1000 / rate;
  const started = performance.now();
  const dueAt = (n: number): number => started + n * interval;
  let sent = 0;
  let settled = 0;
  let last = started;
  let pump: NodeJS.Timeout | undefined;

  try {
    await new Promise<void>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(pump);
        clearTimeout(limit);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const settle = (): void => {
        settled += 1;
        last = performance.now();
        if (settled === amount) finish();
      };
      const onAbort = (): void => {
        clearTimeout(pump);
        clearTimeout(limit);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const limit = setTimeout(() => {
        result.cutShort = true;
        finish();
      }, options.limitMs);
      signal.addEventListener('abort', onAbort, { once: true });

      const send = (n: number): void => {
        const due = dueAt(n);
        const prepared = options.next();
        let done = false;
        const failed = (): void => {
          if (done) return;
          done = true;
          result.errors += 1;
          settle();
        };
        const req = httpRequest(
          { agent, host: '127.0.0.1', port: options.port, method: 'POST', path: prepared.path, headers: { ...prepared.headers, 'content-length': String(Buffer.byteLength(prepared.body)) } },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => { body += chunk; });
            // A connection cut in the middle of an answer.
            res.on('error', failed);
            res.on('end', () => {
              if (done) return;
              done = true;
              const status = res.statusCode ?? 0;
              if (status >= 200 && status < 300) {
                result.ok += 1;
                result.latencies.push(performance.now() - due);
              } else {
                result.non2xx += 1;
              }
              options.onAnswer?.(status, body, prepared);
              settle();
            });
          },
        );
        req.on('socket', () => {
          if (performance.now() - due > options.lateMs) result.late += 1;
        });
        req.setTimeout(options.timeoutMs, () => {
          if (done) return;
          done = true;
          result.timeouts += 1;
          req.destroy();
          settle();
        });
        req.on('error', failed);
        req.end(prepared.body);
      };

      // Every request due by now goes out, then the timer is set for the next one: a late timer
      // sends what fell due meanwhile together, each still timed from its own due moment.
      const tick = (): void => {
        const now = performance.now();
        while (sent < amount && dueAt(sent) <= now) send(sent++);
        if (sent < amount) pump = setTimeout(tick, Math.max(0, dueAt(sent) - performance.now()));
      };
      if (amount === 0) finish();
      else tick();
    });
  } finally {
    agent.destroy();
  }
  result.latencies.sort((a, b) => a - b);
  result.seconds = (last - started) / 1000;
  return result;
}
