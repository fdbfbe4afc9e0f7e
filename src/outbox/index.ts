/**
 * The outbox (docs/design.md §4, §7): every unprompted post goes through a durable BullMQ queue in Redis.
 *
 * - Each post has a key (job, period, group) that is its BullMQ job id: enqueuing it twice posts
 *   it once, also from two instances or after a crash mid-fan-out.
 * - Per lane (a group's way of posting) posts are spaced — at most `perMinute` a minute — and go
 *   out one at a time, in the order they were enqueued: the send time is reserved in Redis when
 *   the post is enqueued (reserve-slot.lua), and each lane keeps a line of its posts in which
 *   only the front one may be sent (a send may take its full timeout, a retry minutes).
 * - A post of several parts (a chart and its text, a long message split) records each part sent,
 *   the last one too, so a retry goes on from the part that failed and a job taken up again after
 *   its process died sends nothing it sent before.
 * - A part is sent only while this worker holds the job's BullMQ lock, renewed just before: a job
 *   whose lock ran out (its worker wedged, or cut off from Redis) is another worker's now.
 * - A watchdog (watchdog.ts) replaces a worker that leaves due posts untouched, as BullMQ workers
 *   have done after Redis outages; a post that finds Redis away is tried again each second, and
 *   that spends none of its tries.
 * - Nothing goes out outside the posting window (working days, office hours): a post due then
 *   pauses its lane until the window opens.
 * - "Too fast" (WeCom 45009, DingTalk 130101) pauses the lane: everything it has scheduled
 *   moves later together (pause-lane.lua), keeping order and spacing, and counts as no failure.
 *   Network errors and 5xx pause it too, for a backoff that doubles each attempt, and give up
 *   after `attempts`.
 * - A permanent refusal (the group's robot was removed) is a dead letter: kept in Redis, logged,
 *   and told to the leaders' groups once a day per lane.
 */
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { connectAgainWhenEnded, type RedisClient } from '../store/connect.js';
import { SendError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { noMetrics, type Metrics } from '../core/metrics.js';
import { laneOf, type Post, type Posts, type Refresher, type SlotPosts, type WindowAt } from '../core/posts.js';
import { beijingInstant } from '../domain/dates.js';
import type { ChatPlatform, Group } from '../domain/model.js';
import type { Poster } from '../core/platform.js';
import type { CountyStore } from '../store/county.js';
import type { DeliveryStore } from '../store/deliveries.js';
import type { PacingStore } from '../store/pacing.js';
import type { PictureStore } from '../store/pictures.js';
import { isRedisAway } from '../store/durable.js';
import type { HealthStore } from '../store/health.js';
import type { DeadLetter } from '../store/types.js';
import { createQueuedPosts, type QueuedPost } from './queued-post.js';
import { startWatchdog, type Watchdog } from './watchdog.js';

/** `dropped`: a refreshed post that had nothing left to say when its time came. */
export type PostState = 'sent' | 'dropped' | 'dead' | 'pending';

/**
 * `enqueue` queues the posts; a key queued before is left as it is, and a post for a platform that
 * is off (no credentials) is not queued. `delivering`: a worker of this queue is connected, here or
 * in another process (undefined when Redis refuses CLIENT LIST).
 */
export interface Outbox extends Posts, SlotPosts {
  /** Starts delivering. */
  start(): void;
  /** Where each post stands; waits (polling) until none is pending or `timeoutMs` has passed. */
  settled(keys: readonly string[], timeoutMs: number): Promise<Map<string, PostState>>;
  /**
   * Posts not yet delivered, by platform and BullMQ state (waiting, delayed, active, prioritized):
   * for /metrics. Every platform with a poster is given in every state, so a graph reads 0, not
   * nothing, for an empty outbox.
   */
  depth(): Promise<DepthCount[]>;
  close(): Promise<void>;
}

export interface OutboxOptions {
  redis: RedisClient;
  /** BullMQ's key prefix, from `keys.queuePrefix()`. */
  queuePrefix: string;
  /** Each lane's pacing and line, what became of posts, their pictures, and the group a post goes to. */
  store: PacingStore & DeliveryStore & PictureStore & Pick<CountyStore, 'group'> & Pick<HealthStore, 'ping'>;
  posters: Partial<Record<ChatPlatform, Poster>>;
  log: Logger;
  /**
   * Posts a minute per lane, for every platform (tests); else each poster's own `perMinute`, else
   * 18: the webhooks allow 20 a minute, and 18 leaves room for a clock that runs a little fast.
   */
  perMinute?: number;
  /** The pacing window (a minute); tests shorten it. */
  windowMs?: number;
  backoff?: { firstMs: number; maxMs: number; attempts: number };
  concurrency?: number;
  /** When posts may go out; always, when absent (tests, and terminal groups). */
  window?: WindowAt;
  /**
   * Told of each post given up for good (a dead letter) once it is kept, with the outbox to post
   * through: who should hear of it, and in what words, is not the outbox's business.
   */
  onDeadLetter?: (letter: DeadLetter, posts: Posts) => Promise<void>;
  /** By kind, what makes a refreshed post's message as it goes out. */
  refreshers?: Readonly<Record<string, Refresher>>;
  /**
   * The county's clock, for what a refreshed post says; tests fix it. Pacing and delays keep the
   * wall clock: they are timers.
   */
  now?: () => Date;
  /** How often the watchdog looks whether the worker still works (30 s); tests shorten it. */
  watchdogMs?: number;
  /**
   * A job's lock, and how often jobs whose worker died are looked for (30 s): a post left active
   * by a killed process is taken up again within about twice this. Tests shorten it; it must
   * outlast a send (see LOCK_MS).
   */
  lockMs?: number;
  /** Where posts sent, failed, given up and paused are counted; nowhere by default. */
  metrics?: Metrics;
}

export interface DepthCount {
  platform: string;
  state: string;
  count: number;
}

/** The BullMQ states of a post not yet delivered, and the key suffix of each one's job ids. */
const UNDELIVERED = [
  { state: 'waiting', suffix: 'wait' },
  { state: 'delayed', suffix: 'delayed' },
  { state: 'active', suffix: 'active' },
  { state: 'prioritized', suffix: 'prioritized' },
] as const;

interface PostJob {
  /** A picture in it is stored apart, by id (`queued-post.ts`). */
  post: QueuedPost;
  /** The post's lane (`laneOf`); the field keeps its first name, as queued jobs outlive a deploy. */
  robot: string;
  /** The reserved send time minus the lane's shift then: `base + shift` is when it goes. */
  base: number;
  /** Failures so far. */
  failures: number;
  /** Parts already sent, for a retry to go on from. */
  sentParts?: number;
  /** Every part was sent: a job taken up again after its process died sends nothing. */
  allSent?: true;
  /** Sent without asking the posting window: see `EnqueueOptions.windowDecided`. */
  windowDecided?: true;
}

const QUEUE = 'outbox';
/** A post picked up this much before its time goes anyway: timers are not exact. */
const EARLY_MS = 50;
/** How often a post behind another of its lane looks whether its turn has come. */
const BUSY_RETRY_MS = 500;
/** A post that met Redis away is tried again this much later, as often as it takes. */
const AWAY_RETRY_MS = 1_000;
/** A worker lost mid-send, or a bug: BullMQ's own retries, apart from the platform answers above and Redis away. */
const INFRA_ATTEMPTS = 5;
const DAY_S = 24 * 60 * 60;
/** A finished job is the record that its key was posted (and a bundle's, of the keys it covered): past a month's ranking. */
const POSTED_KEPT_S = 40 * DAY_S;

/** Posts queued together: their reads, reservations and adds each go to Redis at once. */
const ENQUEUE_BATCH = 500;

/** A completed job's return value when its refreshed post had nothing left to say. */
const DROPPED = 'dropped';

/**
 * A job's lock, as BullMQ's worker sets and renews it (its default, as is checking every 30 s for
 * jobs whose lock ran out), and as a send renews it: it outlasts a send, which gives up after at
 * most 10 s (src/adapters/http.ts; over WeCom's long connection, 5 s: src/adapters/wecom/socket.ts),
 * so a lock renewed before a send still holds when it ends.
 */
const LOCK_MS = 30_000;
const WATCHDOG_MS = 30_000;
/** How long `close` waits for posts being sent before it cuts the worker's connections. */
const CLOSE_WAIT_MS = 10_000;
/** Cutting connections does not wait on Redis; this is only in case it does. */
const CUT_WAIT_MS = 2_000;

/** The job's lock could not be renewed before a send, so nothing was sent. */
class Unlocked extends Error {
  /** Another worker holds the job now (Redis answered); else Redis did not answer. */
  readonly lost: boolean;
  constructor(lost: boolean, options?: ErrorOptions) {
    super(lost ? 'the job\'s lock is held by another worker' : 'the job\'s lock could not be renewed', options);
    this.lost = lost;
  }
}

/** Whether `work` settled within `ms`; the timer does not outlive it. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((done) => { timer = setTimeout(() => { done(false); }, ms); });
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** BullMQ job ids may not contain ':' (it separates BullMQ's own key parts). */
export const jobIdOf = (key: string): string => key.replaceAll(':', '|');

export function createOutbox(options: OutboxOptions): Outbox {
  const { store, log, posters } = options;
  const metrics = options.metrics ?? noMetrics;
  const spacingOf = (poster: Poster): number => Math.ceil((options.windowMs ?? 60_000) / (options.perMinute ?? poster.perMinute ?? 18));
  const backoff = options.backoff ?? { firstMs: 60_000, maxMs: 30 * 60_000, attempts: 8 };
  const lockMs = options.lockMs ?? LOCK_MS;
  const connection = options.redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false });
  let closed = false;
  connectAgainWhenEnded(connection, log, () => closed);
  const queue = new Queue<PostJob>(QUEUE, {
    connection,
    prefix: options.queuePrefix,
    defaultJobOptions: {
      removeOnComplete: { age: POSTED_KEPT_S },
      removeOnFail: { age: 90 * DAY_S },
      attempts: INFRA_ATTEMPTS,
      backoff: { type: 'exponential', delay: 5000 },
    },
  });
  let worker: Worker<PostJob, string | undefined> | undefined;
  let watchdog: Watchdog | undefined;
  /** Workers made so far: each one's name says which it is in CLIENT LIST and in the log. */
  let generation = 0;
  /** Jobs taken up or finished by any worker of this outbox: the watchdog's sign of life. */
  let activity = 0;
  /** Posts are waiting for Redis: said once in the log, until one goes out again. */
  let waitingForRedis = false;
  const queuedPosts = createQueuedPosts(store, log);
  queue.on('error', (error) => { log.error('outbox queue error', { error }); });

  async function later(job: Job<PostJob>, token: string | undefined, at: number): Promise<never> {
    await job.moveToDelayed(at, token);
    throw new DelayedError();
  }

  async function bury(job: Job<PostJob>, code: string, reason: string): Promise<never> {
    const { post, robot: lane } = job.data;
    await store.leaveLine(lane, job.id ?? jobIdOf(post.key));
    const letter: DeadLetter = { key: post.key, platform: post.platform, chat: post.chat, code, reason, at: beijingInstant(new Date()) };
    await store.addDeadLetter(letter);
    log.error('post given up: dead letter', { key: post.key, platform: post.platform, chat: post.chat, code, reason });
    metrics.postDead(post.platform);
    await options.onDeadLetter?.(letter, outbox);
    throw new UnrecoverableError(`${code}: ${reason}`);
  }

  /**
   * Makes a refreshed post's message as things stand, once: the message is kept in the job, so a
   * retry sends what the first attempt began to send. False when there is nothing left to say.
   */
  async function refreshed(job: Job<PostJob>, group: Group): Promise<boolean> {
    const { refresh, ...post } = job.data.post;
    if (!refresh) return true;
    const refresher = options.refreshers?.[refresh.kind];
    if (!refresher) throw new Error(`no refresher for ${refresh.kind} posts`);
    const message = await refresher(refresh.data, group, options.now?.() ?? new Date());
    if (!message) return false;
    const { image, ...rest } = message;
    // A refreshed post carries no picture: pictures are stored by enqueue, not here.
    if (image) log.warn('a refreshed post made a picture; it is left out', { key: post.key });
    await job.updateData({ ...job.data, post: { ...post, message: rest } });
    return true;
  }

  async function deliver(job: Job<PostJob>, token: string | undefined): Promise<string | undefined> {
    const { robot: lane, base } = job.data;
    const due = base + (await store.laneShift(lane));
    if (due > Date.now() + EARLY_MS) await later(job, token, due);

    const { platform, chat } = job.data.post;
    const poster = posters[platform];
    if (!poster) return bury(job, 'platform-off', `${platform} is not configured`);
    const group = await store.group(platform, chat);
    if (!group) return bury(job, 'no-group', 'the group is no longer in the setup');

    // One post of a lane at a time, in the order they were queued: only the front of its line
    // goes. A post that fails or is paused stays in front, so nothing overtakes it.
    const id = job.id ?? jobIdOf(job.data.post.key);
    await store.lineUp(lane, id, base);
    const head = await store.lineHead(lane);
    if (head !== undefined && head !== id) {
      if (await stillWaiting(head)) await later(job, token, Date.now() + BUSY_RETRY_MS);
      // The front post is gone (finished, given up, removed): step past it.
      await store.leaveLine(lane, head);
      await later(job, token, Date.now());
    }

    // Only the front post pauses the lane for the window: the posts behind it move with it.
    const window = job.data.windowDecided ? undefined : await options.window?.(new Date());
    if (window && !window.now) await later(job, token, base + (await store.pauseLane(lane, Date.now(), window.next.getTime() - Date.now())));

    // Reserved times keep posts apart when they run on time; a worker that falls behind must not
    // send a backlog in a burst, so the spacing also holds from the last real send.
    const free = await store.laneFreeAt(lane);
    // No early tolerance here: this is what keeps the lane within the platform's rate.
    if (free > Date.now()) await later(job, token, free);
    if (job.data.post.refresh && !(await refreshed(job, group))) {
      log.info('post dropped: nothing left to say when it went out', { key: job.data.post.key });
      await store.leaveLine(lane, id);
      return DROPPED;
    }
    const { post, lostPicture } = await queuedPosts.unpacked(job.data.post);
    const parts = poster.parts(post.message);
    try {
      // Parts sent before the picture vanished counted it: the text goes again from its start,
      // since showing a line twice is better than losing the rest.
      await sendParts(job, token, poster, group, post, parts, job.data.allSent ? parts : lostPicture ? 0 : (job.data.sentParts ?? 0));
    } catch (error) {
      if (error instanceof Unlocked) return unlocked(job, error);
      await store.setLaneFreeAt(lane, Date.now() + parts * spacingOf(poster));
      await failed(job, token, poster, error);
    }
    await store.setLaneFreeAt(lane, Date.now() + parts * spacingOf(poster));
    await store.leaveLine(lane, id);
    return undefined;
  }

  /**
   * A job this worker may no longer send. Lost: it is the other worker's, and this one leaves it
   * alone (BullMQ touches no job whose processor throws DelayedError). Else Redis did not answer:
   * BullMQ's own retries take it up again.
   */
  function unlocked(job: Job<PostJob>, error: Unlocked): never {
    if (!error.lost) throw error;
    log.warn('post left to the worker that holds it now', { key: job.data.post.key });
    throw new DelayedError();
  }

  /**
   * The store's connection refuses at once while Redis is away (connect.ts: a webhook must answer
   * 503 rather than hang), while the queue's waits it out and may take a post up before the store
   * is back, as after a Sentinel failover. Such a post is tried again shortly, spending none of its
   * tries: BullMQ's backoff (5 s, 10 s, 20 s, 40 s) would make a post late by a minute for a
   * failover of seconds, and bury it for one that outlasts its five tries.
   */
  async function waitOutRedis(job: Job<PostJob>, token: string | undefined, error: unknown): Promise<never> {
    if (error instanceof DelayedError || error instanceof UnrecoverableError || error instanceof Unlocked || !(await isRedisAway(error, store))) throw error;
    if (!waitingForRedis) log.warn('redis away; posts wait for it', { key: job.data.post.key, error });
    waitingForRedis = true;
    return later(job, token, Date.now() + AWAY_RETRY_MS);
  }

  /** Whether a post is still to be delivered (waiting, delayed or being sent). */
  async function stillWaiting(id: string): Promise<boolean> {
    const other = await queue.getJob(id);
    if (!other) return false;
    const state = await other.getState();
    return state !== 'completed' && state !== 'failed' && state !== 'unknown';
  }

  async function sendParts(job: Job<PostJob>, token: string | undefined, poster: Poster, group: Group, post: Post, parts: number, from: number): Promise<void> {
    for (let index = from; index < parts; index++) {
      await holdLock(job, token);
      await poster.sendPart(group, post.message, index);
      // The last part too: a process killed before its job completes must not send it again.
      await job.updateData({ ...job.data, sentParts: index + 1, ...(index + 1 === parts ? { allSent: true as const } : {}) });
    }
    log.info('posted', { key: post.key, platform: post.platform, chat: post.chat });
    metrics.postSent(post.platform);
  }

  /**
   * Renews the job's lock for a send: only the worker holding it may send, so a worker replaced by
   * the watchdog, or one whose lock ran out while Redis was away, and the worker that took the job
   * up since never both send a part.
   */
  async function holdLock(job: Job<PostJob>, token: string | undefined): Promise<void> {
    let renewed: number;
    try {
      renewed = token === undefined ? 0 : await job.extendLock(token, lockMs);
    } catch (error) {
      throw new Unlocked(false, { cause: error });
    }
    if (renewed !== 1) throw new Unlocked(true);
  }

  /** A refused or failed send: bury it, or pause the lane and try later (lane lock still held). */
  async function failed(job: Job<PostJob>, token: string | undefined, poster: Poster, error: unknown): Promise<never> {
    const { post, robot: lane, base, failures } = job.data;
    const failure = error instanceof SendError ? error.failure : 'failed';
    const code = error instanceof SendError ? error.code : 'error';
    const reason = error instanceof Error ? error.message : String(error);
    if (failure === 'permanent') return bury(job, code, reason);
    if (failure === 'rate-limited') {
      const pauseMs = (error instanceof SendError ? error.retryAfterMs : undefined) ?? poster.pauseMs;
      log.warn('lane paused: too fast for the platform', { lane, code, pauseMs });
      metrics.ratePaused(post.platform);
      return later(job, token, base + (await store.pauseLane(lane, Date.now(), pauseMs)));
    }
    if (failures + 1 >= backoff.attempts) return bury(job, code, `gave up after ${String(failures + 1)} attempts: ${reason}`);
    const pause = Math.min(backoff.maxMs, backoff.firstMs * 2 ** failures);
    log.warn('post failed; lane paused before trying again', { key: post.key, code, attempt: failures + 1, pauseMs: pause });
    metrics.postFailed(post.platform);
    await job.updateData({ ...job.data, failures: failures + 1 });
    return later(job, token, base + (await store.pauseLane(lane, Date.now(), pause)));
  }

  const outbox: Outbox = {
    async enqueue(posts, { windowDecided = false } = {}) {
      const added: string[] = [];
      const already: string[] = [];
      const platformOff: string[] = [];
      const queued = queuedPosts.packer();
      const seen = new Set<string>();
      for (let from = 0; from < posts.length; from += ENQUEUE_BATCH) {
        const batch: Array<{ post: Post; poster: Poster; jobId: string }> = [];
        for (const post of posts.slice(from, from + ENQUEUE_BATCH)) {
          const poster = posters[post.platform];
          if (!poster) platformOff.push(post.key);
          else if (seen.has(post.key)) already.push(post.key);
          else {
            seen.add(post.key);
            batch.push({ post, poster, jobId: jobIdOf(post.key) });
          }
        }
        // Every step of a batch is issued at once, so its commands share round trips (ioredis
        // pipelines what one tick sends): a fan-out to 2,000 groups is a few round trips, not 8,000.
        const before = await Promise.all(batch.map(({ jobId }) => queue.getJob(jobId)));
        const fresh = await Promise.all(batch.map(async (entry, i) => {
          const job = before[i];
          if (!job) return true;
          // A post dropped for having nothing to say was never posted: its key is free again.
          if (job.returnvalue === DROPPED && (await job.isCompleted())) {
            await job.remove();
            return true;
          }
          already.push(entry.post.key);
          return false;
        }));
        const taking = batch.filter((_, i) => fresh[i]);
        // Before the bundle is queued, and pointing at it: a crash in between leaves markers to a
        // job that does not exist, which `posted` does not count, so the sections are planned again.
        await Promise.all(taking.flatMap(({ post, jobId }) => (post.covers ? [store.markCovered(post.covers, jobId, POSTED_KEPT_S)] : [])));
        // A lane's slots are reserved in the order its posts came; lanes reserve side by side.
        const lanes = await Promise.all([...byLane(taking)].map(async ([lane, entries]) => {
          const reserved: Array<{ name: string; data: PostJob; opts: { jobId: string; delay: number } }> = [];
          for (const { post, poster, jobId } of entries) {
            const now = Date.now();
            const { at, shift } = await store.reserveSlot(lane, now, poster.parts(post.message), spacingOf(poster));
            const data: PostJob = { post: await queued(post), robot: lane, base: at - shift, failures: 0, ...(windowDecided ? { windowDecided } : {}) };
            // Named by its platform, which its id does not tell: the depth by platform reads it.
            reserved.push({ name: post.platform, data, opts: { jobId, delay: Math.max(0, at - now) } });
          }
          return reserved;
        }));
        const jobs = lanes.flat();
        await queue.addBulk(jobs);
        await Promise.all(jobs.map(({ data, opts }) => store.lineUp(data.robot, opts.jobId, data.base)));
        added.push(...taking.map(({ post }) => post.key));
      }
      if (platformOff.length > 0) log.warn('posts not queued: their platform is off', { count: platformOff.length });
      return { added, already, platformOff };
    },

    async posted(keys) {
      const bundles = await store.coveredBy(keys);
      const isPosted = async (id: string | undefined): Promise<boolean> => {
        const job = id === undefined ? undefined : await queue.getJob(id);
        // A dropped post (nothing left to say) was never posted.
        return job !== undefined && !(job.returnvalue === DROPPED && (await job.isCompleted()));
      };
      // All at once: a fan-out asks about thousands of keys, and the commands share round trips.
      const answers = await Promise.all(keys.map(async (key) => (await isPosted(jobIdOf(key))) || (await isPosted(bundles.get(key)))));
      return new Set(keys.filter((_, i) => answers[i]));
    },

    async delivering() {
      try {
        return (await queue.getWorkersCount()) > 0;
      } catch {
        return undefined;
      }
    },

    async depth() {
      const counts = await store.queueDepth(UNDELIVERED.map(({ state, suffix }) => ({ state, key: queue.toKey(suffix) })), queue.toKey(''));
      const depth = new Map<string, DepthCount>();
      for (const platform of Object.keys(posters)) for (const { state } of UNDELIVERED) depth.set(`${platform}\n${state}`, { platform, state, count: 0 });
      for (const { name, state, count } of counts) depth.set(`${name}\n${state}`, { platform: name, state, count });
      return [...depth.values()];
    },

    start() {
      if (worker) return;
      worker = newWorker();
      watchdog = startWatchdog({
        everyMs: options.watchdogMs ?? WATCHDOG_MS,
        log,
        activity: () => activity,
        // Delayed jobs past their time count: a wedged worker does not promote them to waiting.
        dueWork: async () => (await queue.getWaitingCount()) + (await queue.getDelayedCount(Date.now())),
        async recreate() {
          const old = worker;
          worker = newWorker();
          // Forced: a wedged worker may never finish what it holds, nor close on its own.
          if (old) await closeWorker(old, { force: true });
          return { closed: old?.opts.name ?? '', started: worker.opts.name ?? '' };
        },
      });
    },

    async settled(keys, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = new Map<string, PostState>();
        for (const key of keys) {
          const job = await queue.getJob(jobIdOf(key));
          const state = job ? await job.getState() : 'unknown';
          states.set(key, state === 'completed' ? (job?.returnvalue === DROPPED ? 'dropped' : 'sent') : state === 'failed' ? 'dead' : 'pending');
        }
        if (![...states.values()].includes('pending') || Date.now() >= deadline) return states;
        await new Promise((done) => setTimeout(done, 200));
      }
    },

    async close() {
      closed = true;
      watchdog?.stop();
      const closing = worker;
      worker = undefined;
      // A post being sent finishes, for a while; a stalled worker does not hold the shutdown.
      if (closing) await closeWorker(closing, { force: false });
      await within(queue.close(), CUT_WAIT_MS);
      connection.disconnect();
    },
  };

  function newWorker(): Worker<PostJob, string | undefined> {
    generation += 1;
    const made = new Worker<PostJob, string | undefined>(
      QUEUE,
      (job, token) => {
        activity += 1;
        return deliver(job, token).catch((error: unknown) => waitOutRedis(job, token, error));
      },
      {
        connection,
        prefix: options.queuePrefix,
        name: `outbox-${String(generation)}`,
        concurrency: options.concurrency ?? 16,
        lockDuration: lockMs,
        stalledInterval: lockMs,
        // A post whose worker died mid-send is taken up again, twice at most (the platform may
        // have shown it already: at-least-once for that one post).
        maxStalledCount: 2,
      },
    );
    made.on('error', (error) => { log.error('outbox worker error', { error }); });
    made.on('completed', () => {
      activity += 1;
      if (waitingForRedis) log.info('redis back; posts go out again');
      waitingForRedis = false;
    });
    made.on('failed', (job, error) => {
      activity += 1;
      // Buried posts are logged where they are buried; this is Redis or a bug.
      if (!(error instanceof UnrecoverableError)) log.error('post failed in the outbox', { key: job?.data.post.key, attempts: job?.attemptsMade, error });
    });
    return made;
  }

  /**
   * Closes a worker, waiting a while for the posts it is sending unless `force`; past that, cuts its
   * connections, which a worker wedged on its blocking connection needs (its close waits on that
   * connection, and closing again only returns the same wait).
   */
  async function closeWorker(closing: Worker<PostJob, string | undefined>, { force }: { force: boolean }): Promise<void> {
    const waitMs = force ? CUT_WAIT_MS : CLOSE_WAIT_MS;
    if (await within(closing.close(force), waitMs)) return;
    log.warn('outbox worker did not close in time; its connections are cut', { worker: closing.opts.name, waitMs });
    await within(closing.disconnect(), CUT_WAIT_MS);
  }

  return outbox;
}

/** Entries by their post's lane, each lane's in the order given. */
function byLane<T extends { post: Post }>(entries: readonly T[]): Map<string, T[]> {
  const lanes = new Map<string, T[]>();
  for (const entry of entries) {
    const lane = laneOf(entry.post);
    const line = lanes.get(lane);
    if (line) line.push(entry);
    else lanes.set(lane, [entry]);
  }
  return lanes;
}
