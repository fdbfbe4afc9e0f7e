/**
 * A confirmation survives the master's loss (docs/design.md §7): when the master has replicas, what
 * this connection wrote is confirmed only once one replica has it (`WAIT`); otherwise the caller
 * answers 503 and the platform delivers the message again. A Redis without replicas is left as
 * it was: one ROLE a second at most, and no WAIT.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { HealthStore } from './health.js';

/**
 * How long a confirmation waits for a replica: well inside the platforms' reply deadlines (WeCom
 * drops a callback unanswered within 5 s: docs/protocols/wecom.md, page 90238),
 * and far above a healthy replica's acknowledgement, which takes one round trip.
 */
export const REPLICA_WAIT_MS = 1_000;

/** How long the master's replica count is trusted: a replica attached or lost is noticed within it. */
const ROLE_KEPT_MS = 1_000;

/** No replica acknowledged the writes in time: they may be lost with the master, so nothing may be confirmed. */
export class NotReplicatedError extends Error {
  constructor() {
    super(`no replica acknowledged the writes within ${String(REPLICA_WAIT_MS)} ms`);
    this.name = 'NotReplicatedError';
  }
}

/**
 * Redis's refusals while a master is replaced (https://redis.io/docs/latest/operate/oss_and_stack/management/replication/):
 * a demoted master or a replica refuses writes (READONLY), a replica still loading its data
 * refuses everything (LOADING), one cut off from its master refuses reads (MASTERDOWN).
 */
const FAILOVER_REPLY = /^(?:READONLY|LOADING|MASTERDOWN|NOREPLICAS)\b/;

/** Whether `error` (or what it wraps) says Redis is failing over rather than that the request is wrong. */
export function isFailingOver(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    if (e instanceof NotReplicatedError || FAILOVER_REPLY.test(e.message)) return true;
  }
  return false;
}

/**
 * ioredis's refusals on a connection that is not ready, as connect.ts sets it up (no offline queue,
 * one retry): the command never reached Redis.
 */
const CUT_OFF = /^(?:Stream isn't writeable|Connection is closed|Reached the max retries per request limit)/;

/**
 * Whether `error` came of Redis being away — failing over, the connection cut off, or Redis not
 * answering PING now — rather than of a wrong request or a bug: the work is to be tried again, not
 * given up.
 */
export async function isRedisAway(error: unknown, store: Pick<HealthStore, 'ping'>): Promise<boolean> {
  if (isFailingOver(error) || (error instanceof Error && CUT_OFF.test(error.message))) return true;
  return !(await store.ping().catch(() => false));
}

/** Redis answered with an error (an unknown or denied command), as against no answer at all. */
const refused = (error: unknown): boolean => error instanceof Error && error.name === 'ReplyError';

export interface DurableStore {
  /**
   * Resolves once one replica has every write this connection made so far, or at once when the
   * master has no replicas; NotReplicatedError when none acknowledged within REPLICA_WAIT_MS.
   */
  keptOnReplica(): Promise<void>;
}

/** ROLE's answer: `master`, its offset, and one entry per connected replica (https://redis.io/docs/latest/commands/role/). */
const RoleSchema = z.union([
  z.tuple([z.literal('master'), z.number(), z.array(z.unknown())]).transform(([, , replicas]) => replicas.length),
  // A replica or a sentinel: nothing replicates from here.
  z.array(z.unknown()).transform(() => 0),
]);

export function createDurableStore(redis: Redis): DurableStore {
  let known: { replicas: number; at: number } | undefined;
  let asking: Promise<number> | undefined;

  /**
   * ROLE, else INFO's `connected_slaves` where ROLE is refused (a managed Redis may rename or deny
   * it). One that refuses both cannot be waited on: it is taken for a single Redis. A lost
   * connection is not a refusal and fails the confirmation.
   */
  async function replicaCount(): Promise<number> {
    try {
      return RoleSchema.parse(await redis.call('ROLE'));
    } catch (error) {
      if (!refused(error)) throw error;
    }
    try {
      const line = (await redis.info('replication')).split(/\r?\n/).find((l) => l.startsWith('connected_slaves:'));
      return Number(line?.slice('connected_slaves:'.length) ?? 0) || 0;
    } catch (error) {
      if (!refused(error)) throw error;
      return 0;
    }
  }

  async function replicas(): Promise<number> {
    if (known && Date.now() - known.at < ROLE_KEPT_MS) return known.replicas;
    asking ??= (async () => {
      try {
        const count = await replicaCount();
        known = { replicas: count, at: Date.now() };
        return count;
      } finally {
        asking = undefined;
      }
    })();
    return asking;
  }

  // One WAIT at a time covers every write sent before it. A caller arriving while one is out may
  // have written after it was sent, so it joins the next, which goes out when that one returns:
  // under load, a few confirmations share each WAIT rather than each blocking the connection.
  let waiting: Promise<number> | undefined;
  let queued: Promise<number> | undefined;
  function acknowledged(): Promise<number> {
    if (waiting === undefined) {
      waiting = redis.wait(1, REPLICA_WAIT_MS).finally(() => { waiting = undefined; });
      return waiting;
    }
    queued ??= waiting.catch(() => 0).then(() => {
      queued = undefined;
      return acknowledged();
    });
    return queued;
  }

  return {
    async keptOnReplica() {
      if ((await replicas()) === 0) return;
      if ((await acknowledged()) >= 1) return;
      // The replicas may have gone: ask again next time rather than wait for each in vain.
      known = undefined;
      throw new NotReplicatedError();
    },
  };
}
