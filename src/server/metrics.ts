/**
 * The bot's counts in the Prometheus text format (prom-client), for `GET /metrics`
 * (src/server/app.ts). Its own registry, not prom-client's global one: two servers in one process
 * (the tests) count apart. Counters move as things happen (the `Metrics` port, src/core/metrics.ts);
 * the outbox's depth and Redis's state are read when scraped, so they are never stale.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../core/metrics.js';

export interface ScrapedDeps {
  /** Posts in the outbox by platform and state (waiting, delayed, active…). */
  outboxDepth?: () => Promise<ReadonlyArray<{ platform: string; state: string; count: number }>>;
  /** Whether Redis answers now. */
  redisUp?: () => Promise<boolean>;
  /** The process's own metrics too (memory, CPU, event loop lag, under prom-client's standard names). */
  processMetrics?: boolean;
}

export interface PromMetrics extends Metrics {
  /** The exposition, as a scrape reads it. */
  scrape(): Promise<string>;
  /** Its content type: text/plain; version=0.0.4. */
  readonly contentType: string;
}

/**
 * A scrape must answer while Redis does not: what Redis would say is left out after this long,
 * and `duban_redis_up` says 0. A second is far beyond a healthy Redis's round trip, and well
 * within Prometheus's default scrape timeout (10 s).
 */
export const SCRAPE_REDIS_MS = 1000;

/**
 * Seconds from a message reaching the router to its answer. A report's goal is 20 ms at p99
 * (docs/design.md §8); WeCom drops a callback not answered within 5 s (docs/protocols/wecom.md §1.1,
 * page 90238), so the buckets go from a few milliseconds to past that.
 */
const REPLY_BUCKETS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createPromMetrics(deps: ScrapedDeps = {}): PromMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (deps.processMetrics === true) collectDefaultMetrics({ register: registry });

  const messages = new Counter({ name: 'duban_messages_total', help: 'Messages answered, by platform and outcome (replied, duplicate, refused, failed, unavailable).', labelNames: ['platform', 'outcome'] as const, registers });
  const replySeconds = new Histogram({ name: 'duban_reply_seconds', help: 'Seconds the router took to answer a message, by platform.', labelNames: ['platform'] as const, buckets: REPLY_BUCKETS, registers });
  const reports = new Counter({ name: 'duban_reports_recorded_total', help: 'Reports (上报) recorded, repeats not counted, by platform.', labelNames: ['platform'] as const, registers });
  const sent = new Counter({ name: 'duban_outbox_sent_total', help: 'Posts delivered whole, by platform.', labelNames: ['platform'] as const, registers });
  const failed = new Counter({ name: 'duban_outbox_failed_total', help: 'Sends that failed and will be tried again, by platform.', labelNames: ['platform'] as const, registers });
  const dead = new Counter({ name: 'duban_outbox_dead_total', help: 'Posts given up for good (dead letters), by platform.', labelNames: ['platform'] as const, registers });
  const paused = new Counter({ name: 'duban_outbox_rate_limit_pauses_total', help: 'Lanes paused because the platform said too fast, by platform.', labelNames: ['platform'] as const, registers });
  const jobRuns = new Counter({ name: 'duban_job_runs_total', help: 'Scheduled job runs, by job and outcome (ran, rest-day, failed).', labelNames: ['job', 'outcome'] as const, registers });
  const missed = new Counter({ name: 'duban_missed_slots_total', help: 'Job slots missed while no instance ran, by job and what became of them (caught-up, left).', labelNames: ['job', 'what'] as const, registers });
  const connections = new Gauge({ name: 'duban_connection_up', help: 'Whether each platform connection of this instance is up (1) or not (0).', labelNames: ['connection'] as const, registers });

  new Gauge({
    name: 'duban_outbox_depth',
    help: 'Posts in the outbox not yet delivered, by platform and state (waiting, delayed, active, prioritized).',
    labelNames: ['platform', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      const depth = await within(deps.outboxDepth?.());
      for (const { platform, state, count } of depth ?? []) this.set({ platform, state }, count);
    },
  });
  new Gauge({
    name: 'duban_redis_up',
    help: 'Whether Redis answered a PING within a second when scraped (1) or not (0).',
    registers,
    async collect() {
      this.set((await within(deps.redisUp?.())) === true ? 1 : 0);
    },
  });

  return {
    message(platform, outcome, seconds) {
      messages.inc({ platform, outcome });
      replySeconds.observe({ platform }, seconds);
    },
    reportRecorded: (platform) => { reports.inc({ platform }); },
    postSent: (platform) => { sent.inc({ platform }); },
    postFailed: (platform) => { failed.inc({ platform }); },
    postDead: (platform) => { dead.inc({ platform }); },
    ratePaused: (platform) => { paused.inc({ platform }); },
    jobRun: (job, outcome) => { jobRuns.inc({ job, outcome }); },
    slotMissed: (job, what) => { missed.inc({ job, what }); },
    connection: (name, up) => { connections.set({ connection: name }, up ? 1 : 0); },
    scrape: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** What `answer` resolves to within SCRAPE_REDIS_MS; undefined when it fails or takes longer. */
async function within<T>(answer: Promise<T> | undefined): Promise<T | undefined> {
  if (answer === undefined) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((done) => { timer = setTimeout(() => { done(undefined); }, SCRAPE_REDIS_MS); });
  try {
    return await Promise.race([answer.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
